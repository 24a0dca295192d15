//! A hand-built report for the layout and PDF tests (`tests/layout_pdf.rs`) and the PDF
//! benchmark (`benches/pdf.rs`), which pull this file in with `#[path]`. It lives here, not
//! in the library, so that the release build carries neither it nor the seed text.
//!
//! [`seed_report`] builds a realistic report by hand: the seed report's title, headings
//! and paragraphs (figures as [`Run::Figure`]s), a national table 3 (merged header cells,
//! a vertical merged label), a table long enough to cross pages, paragraphs engineered to
//! hit the 禁则 at a line end, and the closing block.

#![allow(dead_code)]

use nianbao::document::{
    Align, Block, Cell, Closing, Document, Figure, Heading, Paragraph, ParagraphStyle, Provenance,
    Row, Run, Table,
};

const SEED: &str = include_str!("seed-report.txt");

/// The seed text's ASCII punctuation as an official document prints it.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ',' => '，',
            '(' => '（',
            ')' => '）',
            ':' => '：',
            ';' => '；',
            '?' => '？',
            '!' => '！',
            c => c,
        })
        .collect()
}

fn figure(text: &str, metric: &str) -> Run {
    Run::Figure(Figure {
        text: text.to_string(),
        missing: false,
        provenance: Provenance {
            metric_code: metric.to_string(),
            metric_name: metric.to_string(),
            unit: "件".into(),
            year: 2019,
            months: (1, 12),
            rule: "sum".into(),
            ..Provenance::default()
        },
    })
}

/// Runs of a sentence: digit sequences (with `.`/`%` inside) become figures.
fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '%')
            {
                i += 1;
            }
            if !plain.is_empty() {
                out.push(Run::text(std::mem::take(&mut plain)));
            }
            let num: String = chars[start..i].iter().collect();
            out.push(figure(&num, "seed"));
        } else {
            plain.push(chars[i]);
            i += 1;
        }
    }
    if !plain.is_empty() {
        out.push(Run::text(plain));
    }
    out
}

fn heading(level: u8, number: &str, text: &str, run_in: bool) -> Block {
    Block::Heading(Heading {
        level,
        number: number.into(),
        runs: vec![Run::text(text)],
        run_in,
    })
}

fn para(text: &str) -> Block {
    Block::Paragraph(Paragraph {
        style: ParagraphStyle::Body,
        runs: runs(text),
    })
}

fn caption(text: &str) -> Block {
    Block::Paragraph(Paragraph {
        style: ParagraphStyle::Centered,
        runs: vec![Run::text(text)],
    })
}

/// Splits `（一）题目。正文` / `1.题目。正文` into number, heading text and the rest.
fn split_numbered(line: &str) -> Option<(u8, String, String, String)> {
    let (level, number_len) = if line.starts_with('（') {
        (2, line.find('）')? + '）'.len_utf8())
    } else if line.starts_with(|c: char| c.is_ascii_digit()) {
        (3, line.find('.')? + 1)
    } else if let Some(p) = line.find('、') {
        let n = &line[..p];
        if n.is_empty() || !n.chars().all(|c| "一二三四五六七八九十".contains(c)) {
            return None;
        }
        (1, p + '、'.len_utf8())
    } else {
        return None;
    };
    let number = line[..number_len].to_string();
    let rest = &line[number_len..];
    if level == 1 {
        return Some((1, number, rest.to_string(), String::new()));
    }
    match rest.find('。') {
        Some(p) if p + '。'.len_utf8() < rest.len() => {
            let end = p + '。'.len_utf8();
            Some((
                level,
                number,
                rest[..end].to_string(),
                rest[end..].to_string(),
            ))
        }
        _ => Some((level, number, rest.to_string(), String::new())),
    }
}

/// The seed report's body as blocks.
fn seed_blocks() -> (String, Vec<Block>) {
    let mut lines = SEED.lines().map(str::trim).filter(|l| !l.is_empty());
    let title = lines.next().unwrap_or_default().to_string();
    let mut blocks = Vec::new();
    for line in lines {
        if line.starts_with("时间:") || line.starts_with("政讯通") {
            continue;
        }
        let line = full_width(line);
        match split_numbered(&line) {
            Some((level, number, text, rest)) => {
                let run_in = !rest.is_empty();
                blocks.push(heading(level, &number, &text, run_in));
                if run_in {
                    blocks.push(para(&rest));
                }
            }
            None => blocks.push(para(&line)),
        }
    }
    (title, blocks)
}

/// Deterministic small numbers for table cells.
struct Numbers(u32);

impl Numbers {
    fn next(&mut self, max: u32) -> u32 {
        self.0 = self.0.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (self.0 >> 16) % (max + 1)
    }
}

fn num_cell(col: usize, n: u32, metric: &str) -> Cell {
    Cell {
        col,
        col_span: 1,
        row_span: 1,
        align: Align::Right,
        vertical: false,
        runs: vec![figure(&n.to_string(), metric)],
    }
}

