//! The drafts of the desktop app driven through egui_kittest on a temporary demo file:
//! the office writes a draft whose figures follow the data, a leader comments, traces a
//! figure to the entry grid and approves it, the approved text stays while the drift is
//! marked; a contact gets no review step; export writes the shown document. And the
//! preview's pages are the PDF's pages, line for line, for both demo reports.
//!
//! Values change through a second connection to the file, as another desktop would
//! change them; what the screen shows is checked through its state.

use std::collections::BTreeMap;
use std::time::Duration;

#[path = "support/demo_values.rs"]
mod demo_values;
#[path = "support/drafts_app.rs"]
mod drafts_app;

use demo_values::add_to_office_value;
use drafts_app::*;

use egui::{Event, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::layout::{FontSet, Item, Page, layout};
use nianbao::store::{DraftStatus, Store};
use nianbao::ui::app::{App, Tab};
use nianbao::ui::drafts::{DraftsScreen, check_options};
use nianbao::ui::export::Format;
use nianbao::ui::preview::PreviewModel;
use rust_decimal::Decimal;

#[test]
fn office_drafts_leader_traces_and_approves_then_drift_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    // The office starts a draft from the annual-report template: it opens and compiles.
    let mut h = office_with_new_draft(&path);
    let id = editor(&mut h).draft.id;
    let first = editor(&mut h).figure_texts(PROACTIVE);
    assert_eq!(first.len(), 1, "{first:?}");
    let before = number(&first[0]);

    // Edit a sentence by typing into the template source (高级：模板源码, the view for
    // template maintainers): 全年|主动公开 → 全年累计主动公开.
    h.get_by_label("高级：模板源码").click();
    h.run_ok();
    let sentence = "全年主动公开政府信息";
    let source = editor(&mut h).source.clone();
    let at = source[..source.find(sentence).expect("template sentence")]
        .chars()
        .count()
        + 2;
    let edit_id = editor(&mut h).source_edit_id.expect("source editor shown");
    let ctx = h.ctx.clone();
    let mut state = egui::TextEdit::load_state(&ctx, edit_id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(
            egui::text::CCursor::new(at),
        )));
    state.store(&ctx, edit_id);
    ctx.memory_mut(|m| m.request_focus(edit_id));
    h.run_ok();
    h.event(Event::Text("累计".into()));
    h.run_ok();
    assert!(editor(&mut h).source.contains("全年累计主动公开政府信息"));
    wait_for(&mut h, "the edit to be saved and compiled", |h| {
        let e = editor(h);
        !e.busy() && e.save_state == nianbao::ui::drafts::SaveState::Saved
    });
    assert!(
        Store::open(&path)
            .unwrap()
            .draft(id)
            .unwrap()
            .source
            .contains("全年累计主动公开政府信息"),
        "the edit is in the file"
    );
    let text = editor(&mut h).shown().unwrap().document.plain_text();
    assert!(
        text.contains(&format!("全年累计主动公开政府信息{before}条")),
        "{text}"
    );

    // A division corrects a value: the draft's figure follows.
    add_to_december(&path, PROACTIVE, 3);
    wait_for(&mut h, "the figure to follow the data", |h| {
        editor(h).figure_texts(PROACTIVE) == [(before + Decimal::from(3)).to_string()]
    });

    // Clicking a paragraph in the preview selects its source line in the editor.
    let block = {
        let m = editor(&mut h).shown().unwrap();
        nianbao::approval::figures(&m.document)
            .find(|(_, f)| f.provenance.metric_code == PROACTIVE)
            .unwrap()
            .0
    };
    let rect = editor(&mut h)
        .block_on_screen(block)
        .expect("paragraph on screen");
    click_at(&mut h, rect.left_center() + Vec2::new(8.0, 0.0));
    assert_eq!(editor(&mut h).selected_block, Some(block));
    let source = editor(&mut h).source.clone();
    let line = source
        .lines()
        .position(|l| l.contains("全年累计主动公开政府信息"))
        .unwrap();
    let line_start: usize = source
        .lines()
        .take(line)
        .map(|l| l.chars().count() + 1)
        .sum();
    let selection = egui::TextEdit::load_state(&ctx, edit_id)
        .and_then(|s| s.cursor.char_range())
        .expect("a selection in the source");
    let (from, to) = (
        selection.primary.index.0.min(selection.secondary.index.0),
        selection.primary.index.0.max(selection.secondary.index.0),
    );
    assert_eq!(from, line_start, "the selection starts the clicked line");
    assert_eq!(to - from, source.lines().nth(line).unwrap().chars().count());

    // 送审. The office cannot approve; the text is read-only now.
    assert!(h.query_by_label("审定").is_none());
    h.get_by_label("送审").click();
    h.run_ok();
    assert_eq!(
        Store::open(&path).unwrap().draft(id).unwrap().status,
        DraftStatus::Review
    );
    assert!(!editor(&mut h).editable());

    // A leader opens it.
    sign_out(&mut h);
    sign_in(&mut h, "黄局长");
    h.get_by_label("报告稿").click();
    h.run_ok();
    h.get_by_label("打开").click();
    h.run_ok();
    wait_compiled(&mut h);
    assert!(h.query_by_label("送审").is_none());

    // Hovering a figure shows where it comes from; clicking pins it.
    editor(&mut h).locate(block);
    h.run_ok();
    let (_, rect) = editor(&mut h)
        .figure_on_screen(PROACTIVE)
        .expect("figure on screen");
    h.hover_at(rect.center());
    h.run_ok();
    assert!(
        h.query_by_label_contains("填报人").is_some(),
        "provenance tooltip"
    );
    click_at(&mut h, rect.center());
    assert!(editor(&mut h).pinned.is_some());
    assert!(h.query_by_label("数据来源").is_some(), "pinned window");
    assert!(
        h.query_all_by_label_contains("刘芳").count() >= 1,
        "who entered the value"
    );

    // A paragraph gets a comment (the provenance window closed first: it sits beside
    // the figure, over the page).
    editor(&mut h).pinned = None;
    editor(&mut h).selected_block = None;
    h.hover_at(Pos2::new(10.0, 10.0));
    h.run_ok();
    let rect = editor(&mut h).block_on_screen(block).unwrap();
    click_at(&mut h, rect.left_center() + Vec2::new(8.0, 0.0));
    assert_eq!(editor(&mut h).selected_block, Some(block));
    assert_eq!(editor(&mut h).side, nianbao::ui::review::SideTab::Comments);
    editor(&mut h).comment_text = "请补充同比说明".into();
    h.run_ok();
    h.get_by_label("添加批注").click();
    h.run_ok();
    let comments = Store::open(&path).unwrap().draft_comments(id).unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].block, Some(block));
    let doc = editor(&mut h).shown().unwrap().document.clone();
    let quote: String = nianbao::approval::block_text(&doc.blocks[block])
        .chars()
        .take(20)
        .collect();
    assert_eq!(comments[0].quote, quote);

    // 退回 needs a reason; without one nothing happens.
    h.get_by_label("退回").click();
    h.run_ok();
    h.get_by_label("确认退回").click();
    h.run_ok();
    assert!(matches!(&editor(&mut h).notice, Some(Err(e)) if e.contains("意见")));
    assert_eq!(
        Store::open(&path).unwrap().draft(id).unwrap().status,
        DraftStatus::Review
    );
    h.get_by_label("取消").click();
    h.run_ok();

    // 审定: the document is frozen (compiled, checked and frozen in a background job).
    h.get_by_label("审定").click();
    wait_compiled(&mut h);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.draft(id).unwrap().status,
        DraftStatus::Approved,
        "{:?}",
        editor(&mut h).notice
    );
    let approved = store.approval(id).unwrap().expect("frozen document");
    drop(store);
    wait_compiled(&mut h);
    let approved_text = (before + Decimal::from(3)).to_string();
    assert_eq!(
        editor(&mut h).figure_texts(PROACTIVE),
        std::slice::from_ref(&approved_text)
    );

    // The value changes again: the approved text stays, the drift is marked.
    add_to_december(&path, PROACTIVE, 10);
    wait_for(&mut h, "the drift to show", |h| {
        editor(h)
            .view
            .as_ref()
            .and_then(|v| v.approval.as_ref())
            .is_some_and(|a| !a.drift.is_empty())
    });
    let e = editor(&mut h);
    assert_eq!(
        e.figure_texts(PROACTIVE),
        std::slice::from_ref(&approved_text),
        "approved text stays"
    );
    assert_eq!(e.shown().unwrap().document, approved.document);
    let a = e.view.as_ref().unwrap().approval.as_ref().unwrap();
    assert!(a.drift.iter().all(|d| d.metric_code == PROACTIVE));
    let now = (before + Decimal::from(13)).to_string();
    assert_eq!(
        (a.drift[0].approved.as_str(), a.drift[0].now.as_deref()),
        (approved_text.as_str(), Some(now.as_str()))
    );
    assert!(
        !a.drifted.is_empty(),
        "the drifted figure is marked on the page"
    );
    assert!(h.query_by_label_contains("审定后变化").is_some());

    // The figure's 跳到填报 opens the entry grid at that metric.
    let (_, rect) = editor(&mut h).figure_on_screen(PROACTIVE).unwrap();
    click_at(&mut h, rect.center());
    h.get_by_label("跳到填报").click();
    h.run_ok();
    let session = h.state_mut().session().unwrap();
    assert_eq!(session.tab, Tab::Entry);
    let grid = session.entry.as_ref().unwrap();
    assert_eq!(grid.division, "office");
    assert_eq!(grid.cursor(), (grid.row_of(PROACTIVE).unwrap(), 11));
}

