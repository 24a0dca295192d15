//! The 正文 editor of a draft, driven through egui_kittest on a temporary demo file, as
//! the office writes: a sentence typed through an input method, a figure put in with
//! the picker, deleted with one Backspace and brought back with Ctrl+Z, following the
//! data, find and replace across paragraphs; both built-in templates shown with no
//! template syntax; and a leader's comparison with the version they commented on.

#[path = "support/demo_values.rs"]
mod demo_values;
#[path = "support/drafts_app.rs"]
mod drafts_app;

use drafts_app::*;

use egui::{Event, ImeEvent, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::compile::rich::diff::Piece;
use nianbao::store::Store;
use nianbao::ui::app::App;
use nianbao::ui::drafts::{Mode, SaveState};
use rust_decimal::Decimal;

/// The 正文 view's shown text.
fn shown(h: &mut Harness<'_, App>) -> String {
    let rich = editor(h)
        .writing
        .rich
        .as_ref()
        .expect("the 正文 view is shown");
    rich.buffer.text().to_string()
}

/// Puts the 正文 cursor at character `at` and focuses the view.
fn cursor_at(h: &mut Harness<'_, App>, at: usize) {
    let id = editor(h).writing.rich.as_ref().unwrap().edit_id.unwrap();
    let ctx = h.ctx.clone();
    let mut state = egui::TextEdit::load_state(&ctx, id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(
            egui::text::CCursor::new(at),
        )));
    state.store(&ctx, id);
    ctx.memory_mut(|m| m.request_focus(id));
    editor(h).writing.rich.as_mut().unwrap().cursor = at;
    h.run_ok();
}

fn chars_before(text: &str, needle: &str) -> usize {
    text[..text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {text}"))]
        .chars()
        .count()
}

fn key(h: &mut Harness<'_, App>, key: Key, modifiers: Modifiers) {
    h.event(Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers,
    });
    h.run_ok();
}

