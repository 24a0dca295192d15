//! Hand-built report documents for the DOCX exporter's tests and benchmark
//! (`tests/docx_export.rs`, `benches/docx.rs` pull this file in with `#[path]`).
//!
//! [`docx_fixture`] is report-sized: the seed work summary (title, headings of three
//! levels, run-in headings, figures), a table like national table 2, a table like
//! national table 3 (merged header cells, the vertical 本年度办理结果 merged down the
//! result rows, group labels merged down their items) and a long table that crosses
//! pages, then the closing block (落款).

#![allow(dead_code)]

use nianbao::document::{
    Align, Block, Cell, Closing, Document, Figure, Heading, HeadingNumbers, Paragraph,
    ParagraphStyle, Provenance, Row, Run, Table,
};
use nianbao::model::national::{T3_COLUMNS, T3_ROWS};

pub const TITLE: &str = "2019年省市场监管局政务公开工作总结";
pub const AGENCY: &str = "安徽省市场监督管理局";

/// The full fixture: seed prose, tables 2- and 3-like, a long table, closing block.
pub fn docx_fixture() -> Document {
    let mut numbers = HeadingNumbers::default();
    let mut blocks = Vec::new();
    for (i, &(level, run_in, heading, text)) in SEED_BLOCKS.iter().enumerate() {
        if level > 0 {
            blocks.push(Block::Heading(Heading {
                level,
                number: numbers.next(level),
                runs: vec![Run::text(heading)],
                run_in,
            }));
        }
        if !text.is_empty() {
            blocks.push(Block::Paragraph(Paragraph {
                style: ParagraphStyle::Body,
                runs: runs_with_figures(text),
            }));
        }
        // After the first level-1 section, the national tables.
        if i == 6 {
            blocks.push(caption("表一  主动公开政府信息情况"));
            blocks.push(Block::Table(table2_like()));
            blocks.push(caption("表二  收到和处理政府信息公开申请情况"));
            blocks.push(Block::Table(table3_like()));
            blocks.push(Block::Paragraph(Paragraph {
                style: ParagraphStyle::NoIndent,
                runs: vec![
                    Run::Emphasis {
                        text: "注：".into(),
                    },
                    Run::text("表中数据截至2019年12月31日。"),
                ],
            }));
        }
    }
    blocks.push(Block::Heading(Heading {
        level: 1,
        number: numbers.next(1),
        runs: vec![Run::text("各处室信息发布情况")],
        run_in: false,
    }));
    blocks.push(caption("表三  各处室信息发布情况"));
    blocks.push(Block::Table(long_table(60)));
    Document {
        title: TITLE.into(),
        blocks,
        closing: Some(Closing {
            agency: AGENCY.into(),
            date: "2019年12月24日".into(),
        }),
    }
}

/// Only table 3, for tests that look at merges.
pub fn table3_document() -> Document {
    Document {
        title: "表格".into(),
        blocks: vec![Block::Table(table3_like())],
        closing: None,
    }
}

fn caption(text: &str) -> Block {
    Block::Paragraph(Paragraph {
        style: ParagraphStyle::Centered,
        runs: vec![Run::text(text)],
    })
}

pub fn figure(text: &str, code: &str) -> Run {
    Run::Figure(Figure {
        text: text.into(),
        missing: false,
        provenance: Provenance {
            metric_code: code.into(),
            metric_name: code.into(),
            unit: "条".into(),
            year: 2019,
            months: (1, 12),
            divisions: vec![],
            values: vec![],
            rule: "sum".into(),
            inputs: vec![],
        },
    })
}

/// Every number in the seed text becomes a figure run, as a template would make it.
fn runs_with_figures(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut in_number = false;
    for c in text.chars() {
        let numeric = c.is_ascii_digit() || (in_number && (c == '.' || c == '%'));
        if numeric != in_number && !current.is_empty() {
            runs.push(if in_number {
                figure(&current, "seed.figure")
            } else {
                Run::text(current.clone())
            });
            current.clear();
        }
        in_number = numeric;
        current.push(c);
    }
    if !current.is_empty() {
        runs.push(if in_number {
            figure(&current, "seed.figure")
        } else {
            Run::text(current)
        });
    }
    runs
}

fn cell(col: usize, text: &str) -> Cell {
    Cell {
        align: Align::Center,
        ..Cell::new(col, text)
    }
}