#[test]
fn office_revises_an_approved_draft_and_its_errors_and_unsaved_text_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let approved = {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        let leader = store.actor("huang.leader").unwrap();
        let id = nianbao::approval::start(&mut store, &office, 2019, "work-summary", None).unwrap();
        store.submit_draft(&office, id).unwrap();
        nianbao::approval::approve(&mut store, &leader, id, &check_options()).unwrap();
        id
    };
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    h.get_by_label("报告稿").click();
    h.run_ok();
    h.get_by_label("打开").click();
    h.run_ok();
    wait_compiled(&mut h);
    assert!(!editor(&mut h).editable(), "an approved draft is read-only");
    assert!(h.query_by_label("送审").is_none());

    // 新修订: a new draft from the approved text opens, editable.
    h.get_by_label("新修订").click();
    h.run_ok();
    wait_compiled(&mut h);
    let e = editor(&mut h);
    let revision = e.draft.id;
    assert_ne!(revision, approved);
    assert_eq!(e.draft.revision_of, Some(approved));
    assert_eq!(e.draft.status, DraftStatus::Draft);
    assert!(e.editable());
    let good = e.shown().expect("the revision is laid out");

    // A broken tag: the error is shown in Chinese with its line, the last preview stays.
    let broken = format!("{}\n{{{{ figure(\"disclosure.proactive\" }}}}\n", e.source);
    e.set_source(&broken);
    wait_compiled(&mut h);
    let e = editor(&mut h);
    let error = e
        .view
        .as_ref()
        .unwrap()
        .current
        .as_ref()
        .unwrap_err()
        .clone();
    assert_eq!(error.line, Some(broken.lines().count() - 1), "{error:?}");
    assert!(error.message.contains("行"), "{}", error.message);
    assert_eq!(
        e.shown().unwrap().pages,
        good.pages,
        "the last preview stays"
    );
    assert!(h.query_by_label_contains("报告稿有错误").is_some());

    // Text typed just now is saved when the tab is left, before the save delay.
    let fixed = broken.replace(
        "\"disclosure.proactive\" }}",
        "\"disclosure.proactive\") }}",
    );
    editor(&mut h).set_source(&fixed);
    h.get_by_label("数据填报").click();
    h.run_ok();
    assert_eq!(
        Store::open(&path).unwrap().draft(revision).unwrap().source,
        fixed
    );
}

