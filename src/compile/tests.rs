//! Compiler tests on the demo data: golden documents, seed sentences, provenance, errors.

use chrono::NaiveDate;

use super::*;
use crate::demo::data::year_data;
use crate::document::{Block, Figure, Run};
use crate::model::{Narrative, StoredValue};

fn options() -> CompileOptions {
    CompileOptions {
        date: NaiveDate::from_ymd_opt(2019, 12, 24),
    }
}

fn builtin(id: &str, data: &YearData) -> Compiled {
    compile(&Template::builtin(id).unwrap(), data, &options()).unwrap()
}

fn source(text: &str, data: &YearData) -> Result<Compiled, CompileError> {
    compile(&Template::from_source("test.jinja", text), data, &options())
}

/// The first figure whose text is `text`.
fn figure<'a>(c: &'a Compiled, text: &str) -> &'a Figure {
    c.document
        .figures()
        .find(|f| f.text == text)
        .unwrap_or_else(|| panic!("no figure {text}"))
}

fn without(data: &mut YearData, year: i32, metric: &str, month: u8, blank: bool) {
    let mut values: Vec<StoredValue> = data.all_values().map(|v| v.to_stored()).collect();
    let i = values
        .iter()
        .position(|v| v.year == year && *v.metric == *metric && v.month == month)
        .unwrap();
    if blank {
        values[i].value = None;
    } else {
        values.remove(i);
    }
    data.set_values(values);
}

/// Pretty JSON with every object or array of plain values on one line (a stored value,
/// a month range), so the golden files stay readable.
fn golden_json(doc: &crate::document::Document) -> String {
    fn write(v: &serde_json::Value, indent: usize, out: &mut String) {
        use serde_json::Value as V;
        let flat = |v: &V| !matches!(v, V::Array(_) | V::Object(_));
        match v {
            V::Array(items) if !items.iter().all(flat) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&" ".repeat(indent + 2));
                    write(item, indent + 2, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&" ".repeat(indent));
                out.push(']');
            }
            V::Object(map) if !map.values().all(flat) => {
                out.push_str("{\n");
                for (i, (k, item)) in map.iter().enumerate() {
                    out.push_str(&format!(
                        "{}{}: ",
                        " ".repeat(indent + 2),
                        V::from(k.as_str())
                    ));
                    write(item, indent + 2, out);
                    out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
                }
                out.push_str(&" ".repeat(indent));
                out.push('}');
            }
            _ => out.push_str(&v.to_string()),
        }
    }
    let mut out = String::new();
    write(&serde_json::to_value(doc).unwrap(), 0, &mut out);
    out
}

#[test]
fn golden_work_summary() {
    let c = builtin("work-summary", &year_data(2019));
    assert_eq!(c.warnings, []);
    insta::assert_snapshot!("work_summary_document", golden_json(&c.document));
    insta::assert_snapshot!("work_summary_text", c.document.plain_text());
}

#[test]
fn golden_annual_report() {
    let c = builtin("annual-report", &year_data(2019));
    assert_eq!(c.warnings, []);
    insta::assert_snapshot!("annual_report_document", golden_json(&c.document));
    insta::assert_snapshot!("annual_report_text", c.document.plain_text());
}

