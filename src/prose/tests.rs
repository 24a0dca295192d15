//! Tests of the prose checks: texts written for the test, the demo's compiled reports
//! (plain, with their figures linked, and hard-wrapped like text copied out of a PDF),
//! and the seed report.

use super::*;
use crate::compile::{CompileOptions, Template, compile};
use crate::model::national::national_metrics;
use crate::model::{Division, OFFICE, StoredValue};

fn demo() -> YearData {
    crate::demo::data::year_data(2019)
}

fn check(text: &str, data: &YearData) -> ProseReport {
    check_prose(text, data, &ProseOptions::default())
}

fn kinds(r: &ProseReport) -> Vec<ProseKind> {
    r.flags.iter().map(|f| f.kind).collect()
}

/// The demo's figure of `code` for `year`, as the data has it.
fn figure(data: &YearData, code: &str, year: i32) -> Decimal {
    Figures::new(data)
        .value(code, year, (1, 12), None)
        .unwrap_or_else(|| panic!("{code} {year}"))
}

/// A file with only the national catalogue and the given yearly values for 2019 and 2018.
fn national(values: &[(&str, i64, i64)]) -> YearData {
    let office = Division {
        code: OFFICE.into(),
        name: "办公室".into(),
        sort_order: 1,
    };
    let mut data = YearData::new(
        "某局".into(),
        2019,
        vec![office],
        national_metrics(),
        national_metrics(),
    );
    let mut stored = Vec::new();
    for (code, this, last) in values {
        for (year, v) in [(2019, this), (2018, last)] {
            stored.push(StoredValue {
                year,
                month: 0,
                division: OFFICE.into(),
                metric: (*code).into(),
                value: Some(Decimal::from(*v)),
                note: String::new(),
                updated_by: "test".into(),
                updated_at: "".into(),
            });
        }
    }
    data.set_values(stored);
    data
}

#[test]
fn a_narrative_that_contradicts_table_3_shows_both_numbers() {
    let data = national(&[("t3.new.total", 95, 80)]);
    let text = "2019年，本机关共受理政府信息公开申请17件，均已按期答复。";
    let r = check(text, &data);
    assert_eq!(kinds(&r), [ProseKind::Contradiction]);
    let f = &r.flags[0];
    let number = f.number.as_ref().unwrap();
    assert_eq!(&text[number.range.clone()], "17");
    assert_eq!(number.value, Decimal::from(17));
    let fig = f.figure.as_ref().unwrap();
    assert_eq!(
        (fig.metric.as_str(), fig.value),
        ("t3.new.total", Decimal::from(95))
    );
    assert!(
        f.message.contains("17件") && f.message.contains("95件"),
        "{}",
        f.message
    );
    assert_eq!(&text[f.sentence.clone()], text);
    // The same sentence with the right number is "typed, not linked".
    let r = check(&text.replace("17", "95"), &data);
    assert_eq!(kinds(&r), [ProseKind::TypedNotLinked]);
    assert_eq!(r.flags[0].figure.as_ref().unwrap().metric, "t3.new.total");
    // Phrasings of the same figure.
    for phrase in [
        "全年收到各类政府信息公开申请17件。",
        "本年新收政府信息公开申请 17 件。",
        "全年受理依申请公开17件。",
    ] {
        assert_eq!(
            kinds(&check(phrase, &data)),
            [ProseKind::Contradiction],
            "{phrase}"
        );
    }
}

#[test]
fn last_years_figure_is_flagged_as_copied() {
    let data = demo();
    let (this, last) = (
        figure(&data, "t3.new.total", 2019),
        figure(&data, "t3.new.total", 2018),
    );
    assert_ne!(this, last);
    let text = format!("全年新收政府信息公开申请{last}件。");
    let r = check(&text, &data);
    assert_eq!(kinds(&r), [ProseKind::CopiedFromLastYear]);
    let f = &r.flags[0];
    assert_eq!(f.figure.as_ref().unwrap().value, this);
    assert_eq!(f.last_year.as_ref().unwrap().value, last);
    assert_eq!(f.last_year.as_ref().unwrap().year, 2018);
    // Said of last year, it is last year's figure, typed: link it to last year's.
    let text = format!("2018年，全年新收政府信息公开申请{last}件。");
    let r = check(&text, &data);
    assert_eq!(kinds(&r), [ProseKind::TypedNotLinked]);
    assert_eq!(r.flags[0].figure.as_ref().unwrap().year, 2018);
}