#[test]
fn the_office_writes_the_text_with_chips_undo_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = office_with_new_draft(&path);
    assert_eq!(editor(&mut h).writing.mode, Mode::Rich, "the default view");
    let id = editor(&mut h).draft.id;

    // A sentence through an input method: preedit, then commit, at a paragraph's start.
    let text = shown(&mut h);
    let at = chars_before(&text, "本报告根据");
    cursor_at(&mut h, at);
    h.event(Event::Ime(ImeEvent::Preedit {
        text: "ben".into(),
        active_range_chars: None,
    }));
    h.run_ok();
    h.event(Event::Ime(ImeEvent::Commit("本年度报告如下。".into())));
    h.run_ok();
    assert!(
        editor(&mut h).source.contains("本年度报告如下。本报告根据"),
        "the commit is in the source"
    );
    assert!(!editor(&mut h).source.contains("ben"));

    // 插入数据: the picker finds the metric by code and puts its chip at the cursor.
    let text = shown(&mut h);
    let at = chars_before(&text, "本报告根据");
    cursor_at(&mut h, at);
    h.get_by_label("插入数据").click();
    h.run_ok();
    editor(&mut h).writing.picker.as_mut().unwrap().query = PROACTIVE.into();
    h.run_ok();
    h.get_by_label("插入").click();
    h.run_ok();
    let chip = format!("{{{{ figure(\"{PROACTIVE}\") }}}}");
    let source = editor(&mut h).source.clone();
    assert!(
        source.contains(&format!("本年度报告如下。{chip}本报告根据")),
        "the chip is where the cursor was"
    );
    let value = editor(&mut h).writing.values[&chip].shown();
    assert!(shown(&mut h).contains(&format!("本年度报告如下。{value}本报告根据")));

    // One Backspace right after the chip deletes it whole; Ctrl+Z brings it back,
    // Ctrl+Y takes it out again, Ctrl+Z once more.
    let count = |h: &mut Harness<'_, App>| editor(h).source.matches(&chip).count();
    let with_chip = count(&mut h);
    let end = chars_before(&shown(&mut h), "本报告根据");
    cursor_at(&mut h, end);
    key(&mut h, Key::Backspace, Modifiers::NONE);
    assert_eq!(count(&mut h), with_chip - 1, "one Backspace, one chip");
    assert!(editor(&mut h).source.contains("本年度报告如下。本报告根据"));
    key(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(count(&mut h), with_chip, "undone");
    key(&mut h, Key::Y, Modifiers::COMMAND);
    assert_eq!(count(&mut h), with_chip - 1, "redone");
    key(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(count(&mut h), with_chip);

    // A division corrects the value: the chip follows.
    wait_compiled(&mut h);
    let before = number(&editor(&mut h).writing.values[&chip].shown());
    add_to_december(&path, PROACTIVE, 3);
    let now = (before + Decimal::from(3)).to_string();
    wait_for(&mut h, "the chip to follow the data", |h| {
        editor(h).writing.values[&chip].shown() == now
    });
    assert!(shown(&mut h).contains(&format!("本年度报告如下。{now}本报告根据")));

    // 查找替换 across paragraphs, in the prose only; one Ctrl+Z undoes all of it.
    let old = editor(&mut h).source.clone();
    let hits = old.matches("政府信息公开").count();
    assert!(hits >= 3, "{hits}");
    h.get_by_label("查找替换").click();
    h.run_ok();
    {
        let find = editor(&mut h).writing.find.as_mut().unwrap();
        find.find = "政府信息公开".into();
        find.replace = "政务信息公开".into();
    }
    h.run_ok();
    h.get_by_label("全部替换").click();
    h.run_ok();
    let replaced = editor(&mut h).source.clone();
    assert!(!shown(&mut h).contains("政府信息公开"), "every paragraph");
    // The template's own note (a comment, not report text) is left alone.
    let note = old.split("#}").next().unwrap();
    assert_eq!(
        replaced.matches("政府信息公开").count(),
        note.matches("政府信息公开").count()
    );
    assert_eq!(
        replaced.len(),
        old.len(),
        "one character for one, nothing else moved"
    );
    assert!(h.query_by_label_contains("已替换").is_some());
    key(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(editor(&mut h).source, old);

    // Autosave as before: the text is in the file a moment after typing stops.
    wait_for(&mut h, "the text to be saved", |h| {
        editor(h).save_state == SaveState::Saved
    });
    let saved = Store::open(&path).unwrap().draft(id).unwrap().source;
    assert!(saved.contains(&format!("本年度报告如下。{chip}本报告根据")));

    // 高级：模板源码 is the same draft.
    h.get_by_label("高级：模板源码").click();
    h.run_ok();
    assert!(editor(&mut h).source_edit_id.is_some());
}

#[test]
fn both_builtin_templates_show_no_template_syntax_in_any_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        for t in ["work-summary", "annual-report"] {
            nianbao::approval::start(&mut store, &office, 2019, t, None).unwrap();
        }
    }
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    h.get_by_label("报告稿").click();
    h.run_ok();
    let ids: Vec<i64> = screen(&mut h).drafts().iter().map(|d| d.id).collect();
    assert_eq!(ids.len(), 2);
    let mut with_tables = 0;
    for id in ids {
        let store = Store::open(&path).unwrap();
        screen(&mut h).open(&store, id);
        drop(store);
        h.run_ok();
        wait_compiled(&mut h);
        h.run_ok();
        let text = shown(&mut h);
        assert!(text.lines().count() > 40, "{id}: {text}");
        for (n, line) in text.lines().enumerate() {
            for syntax in [
                "{{",
                "}}",
                "{%",
                "%}",
                "{#",
                "#}",
                "figure(",
                "yoy(",
                "title:",
                "closing:",
                "**",
                "〔…〕",
                "〔有误〕",
            ] {
                assert!(
                    !line.contains(syntax),
                    "draft {id} line {}: {syntax} in {line}",
                    n + 1
                );
            }
            assert!(!line.starts_with('#'), "draft {id} line {}: {line}", n + 1);
        }
        // The figures are there as values.
        let values = editor(&mut h).writing.values.clone();
        let proactive = &values[&format!("{{{{ figure(\"{PROACTIVE}\") }}}}")];
        assert!(text.contains(&proactive.shown()));
        // The annual report's national tables are tables in the text: each table chip
        // holds its grid (drawn over its empty lines), with every row of the PDF's.
        let rich = editor(&mut h).writing.rich.as_ref().unwrap();
        let tables = rich.buffer.table_chips();
        if text.contains("〔表三〕") {
            with_tables += 1;
            assert_eq!(tables.len(), 3, "tables 2, 3 and 4");
            for (first, grids) in &tables {
                let rows: usize = grids.iter().map(|t| t.rows.len()).sum();
                assert!(rows >= 3, "{rows} rows");
                let lines = &rich
                    .buffer
                    .text()
                    .chars()
                    .skip(*first)
                    .take(rows)
                    .collect::<String>();
                assert_eq!(lines, &"\n".repeat(rows), "one empty line per row");
            }
            let t3 = tables
                .iter()
                .map(|(_, g)| g)
                .find(|g| g[0].rows.len() > 20)
                .unwrap();
            let cells: String = t3[0]
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .map(|c| c.text())
                .collect();
            assert!(cells.contains("本年新收政府信息公开申请数量"), "{cells}");
        }
        h.get_by_label("← 报告稿列表").click();
        h.run_ok();
    }
    assert_eq!(with_tables, 1, "the annual report has the tables");
}