#[test]
fn work_summary_reads_like_the_seed() {
    let text = builtin("work-summary", &year_data(2019))
        .document
        .plain_text();
    for sentence in [
        "2019年省市场监管局政务公开工作总结\n",
        "截至12月中旬，省局门户网站发布各类原创新闻信息1725条，组织召开各类新闻发布活动7次。",
        "发布微博信息548条，推送微信137期。",
        "主动公开信息4387条，及时答复依申请公开83件，无因依申请公开答复不满意而产生行政复议、行政诉讼案件发生。",
        "\n一、提升政策解读质量主动回应社会关切\n",
        "\n（一）围绕稳定市场预期加强政策解读。《办法》明确要求，",
        "整合宣传654次、电梯安全宣传周宣传157次、有机产品认证宣传周宣传36次、服务认证体验周14次、“质量开放日”121次",
        "宣传教育266次，极大地提升了全社会的质量意识。",
        "编发新闻通稿61篇，在省级以上新闻媒体刊发新闻报道稿件738余篇（条）。",
        "答复局长信箱网友咨询事项137件；答复安徽省党委系统网友留言办理工作综合应用平台留言13件；答复省级统一政府热线服务平台信件15件。",
        "\n1.加强食品安全信息公开力度。按月更新",
        "截至目前更新48期，总计13618批次，涉及不合格食品255批次，总体合格率为98.1%。",
        "全省共组织开展相关宣传活动2512次，召开新闻发布会、媒体通气会176次，广播电视、报纸等媒体报道17023次",
        "各类违法案件（问题）4025件，罚没款2354.48万余元，取缔“黑工厂”“黑作坊”“黑窝点”等无证生产经营单位418家，集中销毁各类违法食品117.8吨",
        "据不完全统计2019年为企业降费金额1530多万元；",
        "督促商业银行清退违规收费800多万元。",
        "已办结平台留言71件。",
        "在网站公开各类政策解读信息62条。",
        "全年拨付扶贫款164万元。省局领导14次到帮扶联系点走访调研；",
        "在准入环节累计拦截失信被执行人任职资格申请达9642次。",
        "\n（二）全面推进“放管服”改革信息公开\n1.纵深推进“双随机、一公开”监管。一是",
        "截至11月底，全省通过企业注销“一网”服务平台办理业务1350件。",
        "分管局领导3次组织召开网站建设会议",
        "截至目前共报送10件，被省政府公报选登4件。",
        "\n四、政务公开平台建设\n省局领导高度重视",
        "向省政务公开办报送工作交流4篇。\n安徽省市场监督管理局\n2019年12月24日\n",
    ] {
        assert!(text.contains(sentence), "missing: {sentence}");
    }
    // The seed's ASCII punctuation is normalised, its stray spaces cleaned.
    for ascii in [",", "(", ")", ";", " "] {
        assert!(!text.contains(ascii), "ASCII {ascii:?} left in the text");
    }
}

#[test]
fn figures_carry_provenance() {
    let c = builtin("work-summary", &year_data(2019));
    let news = figure(&c, "1725");
    let p = &news.provenance;
    assert_eq!(p.metric_code, "news.original");
    assert_eq!(p.metric_name, "门户网站原创新闻信息");
    assert_eq!((p.year, p.months), (2019, (1, 12)));
    assert_eq!(p.divisions, ["news"]);
    assert_eq!(p.values.len(), 12);
    assert!(p.values.iter().all(|v| v.division == "news"));
    let sum: rust_decimal::Decimal = p
        .values
        .iter()
        .map(|v| v.value.parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(sum, rust_decimal::Decimal::from(1725));
    assert_eq!(p.rule, "sum");

    let dereg = figure(&c, "1350");
    assert_eq!(dereg.provenance.months, (1, 11));
    assert_eq!(dereg.provenance.values.len(), 11);
    assert_eq!(dereg.provenance.values.last().unwrap().month, 11);

    let rate = figure(&c, "98.1");
    assert_eq!(rate.provenance.metric_code, "food.sampling.pass_rate");
    assert!(rate.provenance.rule.starts_with("formula: "));
    let inputs: Vec<&str> = rate
        .provenance
        .inputs
        .iter()
        .map(|p| p.metric_code.as_str())
        .collect();
    assert_eq!(
        inputs,
        ["food.sampling.unqualified", "food.sampling.batches"]
    );

    let fines = figure(&c, "2354.48");
    assert_eq!(fines.provenance.unit, "万元");

    let requests = figure(&c, "83");
    assert_eq!(requests.provenance.metric_code, "t3.results_total.total");
    assert_eq!(requests.provenance.months, (12, 12));
    assert_eq!(requests.provenance.values.len(), 1);
    assert_eq!(requests.provenance.values[0].month, 0);
    assert_eq!(requests.provenance.divisions, ["office"]);

    // Year-on-year phrases keep both years as inputs.
    let annual = builtin("annual-report", &year_data(2019));
    let yoy = annual
        .document
        .figures()
        .find(|f| f.text.starts_with("同比") && f.provenance.metric_code == "news.original")
        .unwrap();
    let years: Vec<i32> = yoy.provenance.inputs.iter().map(|p| p.year).collect();
    assert_eq!(years, [2019, 2018]);
}

#[test]
fn annual_report_has_six_sections_and_three_tables() {
    let c = builtin("annual-report", &year_data(2019));
    let doc = &c.document;
    assert_eq!(
        doc.title,
        "安徽省市场监督管理局2019年政府信息公开工作年度报告"
    );
    let level1: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) if h.level == 1 => Some(h.text()),
            _ => None,
        })
        .collect();
    assert_eq!(
        level1,
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ]
    );
    let tables: Vec<&crate::document::Table> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    // Table 2 as four small tables, then tables 3 and 4.
    assert_eq!(tables.len(), 6);
    assert_eq!(
        tables[0].grid_text()[0][0].as_deref(),
        Some("第二十条第（一）项")
    );
    assert_eq!(tables[3].grid_text()[2][1].as_deref(), Some("1730.256108"));
    let t3 = tables[4];
    assert_eq!((t3.columns, t3.header_rows, t3.rows.len()), (10, 3, 28));
    let vertical = t3.rows[5].cells.iter().find(|c| c.vertical).unwrap();
    assert_eq!(
        (vertical.text().as_str(), vertical.row_span),
        ("三、本年度办理结果", 22)
    );
    let deny = t3.rows[7].cells.iter().find(|c| c.col == 1).unwrap();
    assert_eq!((deny.text().as_str(), deny.row_span), ("（三）不予公开", 8));
    let grid = t3.grid_text();
    assert_eq!(grid[3][9].as_deref(), Some("82")); // 本年新收 总计
    assert_eq!(grid[26][9].as_deref(), Some("83")); // （七）总计
    assert_eq!(grid[26][1].as_deref(), Some("（七）总计"));
    let t4 = tables[5];
    assert_eq!((t4.columns, t4.header_rows, t4.rows.len()), (15, 3, 4));
    assert_eq!(t4.rows[3].cells.len(), 15);
    // Each value cell is a figure with its metric.
    let Run::Figure(f) = &t3.rows[3].cells[1].runs[0] else {
        panic!("not a figure")
    };
    assert_eq!(f.provenance.metric_code, "t3.new.natural");
    let text = doc.plain_text();
    assert!(text.contains("全年主动公开政府信息4387条，同比"), "{text}");
    assert!(
        text.contains("全年新收政府信息公开申请82件，同比增长"),
        "{text}"
    );
}