#[test]
fn typed_figures_of_the_demo_are_offered_for_linking_with_their_months() {
    let data = demo();
    let proactive = figure(&data, "disclosure.proactive", 2019);
    let text = format!("全年主动公开各类政府信息{proactive}条，同比下降8.2%。");
    let r = check(&text, &data);
    assert_eq!(kinds(&r), [ProseKind::TypedNotLinked]);
    let f = &r.flags[0];
    let fig = f.figure.as_ref().unwrap();
    assert_eq!(
        (fig.metric.as_str(), fig.months),
        ("disclosure.proactive", (1, 12))
    );
    assert_eq!(
        &text[f.number.as_ref().unwrap().range.clone()],
        proactive.to_string()
    );
    // A figure to November, said so.
    let to_nov = Figures::new(&data)
        .value("registration.deregistration", 2019, (1, 11), None)
        .unwrap();
    let year = figure(&data, "registration.deregistration", 2019);
    assert_ne!(to_nov, year);
    let text = format!("截至11月底，全省通过企业注销“一网”服务平台办理业务{to_nov}件。");
    let r = check(&text, &data);
    assert_eq!(kinds(&r), [ProseKind::TypedNotLinked]);
    assert_eq!(r.flags[0].figure.as_ref().unwrap().months, (1, 11));
    // The same number said of the whole year contradicts the data.
    let text = format!("全年企业注销“一网”服务平台办理业务{to_nov}件。");
    assert_eq!(kinds(&check(&text, &data)), [ProseKind::Contradiction]);
    // A ratio at the precision typed; an amount typed approximately.
    let r = check("总体合格率为98.1%。罚没款2354.48万余元。", &data);
    assert_eq!(
        kinds(&r),
        [ProseKind::TypedNotLinked, ProseKind::TypedNotLinked]
    );
}

#[test]
fn dates_ordinals_titles_changes_and_vague_numbers_are_left_alone() {
    let data = national(&[
        ("t3.new.total", 95, 80),
        ("t2.normative.effective", 393, 380),
    ]);
    // Without the marks below, the number would contradict the data.
    let control = check("受理政府信息公开申请17件。", &data);
    assert_eq!(kinds(&control), [ProseKind::Contradiction]);
    for text in [
        "2019年1月1日起至2019年12月31日止，受理政府信息公开申请。",
        "依据第17条，受理政府信息公开申请。",
        "印发《关于受理政府信息公开申请17件的通报》。",
        "受理政府信息公开申请同比增长17件。",
        "受理政府信息公开申请比上年增加17件。",
        "受理政府信息公开申请约17件。",
        "受理政府信息公开申请17余件。",
        "受理政府信息公开申请17至20件。",
        "受理政府信息公开申请中有17件予以公开。",
        "2018年受理政府信息公开申请17件。",
        "上年受理政府信息公开申请17件。",
        "第一季度受理政府信息公开申请17件。",
        "受理政府信息公开申请17件次。",
        "（1）受理政府信息公开申请。",
        "1.受理政府信息公开申请，17个工作日内答复。",
        "受理政府信息公开申请1.7万件。",
        "受理政府信息公开申请十七件。",
        "现行有效规章和行政规范性文件17件。",
        "受理政府信息公开申请，其中17件予以公开。",
        "通过网上平台受理政府信息公开申请17件。",
    ] {
        let r = check(text, &data);
        assert!(
            r.count(ProseKind::Contradiction) == 0 && r.count(ProseKind::CopiedFromLastYear) == 0,
            "{text}: {:?}",
            r.flags
        );
    }
    // And a plain one is caught, in any width of digits.
    let r = check("现行有效的行政规范性文件３９０件。", &data);
    assert_eq!(kinds(&r), [ProseKind::Contradiction]);
}