#[test]
fn a_typed_figure_is_flagged_and_linked_with_one_click() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = office_with_new_draft(&path);
    assert!(h.query_by_label("链接数据").is_none(), "nothing typed yet");

    // The office replaces the live 新收申请 figure by the number itself, as if typed.
    let call = "{{ figure(\"t3.new.total\") }}";
    // (The figure is printed in the prose and in table 3.)
    let value = editor(&mut h).figure_texts("t3.new.total");
    assert!(!value.is_empty(), "{value:?}");
    let source = editor(&mut h).source.clone();
    assert_eq!(source.matches(call).count(), 1, "the template changed");
    editor(&mut h).set_source(&source.replace(call, &value[0]));
    wait_for(&mut h, "the typed number to be saved and flagged", |h| {
        editor(h).save_state == nianbao::ui::drafts::SaveState::Saved
            && h.query_by_label("链接数据").is_some()
    });
    let id = editor(&mut h).draft.id;
    let saved = Store::open(&path).unwrap().draft(id).unwrap().source;
    assert_eq!(
        saved.matches(call).count(),
        0,
        "the typed number is in the file"
    );
    assert_eq!(
        editor(&mut h).figure_texts("t3.new.total").len(),
        value.len() - 1
    );

    // One click: the number is the live figure again, saved, and the flag is gone.
    h.get_by_label("链接数据").click();
    h.run_ok();
    assert_eq!(editor(&mut h).source.matches(call).count(), 1);
    wait_for(&mut h, "the linked draft to be saved and compiled", |h| {
        let e = editor(h);
        !e.busy()
            && e.save_state == nianbao::ui::drafts::SaveState::Saved
            && e.figure_texts("t3.new.total") == value
    });
    assert!(h.query_by_label("链接数据").is_none());
    let saved = Store::open(&path).unwrap().draft(id).unwrap().source;
    assert_eq!(saved.matches(call).count(), 1, "the link is in the file");
}