#[test]
fn unknown_metric_fails_with_file_line_and_column() {
    let err = source(
        "title: 测试\n\n正文第一行。\n数字{{ figure(\"news.nope\") }}条。\n",
        &year_data(2019),
    )
    .unwrap_err();
    match &err {
        CompileError::Template {
            file,
            line,
            column,
            kind,
            message,
        } => {
            assert_eq!(file, "test.jinja");
            assert_eq!((*line, *column), (4, 6));
            assert_eq!(*kind, TemplateErrorKind::UnknownMetric);
            assert!(message.contains("news.nope"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    assert!(err.to_string().starts_with("test.jinja:4:6: "), "{err}");
}

#[test]
fn syntax_type_and_argument_errors_have_locations() {
    let data = year_data(2019);
    let at = |text: &str| match source(text, &data).unwrap_err() {
        CompileError::Template {
            line, column, kind, ..
        } => (line, column, kind),
        e => panic!("{e:?}"),
    };
    assert_eq!(at("a\n{% if year %}\nb\n").2, TemplateErrorKind::Syntax);
    assert_eq!(
        at("a\n  {{ nope }}\n"),
        (2, 6, TemplateErrorKind::Undefined)
    );
    assert_eq!(
        at("a\n{{ year + \"x\" }}\n"),
        (2, 4, TemplateErrorKind::Type)
    );
    assert_eq!(
        at("{{ figure(\"news.original\", upto=13) }}").2,
        TemplateErrorKind::BadArgument
    );
    assert_eq!(
        at("\n{{ figure(\"news.original\", division=\"nobody\") }}").2,
        TemplateErrorKind::UnknownDivision
    );
    assert_eq!(at("{{ table(\"t9\") }}").2, TemplateErrorKind::UnknownTable);
    assert_eq!(
        at("{{ figure(\"news.original\", colour=1) }}").2,
        TemplateErrorKind::Type
    );
}

#[test]
fn missing_values_show_a_marker_and_a_warning() {
    let mut data = year_data(2019);
    without(&mut data, 2019, "news.original", 3, false);
    without(&mut data, 2019, "news.original", 5, true);
    let c = source(
        "原创新闻{{ figure(\"news.original\") }}条，{{ yoy(\"news.original\") }}。",
        &data,
    )
    .unwrap();
    let text = c.document.plain_text();
    assert!(
        text.contains("原创新闻【缺数：门户网站原创新闻信息 3月、5月】条，【缺数：门户网站原创新闻信息 3月、5月】。"),
        "{text}"
    );
    let f = c.document.figures().next().unwrap();
    assert!(f.missing);
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    let w = &c.warnings[0];
    assert_eq!(w.code, "compile.missing");
    assert_eq!(w.months, [3, 5]);
    assert_eq!(w.division.as_deref(), Some("news"));
    // Months before the gap are still there.
    let c = source("{{ figure(\"news.original\", upto=2) }}", &data).unwrap();
    assert!(c.warnings.is_empty());
    assert!(!c.document.figures().next().unwrap().missing);
    // A formula with a missing input is missing too, naming the input.
    let mut data = year_data(2019);
    without(&mut data, 2019, "food.sampling.batches", 7, false);
    let c = source("{{ figure(\"food.sampling.pass_rate\") }}", &data).unwrap();
    assert_eq!(c.document.plain_text(), "\n【缺数：食品抽检批次 7月】\n");
}

#[test]
fn blank_national_cells_stay_blank_in_tables_with_a_warning() {
    let mut data = year_data(2019);
    without(&mut data, 2019, "t3.deny.law.natural", 0, true);
    let c = source("{{ table(\"t3\") }}", &data).unwrap();
    let Block::Table(t) = &c.document.blocks[0] else {
        panic!()
    };
    assert_eq!(t.grid_text()[8][3].as_deref(), Some(""));
    assert_eq!(c.warnings.len(), 1);
    assert_eq!(c.warnings[0].code, "compile.blank_cells");
    assert!(c.warnings[0].message.contains("t3.deny.law.natural"));
}

#[test]
fn selections_conditions_and_loops() {
    let data = year_data(2019);
    let c = source(
        concat!(
            "{{ figure(\"registration.deregistration\", upto=11) }}|",
            "{{ figure(\"registration.deregistration\") }}|",
            "{{ figure(\"quality.promo.open_day\", month=9) }}|",
            "{{ figure(\"quality.promo.open_day\", months=[1, 8]) }}|",
            "{{ figure(\"news.original\", division=\"news\") }}|",
            "{{ figure(\"food.fines\", places=0, rounding=\"down\") }}|",
            "{{ figure(\"poverty.funds\") }}/{{ figure(\"poverty.funds\", trim=true) }}|",
            "{% if value(\"t4.review.total\") %}有复议{% else %}无复议{% endif %}|",
            "{% for m in metrics(prefix=\"gazette.\") %}{{ m.name }}{{ figure(m.code) }}{{ m.unit }}；{% endfor %}|",
            "{% for d in divisions() %}{% if loop.index <= 2 %}{{ d.name }}{% endif %}{% endfor %}\n",
        ),
        &data,
    )
    .unwrap();
    assert_eq!(
        c.document.plain_text(),
        "\n1350|1514|121|0|1725|2354|164.00/164|无复议|向省政府公报报送规范性文件10件；规范性文件被省政府公报选登4件；|办公室新闻宣传处\n"
    );
    let prev = source("{{ figure(\"news.original\", prev=true) }}", &data).unwrap();
    let f = prev.document.figures().next().unwrap();
    assert_eq!(f.provenance.year, 2018);
    assert_ne!(f.text, "1725");
}

#[test]
fn narratives_render_their_divisions_figures() {
    let mut data = year_data(2019);
    data.narratives.push(Narrative {
        year: 2019,
        quarter: 0,
        division: "news".into(),
        text: "全年发布原创新闻{{ figure(\"news.original\") }}条，推送微信{{ figure(\"news.wechat\") }}期。\n# 不是标题".into(),
    });
    let c = builtin("annual-report", &data);
    let text = c.document.plain_text();
    assert!(
        text.contains(
            "（六）处室工作亮点\n新闻宣传处：全年发布原创新闻1725条，推送微信137期。# 不是标题\n"
        ),
        "{text}"
    );
    let f = c
        .document
        .figures()
        .find(|f| f.text == "137" && f.provenance.metric_code == "news.wechat")
        .unwrap();
    assert_eq!(f.provenance.divisions, ["news"]);

    // An error inside a narrative names the narrative.
    data.narratives[0].text = "第一行\n{{ figure(\"nope\") }}".into();
    let err = compile(
        &Template::builtin("annual-report").unwrap(),
        &data,
        &options(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("narrative:news:2019:2:"), "{err}");
}

#[test]
fn templates_are_found_in_the_users_directory_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("work-summary.jinja"),
        "title: 自定义\n\n{% include \"part.jinja\" %}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("part.jinja"),
        "共{{ figure(\"news.wechat\") }}期",
    )
    .unwrap();
    let t = Template::load("work-summary", Some(dir.path())).unwrap();
    assert!(t.file.ends_with("work-summary.jinja"));
    let c = compile(&t, &year_data(2019), &options()).unwrap();
    assert_eq!(c.document.plain_text(), "自定义\n共137期\n");
    // Without the file, the built-in one.
    let t = Template::load("annual-report", Some(dir.path())).unwrap();
    assert_eq!(t.file, "templates/annual-report.jinja");
    assert!(matches!(
        Template::load("nope", None),
        Err(CompileError::NotFound(_))
    ));
    assert_eq!(
        format_date(NaiveDate::from_ymd_opt(2020, 1, 5).unwrap()),
        "2020年1月5日"
    );
}

/// Eleven of twelve months of one metric, built by hand (no store, no demo).
fn march_missing() -> YearData {
    let months: Vec<(u8, i64)> = (1..=12).filter(|m| *m != 3).map(|m| (m, 10)).collect();
    crate::model::year_data_fixture::one_metric(2019, "news.original", "原创新闻", &months)
}

#[test]
fn a_hand_built_year_compiles_and_a_missing_month_shows_as_missing() {
    let full: Vec<(u8, i64)> = (1..=12).map(|m| (m, 10)).collect();
    let data =
        crate::model::year_data_fixture::one_metric(2019, "news.original", "原创新闻", &full);
    let c = source("全年发布{{ figure(\"news.original\") }}条。\n", &data).unwrap();
    assert_eq!(c.document.plain_text().trim(), "全年发布120条。");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(figure(&c, "120").provenance.months, (1, 12));

    let c = source(
        "全年发布{{ figure(\"news.original\") }}条。\n",
        &march_missing(),
    )
    .unwrap();
    assert_eq!(
        c.document.plain_text().trim(),
        "全年发布【缺数：原创新闻 3月】条。"
    );
    let w = &c.warnings[0];
    assert_eq!(
        (w.code.as_str(), w.months.as_slice()),
        ("compile.missing", &[3u8][..])
    );
}

/// A figure's values are listed in the divisions' display order (a city's agencies in
/// the city's order), not by code.
#[test]
fn provenance_lists_the_divisions_in_display_order() {
    let full: Vec<(u8, i64)> = (1..=2).map(|m| (m, 10)).collect();
    let mut data =
        crate::model::year_data_fixture::one_metric(2019, "news.original", "原创新闻", &full);
    data.divisions.insert(
        0,
        crate::model::Division {
            code: "zz".into(),
            name: "综合处".into(),
            sort_order: 0,
        },
    );
    data.metrics[0].owners.insert(0, "zz".into());
    for month in 1..=2 {
        data.put_value(StoredValue {
            year: 2019,
            month,
            division: "zz".into(),
            metric: "news.original".into(),
            value: Some(5.into()),
            note: String::new(),
            updated_by: "t".into(),
            updated_at: "".into(),
        });
    }
    let c = source("{{ figure(\"news.original\", months=[1, 2]) }}\n", &data).unwrap();
    let listed: Vec<(u8, &str)> = figure(&c, "30")
        .provenance
        .values
        .iter()
        .map(|v| (v.month, v.division.as_str()))
        .collect();
    assert_eq!(listed, [(1, "zz"), (1, "news"), (2, "zz"), (2, "news")]);
}