fn head_cell(col: usize, col_span: usize, row_span: usize, text: &str) -> Cell {
    Cell {
        col,
        col_span,
        row_span,
        align: Align::Center,
        vertical: false,
        runs: vec![Run::text(text)],
    }
}

fn label(col: usize, col_span: usize, row_span: usize, text: &str) -> Cell {
    Cell {
        col,
        col_span,
        row_span,
        align: Align::Left,
        vertical: false,
        runs: vec![Run::text(text)],
    }
}

/// 政府信息公开工作年度报告 table 3 (收到和处理政府信息公开申请情况), as the 2019
/// national template has it: three label columns and seven applicant columns.
pub fn table3() -> Table {
    let mut n = Numbers(2019);
    let mut rows = vec![
        Row {
            cells: vec![
                head_cell(
                    0,
                    3,
                    3,
                    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                ),
                head_cell(3, 7, 1, "申请人情况"),
            ],
        },
        Row {
            cells: vec![
                head_cell(3, 1, 2, "自然人"),
                head_cell(4, 5, 1, "法人或其他组织"),
                head_cell(9, 1, 2, "总计"),
            ],
        },
        Row {
            cells: [
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他",
            ]
            .iter()
            .enumerate()
            .map(|(i, t)| head_cell(4 + i, 1, 1, t))
            .collect(),
        },
    ];
    let data_row = |mut cells: Vec<Cell>, n: &mut Numbers| {
        for c in 3..10 {
            cells.push(num_cell(c, n.next(40), "apply"));
        }
        Row { cells }
    };
    rows.push(data_row(
        vec![label(0, 3, 1, "一、本年新收政府信息公开申请数量")],
        &mut n,
    ));
    rows.push(data_row(
        vec![label(0, 3, 1, "二、上年结转政府信息公开申请数量")],
        &mut n,
    ));
    let mut result: Vec<Vec<Cell>> = vec![
        vec![label(1, 2, 1, "（一）予以公开")],
        vec![label(
            1,
            2,
            1,
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        )],
    ];
    let groups: [(&str, &[&str]); 3] = [
        (
            "（三）不予公开",
            &[
                "1.属于国家秘密",
                "2.其他法律行政法规禁止公开",
                "3.危及“三安全一稳定”",
                "4.保护第三方合法权益",
                "5.属于三类内部事务信息",
                "6.属于四类过程性信息",
                "7.属于行政执法案卷",
                "8.属于行政查询事项",
            ],
        ),
        (
            "（四）无法提供",
            &[
                "1.本机关不掌握相关政府信息",
                "2.没有现成信息需要另行制作",
                "3.补正后申请内容仍不明确",
            ],
        ),
        (
            "（五）不予处理",
            &[
                "1.信访举报投诉类申请",
                "2.重复申请",
                "3.要求提供公开出版物",
                "4.无正当理由大量反复申请",
                "5.要求行政机关确认或重新出具已获取信息",
            ],
        ),
    ];
    for (name, items) in groups {
        for (i, item) in items.iter().enumerate() {
            let mut cells = Vec::new();
            if i == 0 {
                cells.push(label(1, 1, items.len(), name));
            }
            cells.push(label(2, 1, 1, item));
            result.push(cells);
        }
    }
    result.push(vec![label(1, 2, 1, "（六）其他处理")]);
    result.push(vec![label(1, 2, 1, "（七）总计")]);
    let span = result.len();
    for (i, mut cells) in result.into_iter().enumerate() {
        if i == 0 {
            cells.insert(
                0,
                Cell {
                    col: 0,
                    col_span: 1,
                    row_span: span,
                    align: Align::Center,
                    vertical: true,
                    runs: vec![Run::text("三、本年度办理结果")],
                },
            );
        }
        rows.push(data_row(cells, &mut n));
    }
    rows.push(data_row(
        vec![label(0, 3, 1, "四、结转下年度继续办理")],
        &mut n,
    ));
    Table {
        columns: 10,
        header_rows: 3,
        rows,
        widths: None,
    }
}