#[test]
fn approval_is_refused_in_chinese_while_errors_remain() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        let id =
            nianbao::approval::start(&mut store, &office, 2019, "annual-report", None).unwrap();
        store.submit_draft(&office, id).unwrap();
        // Break table 3's balance.
        add_to_office_value(&mut store, 0, "t3.new.natural", 1);
    }
    let mut h = harness(&path);
    sign_in(&mut h, "黄局长");
    h.get_by_label("报告稿").click();
    h.run_ok();
    h.get_by_label("打开").click();
    h.run_ok();
    wait_compiled(&mut h);
    let blocking = editor(&mut h).view.as_ref().unwrap().blocking;
    assert!(blocking >= 2, "{blocking}");
    assert!(h.query_by_label_contains("解决前不能审定").is_some());
    h.get_by_label("审定").click();
    wait_for(&mut h, "the refused approval", |h| {
        editor(h).notice.is_some()
    });
    let notice = editor(&mut h).notice.clone();
    assert!(
        matches!(&notice, Some(Err(e)) if e.contains(&format!("还有 {blocking} 个错误"))),
        "{notice:?}"
    );
    let store = Store::open(&path).unwrap();
    assert_eq!(store.drafts(None).unwrap()[0].status, DraftStatus::Review);
}

#[test]
fn a_contact_cannot_reach_the_review_actions() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let id = {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        let id = nianbao::approval::start(&mut store, &office, 2019, "work-summary", None).unwrap();
        store.submit_draft(&office, id).unwrap();
        id
    };
    // Through the app: no 报告稿 tab.
    let mut h = harness(&path);
    sign_in(&mut h, "李喆");
    assert!(h.query_by_label("报告稿").is_none());
    assert!(h.query_by_label("概览").is_none());
    drop(h);

    // And the screen itself, opened for a contact, offers no review step or comment box.
    let store = Store::open(&path).unwrap();
    let contact = store.actor("li.zhe").unwrap();
    let mut screen = DraftsScreen::new(
        &store,
        &contact,
        &nianbao::ui::widgets::OpenYears::read(&store)
            .unwrap()
            .expect("an open year"),
    );
    screen.open(&store, id);
    let mut store = store;
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_context_setup(nianbao::ui::fonts::install)
        .build_ui_state(
            move |ui, s: &mut DraftsScreen| {
                s.ui(ui, &mut store, &contact);
            },
            screen,
        );
    for _ in 0..300 {
        h.run_ok();
        let e = h.state().editor.as_ref().unwrap();
        if !e.busy() && e.view.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    h.get_by_label("批注（0）").click();
    h.run_ok();
    for action in ["送审", "退回", "审定", "新修订", "添加批注"] {
        assert!(
            h.query_by_label(action).is_none(),
            "{action} offered to a contact"
        );
    }
}

