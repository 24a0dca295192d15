use super::diff::{Piece, compare};
use super::eval::{ChipValue, Evaluator};
use super::*;
use crate::compile::{BUILTIN, CompileOptions};

fn chips(segments: &[Segment]) -> Vec<&str> {
    segments
        .iter()
        .filter_map(|s| match s {
            Segment::Chip(c) => Some(c.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn both_builtin_templates_round_trip_byte_for_byte() {
    for (id, source) in BUILTIN {
        let segments = parse(source);
        assert_eq!(serialize(&segments), source, "{id}");
        assert!(chips(&segments).len() > 20, "{id}");
        // No tag is left inside the prose.
        for s in &segments {
            if let Segment::Text(t) = s {
                assert!(!t.contains("{{") && !t.contains("{%"), "{id}: {t}");
            }
        }
    }
}

#[test]
fn tags_markers_and_line_markup_are_cut_where_they_are() {
    let source = "title: {{ year }}年报告\n\n# 总体情况\n{% if has(\"a\") %}\n全年{{ figure(\"a\", upto=11) }}条，**重点**。\n{% else %}\n无。\n{% endif %}\n{# 说明 #}closing: {{ agency }}";
    let s = parse(source);
    assert_eq!(serialize(&s), source);
    let kinds: Vec<String> = s
        .iter()
        .map(|s| match s {
            Segment::Text(t) => format!("T{t}"),
            Segment::Chip(c) => format!("C{c}"),
            Segment::Marker(m) => format!("M{}", m.label()),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "M标题",
            "C{{ year }}",
            "T年报告\n\n",
            "M",
            "T总体情况\n",
            "M有数据时才显示",
            "T\n全年",
            "C{{ figure(\"a\", upto=11) }}",
            "T条，",
            "M加粗",
            "T重点",
            "M加粗",
            "T。\n",
            "M否则显示",
            "T\n无。\n",
            "M条件结束",
            "T\n",
            "M模板说明",
            "Tclosing: ",
            "C{{ agency }}",
        ]
    );
    // A `}}` inside a string does not end the tag.
    let s = parse("{{ figure(\"a}}b\") }}x");
    assert_eq!(chips(&s), ["{{ figure(\"a}}b\") }}"]);
    // An unterminated tag is text.
    assert_eq!(parse("a{{ b"), [Segment::Text("a{{ b".into())]);
}

#[test]
fn typed_braces_are_kept_as_text_through_their_escape() {
    let segments = vec![
        Segment::Text("写{{双括号}}和{%与{".into()),
        Segment::Chip("{{ year }}".into()),
    ];
    let source = serialize(&segments);
    assert!(!source.starts_with("写{{双"), "{source}");
    assert_eq!(parse(&source), segments);
    // A lone brace before text needs no escape.
    assert_eq!(serialize(&[Segment::Text("a{b".into())]), "a{b");
}

#[test]
fn a_logic_tag_is_deletable_only_with_its_whole_block() {
    let s = parse("前{% if x %}中{% else %}又{% endif %}后");
    // 前 if 中 else 又 endif 后
    assert_eq!(s.len(), 7);
    let part = deletable(&s, 0..3);
    assert_eq!(part, [true, false, true, false, false, false, false]);
    let whole = deletable(&s, 1..6);
    assert_eq!(whole, [false, true, true, true, true, true, false]);
}

#[test]
fn loop_and_condition_markers_say_what_they_do() {
    let s = parse(
        "{% for n in highlights %}{{ n.name }}{% endfor %}{% if value(\"a\") == 0 %}{% endif %}{% for m in metrics() %}",
    );
    let labels: Vec<&str> = s
        .iter()
        .filter_map(|s| match s {
            Segment::Marker(m) => Some(m.label()),
            _ => None,
        })
        .collect();
    assert_eq!(
        labels,
        [
            "每个处室重复",
            "重复结束",
            "满足条件时才显示",
            "条件结束",
            "每个指标重复"
        ]
    );
}

#[test]
fn chips_are_valued_by_the_compiler_over_the_data() {
    let data = crate::demo::data::year_data(2019);
    let eval = Evaluator::new(&data, &CompileOptions::default());
    let (_, source) = BUILTIN[0];
    let segments = parse(source);
    let values = eval.values(&segments);
    let compiled = crate::compile::compile(
        &crate::compile::Template::builtin("work-summary").unwrap(),
        &data,
        &CompileOptions::default(),
    )
    .unwrap();
    // The same text as the compiled report.
    let text = compiled.document.plain_text();
    let shown = values[r#"{{ figure("news.original") }}"#].shown();
    assert!(text.contains(&format!("原创新闻信息{shown}条")), "{shown}");
    let short = values["{{ short }}"].shown();
    assert_eq!(short, data.agency_short, "a chip through its `set`");
    assert_eq!(values["{{ year }}"], ChipValue::Text("2019".into()));
    for (chip, v) in &values {
        assert!(!matches!(v, ChipValue::Unavailable { .. }), "{chip}: {v:?}");
    }
    // A loop's item, an unknown metric.
    let s = parse("{% for n in narratives() %}{{ n.text }}{% endfor %}{{ figure(\"nope\") }}");
    let v = eval.values(&s);
    assert_eq!(v["{{ n.text }}"].shown(), "〔各项内容〕");
    assert!(v["{{ figure(\"nope\") }}"].is_warning());
    // A table chip carries the tables it prints: table 3's grid, with its figures.
    match eval.value("", "{{ table(\"t3\") }}") {
        ChipValue::Table { name, tables } => {
            assert_eq!(name, "表三");
            assert!(!tables.is_empty());
            assert!(tables[0].rows.len() > 20, "{} rows", tables[0].rows.len());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_comparison_marks_text_and_figures_apart() {
    let old = parse("全年{{ figure(\"a\") }}条，{{ figure(\"b\") }}件。删去这句");
    let new = parse("全年累计{{ figure(\"a\") }}条，{{ figure(\"b\", upto=11) }}件。");
    let v = |pairs: &[(&str, &str)]| -> HashMap<String, ChipValue> {
        pairs
            .iter()
            .map(|(k, t)| (k.to_string(), ChipValue::Text(t.to_string())))
            .collect()
    };
    let a = r#"{{ figure("a") }}"#;
    let old_values = v(&[(a, "10"), (r#"{{ figure("b") }}"#, "5")]);
    let new_values = v(&[(a, "12"), (r#"{{ figure("b", upto=11) }}"#, "4")]);
    let pieces = compare(&old, &old_values, &new, &new_values);
    assert_eq!(
        pieces,
        [
            Piece::Same("全年".into()),
            Piece::Added("累计".into()),
            Piece::Figure {
                old: "10".into(),
                new: "12".into()
            },
            Piece::Same("条，".into()),
            Piece::Figure {
                old: "5".into(),
                new: "4".into()
            },
            Piece::Same("件。".into()),
            Piece::Removed("删去这句".into()),
        ]
    );
}

use std::collections::HashMap;