#[test]
fn two_metrics_named_together_are_not_a_contradiction() {
    let data = demo();
    let party = figure(&data, "messages.party_platform", 2019);
    // 网友留言 (13) and 平台留言 (71) in one clause.
    let text = "答复安徽省党委系统网友留言办理工作综合应用平台留言";
    let r = check(&format!("{text}{party}件。"), &data);
    assert_eq!(kinds(&r), [ProseKind::TypedNotLinked]);
    assert_eq!(
        r.flags[0].figure.as_ref().unwrap().metric,
        "messages.party_platform"
    );
    let r = check(&format!("{text}{}件。", party + Decimal::ONE), &data);
    assert!(r.flags.is_empty(), "{:?}", r.flags);
}

#[test]
fn sentences_identical_to_last_years_are_marked() {
    let data = demo();
    let previous = "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）编制。\n无。\n2018年，我局认真贯彻落实《条例》。";
    // Same sentence with other punctuation widths, spaces and a line break; a short
    // sentence that repeats; one that changed.
    let text = "本报告根据《中华人民共和国政府信息公开条例》(以下简称《条例》)\n编 制。\n无。\n2019年，我局认真贯彻落实《条例》。";
    let r = check_prose(
        text,
        &data,
        &ProseOptions {
            previous: Some(previous),
            linked: &[],
        },
    );
    assert!(r.compared_with_last_year);
    assert_eq!(kinds(&r), [ProseKind::SameAsLastYear]);
    assert_eq!(r.flags[0].line, 1);
    assert!(text[r.flags[0].sentence.clone()].ends_with("编 制。"));
    assert!(!check(text, &data).compared_with_last_year);
    assert!(check(text, &data).flags.is_empty());
}

#[test]
fn linked_figures_are_not_typed_numbers() {
    let data = national(&[("t3.new.total", 95, 80)]);
    let text = "受理政府信息公开申请17件。";
    let at = text.find("17").unwrap();
    let linked: Vec<Range<usize>> = std::iter::once(at..at + 2).collect();
    let r = check_prose(
        text,
        &data,
        &ProseOptions {
            previous: None,
            linked: &linked,
        },
    );
    assert!(r.flags.is_empty());
    assert_eq!(r.typed_numbers, 0);
}

/// The demo's compiled reports for `year`, with their figure ranges.
fn compiled(year: i32) -> Vec<(String, Document)> {
    let data = crate::demo::data::year_data(year);
    ["work-summary", "annual-report"]
        .iter()
        .map(|id| {
            let t = Template::builtin(id).unwrap();
            let c = compile(&t, &data, &CompileOptions::default()).unwrap();
            (id.to_string(), c.document)
        })
        .collect()
}

#[test]
fn the_demos_own_reports_contradict_nothing_and_every_typed_flag_is_a_figure() {
    for year in [2019, 2018] {
        let data = crate::demo::data::year_data(year);
        for (id, doc) in compiled(year) {
            let (text, figures) = doc.plain_text_with_figures();
            for (range, f) in &figures {
                assert_eq!(&text[range.clone()], f.text);
            }
            // As plain text, every figure reads as typed by hand.
            let r = check(&text, &data);
            assert_eq!(
                r.count(ProseKind::Contradiction),
                0,
                "{id} {year}: {:?}",
                r.flags
            );
            assert_eq!(r.count(ProseKind::CopiedFromLastYear), 0, "{id} {year}");
            assert!(r.count(ProseKind::TypedNotLinked) > 0, "{id} {year}");
            for flag in &r.flags {
                let number = flag.number.as_ref().unwrap().range.clone();
                let (_, figure) = figures
                    .iter()
                    .find(|(range, _)| range.start <= number.start && number.end <= range.end)
                    .unwrap_or_else(|| panic!("{id}: {} is not a figure", flag.message));
                let suggested = flag.figure.as_ref().unwrap();
                assert_eq!(
                    suggested.metric, figure.provenance.metric_code,
                    "{}",
                    flag.message
                );
                assert_eq!(suggested.year, figure.provenance.year);
                if figure.provenance.months != (12, 12) {
                    assert_eq!(suggested.months, figure.provenance.months);
                }
            }
            // With its figures linked, nothing is typed.
            let (text, linked) = document_text(&doc);
            let r = check_prose(
                &text,
                &data,
                &ProseOptions {
                    previous: None,
                    linked: &linked,
                },
            );
            assert!(r.flags.is_empty(), "{id} {year}: {:?}", r.flags);
        }
    }
}