fn spanned(col: usize, col_span: usize, row_span: usize, text: &str) -> Cell {
    Cell {
        col_span,
        row_span,
        ..cell(col, text)
    }
}

fn number(col: usize, value: u32, code: &str) -> Cell {
    Cell {
        align: Align::Right,
        runs: vec![figure(&value.to_string(), code)],
        ..Cell::new(col, "")
    }
}

/// 第二十条第（一）项: 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数.
fn table2_like() -> Table {
    let header = Row {
        cells: ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
            .iter()
            .enumerate()
            .map(|(i, t)| cell(i, t))
            .collect(),
    };
    let row = |label: &str, code: &str, v: [u32; 3]| Row {
        cells: std::iter::once(cell(0, label))
            .chain((0..3).map(|i| number(i + 1, v[i], code)))
            .collect(),
    };
    Table {
        columns: 4,
        header_rows: 1,
        rows: vec![
            header,
            row("规章", "t2.rules", [0, 0, 3]),
            row("行政规范性文件", "t2.normative", [12, 4, 57]),
        ],
        widths: None,
    }
}

/// Grid: 0 vertical label, 1 group label, 2 item label, 3..=9 the seven applicant columns.
pub const T3_GRID_COLUMNS: usize = 10;
/// Result rows (（一）…（七）总计) under the vertical 三、本年度办理结果.
pub const T3_RESULT_ROWS: usize = 22;

pub fn table3_like() -> Table {
    let mut rows = vec![
        Row {
            cells: vec![
                spanned(
                    0,
                    3,
                    3,
                    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                ),
                spanned(3, 7, 1, "申请人情况"),
            ],
        },
        Row {
            cells: vec![
                spanned(3, 1, 2, T3_COLUMNS[0].1),
                spanned(4, 5, 1, "法人或其他组织"),
                spanned(9, 1, 2, T3_COLUMNS[6].1),
            ],
        },
        Row {
            cells: T3_COLUMNS[1..6]
                .iter()
                .enumerate()
                .map(|(i, (_, label))| cell(4 + i, label))
                .collect(),
        },
    ];
    let values = |code: &str, seed: u32| -> Vec<Cell> {
        (0..7)
            .map(|i| {
                let v = if i == 6 {
                    seed * 3
                } else {
                    (seed + i as u32) % 4
                };
                number(3 + i, v, &format!("t3.{code}.{}", T3_COLUMNS[i].0))
            })
            .collect()
    };
    let label_row = |text: &str, code: &str, seed: u32| Row {
        cells: std::iter::once(Cell {
            align: Align::Left,
            ..spanned(0, 3, 1, text)
        })
        .chain(values(code, seed))
        .collect(),
    };
    rows.push(label_row("一、本年新收政府信息公开申请数量", "new", 28));
    rows.push(label_row(
        "二、上年结转政府信息公开申请数量",
        "carried_in",
        2,
    ));

    // (group label, items) in T3_ROWS order from index 2.
    let groups: [(&str, usize); 7] = [
        ("（一）予以公开", 0),
        (
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            0,
        ),
        ("（三）不予公开", 8),
        ("（四）无法提供", 3),
        ("（五）不予处理", 5),
        ("（六）其他处理", 3),
        ("（七）总计", 0),
    ];
    let mut code_index = 2;
    let mut first = true;
    for (group, items) in groups {
        let mut cells = Vec::new();
        if first {
            cells.push(Cell {
                vertical: true,
                ..spanned(0, 1, T3_RESULT_ROWS, "三、本年度办理结果")
            });
            first = false;
        }
        let left = |c: Cell| Cell {
            align: Align::Left,
            ..c
        };
        if items == 0 {
            let code = if group.ends_with("总计") {
                "results_total"
            } else {
                T3_ROWS[code_index].0
            };
            cells.push(left(spanned(1, 2, 1, group)));
            cells.extend(values(code, code_index as u32));
            if !group.ends_with("总计") {
                code_index += 1;
            }
            rows.push(Row { cells });
        } else {
            cells.push(left(spanned(1, 1, items, group)));
            for item in 0..items {
                if item > 0 {
                    cells = Vec::new();
                }
                let (code, label) = T3_ROWS[code_index];
                cells.push(left(cell(2, &format!("{}.{label}", item + 1))));
                cells.extend(values(code, code_index as u32));
                code_index += 1;
                rows.push(Row {
                    cells: std::mem::take(&mut cells),
                });
            }
        }
    }
    rows.push(label_row("四、结转下年度继续办理", "carried_out", 1));
    Table {
        columns: T3_GRID_COLUMNS,
        header_rows: 3,
        rows,
        widths: None,
    }
}