#[test]
fn export_writes_the_shown_document_off_the_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = office_with_new_draft(&path);
    let pages = editor(&mut h).shown().unwrap().pages.len();
    for (format, magic) in [(Format::Pdf, b"%PDF".as_slice()), (Format::Docx, b"PK")] {
        let out = dir.path().join(format!("报告.{}", format.extension()));
        let notice = export(&mut h, format, &out, &path);
        assert!(
            matches!(&notice, Some(Ok(s)) if s.contains("已导出")),
            "{notice:?}"
        );
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(magic));
        if format == Format::Pdf {
            let pdf = lopdf::Document::load_mem(&bytes).unwrap();
            assert_eq!(
                pdf.get_pages().len(),
                pages,
                "the PDF has the preview's pages"
            );
        }
    }
    // A path that cannot be written is reported plainly, and nothing is left behind.
    let bad = dir.path().join("没有这个目录").join("报告.pdf");
    let notice = export(&mut h, Format::Pdf, &bad, &path);
    assert!(
        matches!(&notice, Some(Err(e)) if e.contains("导出失败") && e.contains("无法写入")),
        "{notice:?}"
    );
    // Saving the export over the open data file is refused, and the file is untouched.
    let before = std::fs::read(&path).unwrap();
    let notice = export(&mut h, Format::Pdf, &path, &path);
    assert!(
        matches!(&notice, Some(Err(e)) if e.contains("不能导出到数据文件本身")),
        "{notice:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!bad.exists());

    // The overview charts the first monthly metrics with data, named over their charts.
    h.get_by_label("概览").click();
    h.run_ok();
    let overview = h.state_mut().session().unwrap().overview.as_mut();
    overview.expect("overview shown").wait_loaded();
    h.run_ok();
    let data = Store::open(&path).unwrap().year_data(2019).unwrap();
    let session = h.state_mut().session().unwrap();
    let chosen = session.overview.as_ref().unwrap().chosen.clone();
    let first: Vec<String> = nianbao::ui::overview::chartable(&data)
        .iter()
        .filter(|m| {
            nianbao::ui::overview::monthly(&data, 2019, m)
                .iter()
                .any(Option::is_some)
        })
        .take(nianbao::ui::overview::DEFAULT_CHARTS)
        .map(|m| m.code.clone())
        .collect();
    assert_eq!(chosen, first);
    let name = &data.metric(&chosen[0]).unwrap().name;
    assert!(h.query_by_label(name).is_some(), "{name} over its chart");
}