#[test]
fn a_leader_sees_what_changed_since_the_version_they_commented_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut store = Store::open(&path).unwrap();
    let office = store.actor("liu.office").unwrap();
    let leader = store.actor("huang.leader").unwrap();
    let id = nianbao::approval::start(&mut store, &office, 2019, "annual-report", None).unwrap();
    let first = store.draft(id).unwrap().source;
    let sentence = "全年主动公开政府信息";
    let v1 = first.replacen(sentence, "全年累计主动公开政府信息", 1);
    store.save_draft_source(&office, id, &v1).unwrap();
    store.submit_draft(&office, id).unwrap();
    store
        .comment_draft(&leader, id, Some(2), "总体情况", "请写明统计口径")
        .unwrap();
    store.return_draft(&leader, id, "请修改").unwrap();
    // After the comment: the office adds a sentence and a division corrects a value.
    let v2 = v1.replacen("本报告根据", "统计口径为全年。本报告根据", 1);
    store.save_draft_source(&office, id, &v2).unwrap();
    demo_values::add_to_office_value(&mut store, 12, PROACTIVE, 5);
    store.submit_draft(&office, id).unwrap();
    drop(store);

    let mut h = harness(&path);
    sign_in(&mut h, "黄局长");
    h.get_by_label("报告稿").click();
    h.run_ok();
    h.get_by_label("打开").click();
    h.run_ok();
    wait_compiled(&mut h);
    h.get_by_label("修订对比").click();
    h.run_ok();
    h.run_ok();
    assert_eq!(
        h.query_all_by_label("修订对比").count(),
        2,
        "the button and the window"
    );
    let e = editor(&mut h);
    let compare = e.writing.compare.as_ref().expect("the comparison is open");
    assert_eq!(
        compare.versions[compare.old].source, v1,
        "from the version commented on"
    );
    let pieces = compare.pieces.clone().unwrap();
    assert!(
        pieces.contains(&Piece::Added("统计口径为全年。".into())),
        "{pieces:?}"
    );
    assert!(
        !pieces
            .iter()
            .any(|p| matches!(p, Piece::Removed(t) if t.contains("累计"))),
        "the change before the comment is not shown again"
    );
    let figures: Vec<(Decimal, Decimal)> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Figure { old, new } => Some((old.parse().ok()?, new.parse().ok()?)),
            _ => None,
        })
        .collect();
    assert!(
        figures.iter().any(|(o, n)| *n == *o + Decimal::from(5)),
        "the corrected figure is marked apart: {figures:?}"
    );
    assert!(h.query_by_label_contains("数字变化").is_some());
}