/// A table of `n` body rows under one header row: long enough to cross pages.
pub fn long_table(n: usize) -> Table {
    let mut rows = vec![Row {
        cells: ["处室", "原创新闻（条）", "微博（条）", "微信（期）", "备注"]
            .iter()
            .enumerate()
            .map(|(i, t)| cell(i, t))
            .collect(),
    }];
    for i in 0..n {
        let mut cells = vec![Cell::new(0, format!("第{}处室", i + 1))];
        for c in 1..4 {
            cells.push(number(c, (i * 37 + c * 11) as u32 % 400, "news.original"));
        }
        cells.push(Cell::new(
            4,
            if i % 7 == 0 {
                "含专题宣传活动"
            } else {
                ""
            },
        ));
        rows.push(Row { cells });
    }
    Table {
        columns: 5,
        header_rows: 1,
        rows,
        widths: Some(vec![3.0, 2.0, 2.0, 2.0, 3.0]),
    }
}

/// The seed report (SPEC §1, `shared/seed`), punctuation normalised to full width:
/// (heading level or 0 for a plain paragraph, run-in, heading text, paragraph text).
const SEED_BLOCKS: &[(u8, bool, &str, &str)] = &[
    (
        0,
        false,
        "",
        "2019年，省市场监管局认真贯彻落实《中华人民共和国信息公开条例》和《2019年全省政务公开工作要点》，印发《省局政府信息公开管理办法（试行）》（以下简称《办法》）《省局2019年政务公开重点工作任务分工》，结合机构改革和政府信息主动公开目录基本规范要求，完成政务公开改版升级工作。截至12月中旬，省局门户网站发布各类原创新闻信息1725条，组织召开各类新闻发布活动7次。开通运营“安徽市场监管”微博和微信公众号，发布微博信息548条，推送微信137期。主动公开信息4387条，及时答复依申请公开83件，无因依申请公开答复不满意而产生行政复议、行政诉讼案件发生。",
    ),
    (1, false, "提升政策解读质量主动回应社会关切", ""),
    (
        2,
        true,
        "围绕稳定市场预期加强政策解读。",
        "《办法》明确要求，处室在制定规范性文件时，要坚持政策性文件与解读方案、解读材料同步组织、同步审签、同步部署。重点解读文件的背景依据、起草过程、目标任务、主要内容、创新举措和下一步工作考虑等内容。围绕《安徽省价格监督检查条例》《关于在市场监管领域全面推行部门联合“双随机、一公开”监管的实施意见》《完善促进消费体制机制进一步激发居民消费潜力行动方案》《安徽省产品质量监督抽查管理办法（试行）》等文件及时、全面、精准开展解读工作。质量月期间，全省共开展12315投诉举报热线和平台整合宣传654次、电梯安全宣传周宣传157次、有机产品认证宣传周宣传36次、服务认证体验周14次、“质量开放日”121次、消费品质量安全“进社区、进校园、进乡镇”宣传教育266次，极大地提升了全社会的质量意识。",
    ),
    (
        2,
        true,
        "聚焦社会热点回应关切。",
        "聚焦社会关注焦点、热点，围绕“不忘初心、牢记使命”主题教育、“3·15”、食品安全宣传周、知识产权宣传周、质量月等开展主题宣传，积极策划开展“高温下的市场监管人”“保障舌尖上安全”等专题宣传活动，编发新闻通稿61篇，在省级以上新闻媒体刊发新闻报道稿件738余篇（条）。答复局长信箱网友咨询事项137件；答复安徽省党委系统网友留言办理工作综合应用平台留言13件；答复省级统一政府热线服务平台信件15件。",
    ),
    (
        3,
        true,
        "加强食品安全信息公开力度。",
        "按月更新食品生产、食品流通、餐饮服务、特殊食品监管信息。每周更新食品抽检信息，截至目前更新48期，总计13618批次，涉及不合格食品255批次，总体合格率为98.1%。在网站设置安徽省整治食品安全专项行动、食品安全风险预警交流、防范食品、保健食品欺诈和虚假宣传等专栏发布相关信息，回应社会关切。食品安全宣传周期间，全省共组织开展相关宣传活动2512次，召开新闻发布会、媒体通气会176次，广播电视、报纸等媒体报道17023次，普及食品安全法律法规和科学知识，动员社会各界积极参与智慧分享和实践创新，增强社会监督意识，传播尚德守法正能量。会同省公安厅、省教育厅、省农业农村厅，在全省部署深入开展整治食品安全问题联合行动。全省查处食品生产经营环节各类违法案件（问题）4025件，罚没款2354.48万余元，取缔“黑工厂”“黑作坊”“黑窝点”等无证生产经营单位418家，集中销毁各类违法食品117.8吨，集中解决了一批群众关心的操心事、烦心事、揪心事，国家联合行动工作简报和省纪委监委通报多次刊载我省整治食品安全问题联合行动工作成效，相关工作受到高度肯定。",
    ),
    (
        3,
        true,
        "加强收费监管持续规范涉企收费行为。",
        "一是全面部署，持续推进涉企收费监管工作。印发《关于加强涉企收费监督检查推进企业降成本工作的通知》，在全省范围内部署开展涉企收费监管工作；印发《关于开展涉企收费专项检查的通知》，联合7部门印发《关于贯彻落实国家部署进一步加强违规涉企收费治理工作的通知》，重点检查涉企收费目录清单执行情况，政府部门下属单位、协会等中介机构及重点行业、领域收费情况。二是落实责任，推动开展自查自纠。部署开展了省市场监管局各直属单位、协会涉企收费的自查自纠工作；联合省发展改革委开展省直部门下属单位涉企收费、中介机构收费清理整治工作；三是协同监管，形成违规涉企收费治理合力。会同省发展改革委清理规范铁路货物运输相关收费，进一步加强铁路专用线代维等服务收费管理；会同省财政、商务等有关部门开展口岸收费排查整治工作督查；联合省发展改革委、住房城乡建设厅、国家电网安徽省公司对全省转供电领域开展调研、督查、出台文件，推动各地开展转供电监管工作。据不完全统计2019年为企业降费金额1530多万元；组织对物流、商业银行、电网、转供电等重点行业领域进行监督检查，督促商业银行清退违规收费800多万元。",
    ),
    (
        2,
        true,
        "增强政策解读质量提升回应效果。",
        "组织《安徽省人民政府关于在市场监管领域全面推行部门联合“双随机、一公开”监管的实施意见》政策解读新闻发布会，参加《安徽省价格监督检查条例》政策解读新闻发布会，参加长三角地区知识产权发展与保护状况新闻发布会，组织召开各类新闻发布活动7次。计划12月底组织《安徽省食品小作坊整治提升行动实施方案（2020-2022年）》政策解读发布会。创新解读方式方法，通过在中国质量报、安徽日报、中安在线等主流媒体上开设宣传专栏、发表文章、接受访谈等多种方式进行政策解读，在网站公开各类政策解读信息62条。制作《12315您身边的“掌”护卫》视频解读我局五线整合。",
    ),
    (1, false, "依法推进决策和执行公开", ""),
    (
        2,
        true,
        "进一步推进重大决策预公开。",
        "《办法》明确要求我局制定的涉及企业经营发展和专业领域的重要政策文件（涉密文件除外）向社会公开征求意见。我局在制定文件过程中，通过公开征求意见、组织召开座谈会、专家评审、调研等多种方式，广泛听取意见。在制定涉及电商企业、线下实体店无理由退货、特殊食品销售监管等政策时专门组织召开了涉企意见征集座谈会向利益相关方、企业征求意见。先后到合肥、安庆等地主动登门为部分企业提供咨询服务，为宣城郎溪县柏维力等企业解决了积压两年多的部分品种备案和延续注册问题。深入推进“四送一服”双千工程有关工作，选派业务骨干参加省“四送一服”双千工程集中月、“三比一增”、现场推进周活动。高质量办理省政府“四送一服”综合服务平台交办的事项，已办结平台留言71件。",
    ),
    (
        2,
        true,
        "加强督查和审计发现问题整改落实公开。",
        "围绕国务院第六次大督查指出涉及省局存在的问题，制定了整改方案，明确了整改措施、整改时限、责任单位等。要求我局于2019年底前完成整改事项，已于11月22日完成整改。2018年度重点事项审计指出我局存在的问题，已全部完成整改。",
    ),
    (
        2,
        true,
        "强化行政执法信息公开。",
        "依托省局网站和省政务服务网，集中公开了省局权责清单、公共服务清单和中介服务清单，明确了执法依据、执法程序、监督途径等。依托国家企业信用信息公示系统（安徽）和安徽省事中事后监管平台，实现行政许可、行政处罚、行政监管、行政确认等执法信息的双公示。将原省工商局等六个部门划入的203项权力事项调整为177项，已报省委编办待批。",
    ),
    (1, false, "深化重点领域信息公开", ""),
    (
        2,
        true,
        "有力推进精准脱贫。",
        "针对省局对口帮扶阜阳市颍州区、潜山市和阜南县5个联系点的实际，成立了省局脱贫攻坚工作领导小组及工作机构，制定了年度脱贫工作计划，组织185名处以上干部开展“一对一”结对帮扶工作，全年拨付扶贫款164万元。省局领导14次到帮扶联系点走访调研；组织开展消费扶贫活动，助推贫困户农产品销售；发挥职能优势，加大贫困地区农产品原产地保护力度，开辟地理标志农产品认证或登记，支持贫困地区开展农业标准化示范试点工作，对扶贫联系点扶贫车间、电商企业进行业务指导。省局扶贫干部黄军同志获省直单位脱贫攻坚先进个人。",
    ),
    (2, false, "全面推进“放管服”改革信息公开", ""),
    (
        3,
        true,
        "纵深推进“双随机、一公开”监管。",
        "一是加强顶层设计。出台《安徽省人民政府关于在市场监管领域全面推行部门联合“双随机、一公开”监管的实施意见》《安徽省涉企信息归集应用实施办法（试行）》《安徽省企业信用分类监管暂行办法》《安徽省严重失信企业联合惩戒暂行办法》《推进重点领域部门随机联查工作实施方案》等文件，制定随机抽查工作指引，形成了一套符合我省实际的“双随机、一公开”制度体系。依托国家企业信用信息公示系统开发建设了安徽省事中事后综合监管平台，形成覆盖省、市、县三级的扁平化监管网络。二是大力推进部门联合“双随机、一公开”监管。省级层面统筹制定随机抽查事项清单，涵盖28个部门411项随机抽查事项；省、市、县三级全面建成“两库”，分别纳入144万户企业和8.5万名监管人员。以市场监管、交通运输、生态环境保护、文化市场、农业等5个领域为重点，推动部门随机联查常态化。三是着力构建信用监管体系。推进涉企信息统一归集共享，编制省级涉企信息归集资源目录及数据规范，共归集全省各类涉企信息3200万条。有效实施信用分类监管和失信联合惩戒，在事中事后采取差异化监管措施。严格依法实施信用约束，累计分别将38.9万户次和5.1万户次企业列入经营异常名录和严重违法失信企业名单，在准入环节累计拦截失信被执行人任职资格申请达9642次。",
    ),
    (
        3,
        true,
        "大力实施企业开办、企业注销提升行动。",
        "建立企业开办、企业注销长效运行机制。牵头会同相关部门印发《关于加快推进全省企业开办“六个一”体系建设的意见》《关于推进企业注销便利化工作的通知》，建立企业开办“一窗受理、一网通办、一次采集、一套材料、一档管理、一日办结”和企业注销“一网”服务长效运行机制。16个市级政务服务中心和61个县（市、区）级政务服务中心按照一个窗口建立了“一窗受理、后台分办、统一出件”的集中办理模式。建成互联网企业开办“一站式”服务平台，实现了企业开办事项“一网通办、全程网办”。全省在巩固已将企业开办时间压缩至3个工作日以内改革成果的基础上，着力推进企业开办“一日办结”。全面实现企业注销“一网”服务。8月30日，全省企业注销“一网通办”服务平台正式上线；截至11月底，全省通过企业注销“一网”服务平台办理业务1350件。",
    ),
    (
        3,
        true,
        "全面推开“证照分离”改革。",
        "2018年11月10日我省全面推开“证照分离”改革，省级23个部门对照第一批106项“证照分离”改革事项逐一制定优化审批和强化监管具体措施。动态调整《工商登记后置审批事项目录（2019年本）》，目录送审稿调整事项目录从2017年的183项，初步拟压减至137项，在长三角地区最少，目前已上报省政府待批。认真贯彻执行《市场准入负面清单（2018年版）》，全面梳理了省、市、县三级市场监管部门行政审批事项，对注册登记、工业产品、食品、特种设备、计量、认证认可等22个大项243个小项，逐一编写提交材料规范、办事服务指南和工作流程图。",
    ),
    (
        3,
        true,
        "推进食品生产许可制度改革。",
        "按照便民利企、权责对等的原则，稳步推进食品经营许可制度改革，6月1日起，将乳制品、酒类（白酒、食用酒精）、特殊膳食食品（婴幼儿谷类辅助食品、婴幼儿罐装辅助食品、其他特殊膳食食品）、食品添加剂的生产许可管理权限下放至各设区市及省直管县市场监督管理局，并及时做好对改革政策的宣传解读，加强对市、县两级的培训指导，确保下放的审批事项在基层稳步有序、高质量实施。",
    ),
    (
        3,
        true,
        "大力促进民营经济发展。",
        "深入贯彻落实习近平总书记在民营企业座谈会上的重要讲话精神，以及安徽省委、省政府《关于大力促进民营经济发展的若干意见》精神，我局印发《关于大力促进民营经济发展的实施意见》，释放了30条政策红利。深化推进“小个专”党建工作，开展“小个专”党建工作示范街（区）创建活动。继续加强小微企业名录建设，做好小微企业扶持政策集中公示、享受扶持信息公示等工作。",
    ),
    (
        2,
        true,
        "规范项目资金公开。",
        "切实规范和加强食品药品监管补助资金管理，提高资金使用效益，推进我省食品药品安全监管城乡一体化建设项目实施，规范和加强食品药品安全监管城乡一体化建设项目资金管理，提高资金使用效益，加强财政专项资金的使用管理与监督。依法依规做好招投标公告及中标公告的公开工作。新增公开2019年食品安全监管城乡一体化建设经费、省级专业商标品牌基地奖励经费等多个项目公开。",
    ),
    (1, false, "政务公开平台建设", ""),
    (
        0,
        false,
        "",
        "省局领导高度重视网站建设，省市场监管局组建后，分管局领导3次组织召开网站建设会议，4月中旬完成网站改版并上线运行。上线运行前，组织对各处室网站维护人员进行操作培训。根据三定《规定》，梳理出15项重点领域信息公开项目。逐月向省政府公报报送规范性文件，截至目前共报送10件，被省政府公报选登4件。8月20日，省市场监管局对外正式公布，将全省原工商12315、原质监12365、原食药监12331、原物价12358、原知识产权12330五条市场监管热线统一整合为12315，以12315一个号码对外提供市场监管投诉举报服务。",
    ),
    (1, false, "监督保障和标准化规范化", ""),
    (
        0,
        false,
        "",
        "《办法》明确，办公室负责政府信息公开的推进、指导、协调、监督等工作，各处室确定专门人员具体负责本处室职责范围内政府信息公开的发布，更新等工作。制定《舆情监测和应对处置管理办法（试行）》《信息发布管理办法》《依申请公开管理办法》《信息公开保密审查办法》等文件，理顺工作机制，规范信息公开工作。省局局长办公会多次听取政务公开制度建设、五线整合、“双随机、一公开”监管、“放管服”改革、价格监管等专题汇报，研究政务公开工作。组织召开新修订的《中华人民共和国政府信息公开条例》（以下简称新《条例》）宣贯会议，对新《条例》修订的背景、修订主要亮点、《条例》的主要内容等三个方面进行详细解读。结合机构职能调整和政府信息主动公开目录基本规范要求，完成政务公开改版升级工作，梳理更新省局信息公开指南和信息公开目录。及时转发市场监管总局办公厅关于印发《食品药品监管领域基层政务公开标准指引》的通知，将指引中要求基层公开指标列入省政府对市政府食品安全考核指标，推进基层食品监管领域政务公开标准化建设。立足本单位实际，向省政务公开办报送工作交流4篇。",
    ),
];