/// Lines of a page as painted: text grouped by baseline (hundredths of a point from the
/// page's bottom, the resolution the PDF writer rounds to),
/// in drawing order.
fn preview_lines(page: &Page) -> BTreeMap<i64, String> {
    let mut lines: BTreeMap<i64, String> = BTreeMap::new();
    for item in &page.items {
        if let Item::Text(run) = item {
            let y = page.height - run.baseline;
            lines
                .entry((y * 100.0).round() as i64)
                .or_default()
                .push_str(&run.text().replace(' ', ""));
        }
    }
    lines
}

/// Lines of each page of a PDF: the text shown at each text-matrix height (hundredths of a point from
/// the page's bottom), in content order, decoded through the fonts' ToUnicode maps.
fn pdf_lines(bytes: &[u8]) -> Vec<BTreeMap<i64, String>> {
    use lopdf::{Document, Object};
    let doc = Document::load_mem(bytes).expect("lopdf parses the PDF");
    let mut pages = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page_id).unwrap();
        let encodings: BTreeMap<Vec<u8>, _> = fonts
            .iter()
            .map(|(name, font)| (name.clone(), font.get_font_encoding(&doc).unwrap()))
            .collect();
        let content = doc.get_and_decode_page_content(page_id).unwrap();
        let mut lines: BTreeMap<i64, String> = BTreeMap::new();
        let (mut font, mut y) = (None, 0.0f32);
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .map(<[u8]>::to_vec)
                }
                "Tm" => y = op.operands[5].as_float().unwrap(),
                "Tj" | "TJ" => {
                    let enc = &encodings[font.as_ref().expect("font before text")];
                    let strings: Vec<&Object> = match &op.operands[0] {
                        Object::Array(items) => items.iter().collect(),
                        o => vec![o],
                    };
                    let line = lines.entry((y * 100.0).round() as i64).or_default();
                    for s in strings {
                        if let Object::String(b, _) = s {
                            line.push_str(&Document::decode_text(enc, b).unwrap().replace(' ', ""));
                        }
                    }
                }
                _ => {}
            }
        }
        pages.push(lines);
    }
    pages
}

#[test]
fn the_preview_paints_the_pdfs_pages_line_for_line() {
    use nianbao::compile::{CompileOptions, Template, compile};
    let fonts = FontSet::bundled().expect("bundled fonts");
    let data = nianbao::demo::data::year_data(2019);
    for id in ["annual-report", "work-summary"] {
        let doc = compile(
            &Template::builtin(id).unwrap(),
            &data,
            &CompileOptions::default(),
        )
        .unwrap()
        .document;
        let model = PreviewModel::build(doc.clone(), &fonts);
        assert_eq!(
            model.pages,
            layout(&doc, &fonts),
            "{id}: the preview's own pages"
        );
        assert_eq!(model.boxes.len(), model.pages.len());
        let pdf = nianbao::pipeline::pdf_bytes(&doc, &fonts).unwrap();
        let pdf = pdf_lines(&pdf);
        assert_eq!(pdf.len(), model.pages.len(), "{id}: page count");
        for (n, (page, pdf_page)) in model.pages.iter().zip(&pdf).enumerate() {
            let ours = preview_lines(page);
            assert!(ours.len() > 3, "{id} page {}: {ours:?}", n + 1);
            assert_eq!(&ours, pdf_page, "{id} page {}: lines differ", n + 1);
        }
    }
}

/// Exports the open draft of the data file `db` to `out` as the 导出 buttons do, waits
/// for the job, and returns the editor's notice.
fn export(
    h: &mut Harness<'_, App>,
    format: Format,
    out: &std::path::Path,
    db: &std::path::Path,
) -> Option<Result<String, String>> {
    let ctx = h.ctx.clone();
    let s = screen(h);
    let fonts = s.fonts().unwrap().font_set().clone();
    let names = s.font_names().clone();
    let target = nianbao::ui::export::Target {
        path: out.to_path_buf(),
        database: db.to_path_buf(),
    };
    s.editor
        .as_mut()
        .unwrap()
        .export_to(&ctx, format, target, &fonts, &names);
    wait_for(h, "the export", |h| !editor(h).busy());
    editor(h).notice.clone()
}