/// A table of every division's and city bureau's disclosures: about two pages long.
pub fn long_table() -> Table {
    const UNITS: &[&str] = &[
        "办公室",
        "综合规划处",
        "法规处",
        "执法稽查局",
        "登记注册局",
        "信用监督管理处",
        "竞争政策协调处",
        "反垄断处",
        "价格监督检查和反不正当竞争局",
        "网络交易监督管理处",
        "广告监督管理处",
        "质量发展局",
        "产品质量安全监督管理处",
        "食品生产安全监督管理处",
        "食品经营安全监督管理处",
        "特殊食品安全监督管理处",
        "食品安全抽检监测处",
        "特种设备安全监察局",
        "计量处",
        "标准化处",
        "认证监督管理处",
        "认可与检验检测监督管理处",
        "新闻宣传处",
        "科技和财务处",
        "人事处",
        "机关党委",
        "知识产权保护处",
        "知识产权运用促进处",
        "商标品牌指导处",
        "消费者权益保护处",
        "个体私营经济监督管理处",
        "合肥市市场监管局",
        "淮北市市场监管局",
        "亳州市市场监管局",
        "宿州市市场监管局",
        "蚌埠市市场监管局",
        "阜阳市市场监管局",
        "淮南市市场监管局",
        "滁州市市场监管局",
        "六安市市场监管局",
        "马鞍山市市场监管局",
        "芜湖市市场监管局",
        "宣城市市场监管局",
        "铜陵市市场监管局",
        "池州市市场监管局",
        "安庆市市场监管局",
        "黄山市市场监管局",
    ];
    let mut n = Numbers(7);
    let mut rows = vec![
        Row {
            cells: vec![
                head_cell(0, 1, 2, "序号"),
                head_cell(1, 1, 2, "单位"),
                head_cell(2, 4, 1, "主动公开政府信息（条）"),
            ],
        },
        Row {
            cells: vec![
                head_cell(2, 1, 1, "合计"),
                head_cell(3, 1, 1, "政策文件"),
                head_cell(4, 1, 1, "政策解读"),
                head_cell(5, 1, 1, "回应关切"),
            ],
        },
    ];
    for (i, unit) in UNITS.iter().enumerate() {
        let (a, b, c) = (n.next(300), n.next(60), n.next(40));
        rows.push(Row {
            cells: vec![
                Cell {
                    align: Align::Center,
                    ..Cell::new(0, (i + 1).to_string())
                },
                label(1, 1, 1, unit),
                num_cell(2, a + b + c, "published"),
                num_cell(3, a, "published_policy"),
                num_cell(4, b, "published_reading"),
                num_cell(5, c, "published_response"),
            ],
        });
    }
    Table {
        columns: 6,
        header_rows: 2,
        rows,
        widths: Some(vec![1.0, 5.0, 2.0, 2.0, 2.0, 2.0]),
    }
}

/// Pure ideographs, for paragraphs that must put a given character at a line's end.
const FILLER: &str = "根据国务院办公厅政府信息与政务公开办公室关于做好政府信息公开工作年度报告有关事项的通知要求本机关认真组织编制本年度报告全面梳理全年工作情况并对照上级部署逐项核对各处室报送的数据";

fn filler(n: usize) -> String {
    FILLER.chars().cycle().take(n).collect()
}

/// Paragraphs that hit the 禁则 exactly at a line end (first lines hold 26 characters
/// after the indent, later lines 28), plus words and numbers that must not split.
pub fn kinsoku_blocks() -> Vec<Block> {
    vec![
        // a comma falls on the 29th place of line 2
        para(&format!("{}{}，{}。", filler(26), filler(28), filler(20))),
        // a full stop and a closing quote fall on the first place of line 2
        para(&format!("“{}。”{}。", filler(25), filler(30))),
        // an opening bracket falls on the last place of line 2
        para(&format!(
            "{}{}《政府信息公开条例》{}。",
            filler(26),
            filler(27),
            filler(10)
        )),
        // a closing bracket and a pause mark after a full line
        para(&format!(
            "{}（{}）、{}；{}：{}？{}！",
            filler(25),
            filler(27),
            filler(26),
            filler(27),
            filler(27),
            filler(6)
        )),
        // a number and a Latin word at a line end never split
        para(&format!(
            "{}1234567890{}GB/T 9704-2012{}，热线12315。",
            filler(23),
            filler(22),
            filler(20)
        )),
        Block::Paragraph(Paragraph {
            style: ParagraphStyle::Body,
            runs: vec![
                Run::text("其中，"),
                Run::Emphasis {
                    text: "依申请公开答复率为100%".into(),
                },
                Run::text("，未发生因信息公开引起的行政复议和行政诉讼案件。"),
            ],
        }),
    ]
}

/// The whole fixture report (about 14 pages).
pub fn seed_report() -> Document {
    report(true)
}

/// The report the benchmark sets: the seed text and table 3 (about 11 pages).
pub fn bench_report() -> Document {
    report(false)
}

fn report(long: bool) -> Document {
    let (title, mut blocks) = seed_blocks();
    blocks.push(heading(1, "六、", "收到和处理政府信息公开申请情况", false));
    blocks.push(caption("表3  收到和处理政府信息公开申请情况"));
    blocks.push(Block::Table(table3()));
    if long {
        blocks.push(heading(1, "七、", "各单位主动公开政府信息情况", false));
        blocks.push(caption("附表  各单位主动公开政府信息情况"));
        blocks.push(Block::Table(long_table()));
    }
    blocks.push(heading(
        1,
        if long { "八、" } else { "七、" },
        "其他需要报告的事项",
        false,
    ));
    blocks.extend(kinsoku_blocks());
    Document {
        title,
        blocks,
        closing: Some(Closing {
            agency: "安徽省市场监督管理局".into(),
            date: "2019年12月24日".into(),
        }),
    }
}