/// `text` as pdftotext gives a GB/T 9704 PDF: 28 columns a line (digits half), spaces
/// around numbers, a page number, a blank line and a form feed every 22 lines.
fn as_pdf_text(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.lines() {
        if paragraph.contains('\t') {
            lines.extend(paragraph.split('\t').map(str::to_string));
            continue;
        }
        let mut line = String::new();
        let mut width = 0.0;
        let chars: Vec<char> = paragraph.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            // A run of digits (and . ,) stays whole.
            let mut j = i + 1;
            if chars[i].is_ascii_digit() {
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
            }
            let piece: String = chars[i..j].iter().collect();
            let w: f32 = chars[i..j]
                .iter()
                .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                .sum();
            if width + w > 28.0 {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            if chars[i].is_ascii_digit() {
                line.push_str(&format!(" {piece} "));
            } else {
                line.push_str(&piece);
            }
            width += w;
            i = j;
        }
        lines.push(line);
    }
    let mut out = String::new();
    for (n, page) in lines.chunks(22).enumerate() {
        if n > 0 {
            out.push('\u{c}');
        }
        for line in page {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push_str(&format!("—{}—\n\n", n + 1));
    }
    out
}

#[test]
fn text_copied_out_of_a_pdf_gives_the_same_flags() {
    let data = demo();
    for (id, doc) in compiled(2019) {
        let plain = doc.plain_text();
        let pdf = as_pdf_text(&plain);
        let summary = |r: &ProseReport, text: &str| -> Vec<(ProseKind, String, String)> {
            r.flags
                .iter()
                .map(|f| {
                    let n = f.number.as_ref().unwrap();
                    (
                        f.kind,
                        f.figure.as_ref().unwrap().metric.clone(),
                        text[n.range.clone()].to_string(),
                    )
                })
                .collect()
        };
        let a = summary(&check(&plain, &data), &plain);
        let b = summary(&check(&pdf, &data), &pdf);
        assert_eq!(a, b, "{id}\n{pdf}");
    }
}

#[test]
fn the_seed_report_against_the_demo_data() {
    let seed = include_str!("../../tests/support/seed-report.txt");
    let data = demo();
    let r = check(seed, &data);
    assert_eq!(r.count(ProseKind::Contradiction), 0, "{:?}", r.flags);
    assert_eq!(r.count(ProseKind::CopiedFromLastYear), 0);
    // The seed's figures are the demo's: most of the demo's metrics are found typed.
    let found: HashSet<&str> = r
        .flags
        .iter()
        .filter_map(|f| f.figure.as_ref().map(|g| g.metric.as_str()))
        .collect();
    let monthly = crate::demo::data::METRICS.len();
    assert!(
        found.len() * 4 >= monthly * 3,
        "{} of {monthly}: {found:?}",
        found.len()
    );
}

#[test]
fn a_run_without_a_sentence_end_is_cut_and_checked() {
    let data = demo();
    // One line of 300,000 characters without 。: every number has a unit and a metric's
    // words before it, every clause a channel; before, each number rescanned its whole
    // sentence (title depth, earlier clauses, channel), so this took minutes. (How long
    // it takes is `cargo bench --bench prose`'s business; a timed assert here only fails
    // on a busy machine.)
    let text = "受理政府信息公开申请17件，通过门户网站主动公开信息2000条，".repeat(10_000);
    let r = check(&text, &data);
    assert_eq!(
        r.sentences,
        text.chars().count().div_ceil(text::MAX_SENTENCE_CHARS)
    );
    assert_eq!(r.typed_numbers, 20_000);
}
