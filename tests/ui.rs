//! The desktop app driven through egui_kittest on a temporary demo file: sign-in, the
//! entry grid's keys, paste, undo, invalid input, submitting, and the office unlocking;
//! yearly figures; the office's catalogue, division and user editors; screens whose
//! reads fail, and a file with no open year; on a server (`NIANBAO_TEST_PG`), connecting,
//! a contact's own database login, and a city office. Every check that matters is made
//! against the file through a second `Store`.
//!
//! egui_kittest's accessibility check is on: after every frame, each input widget the
//! tests reach must have an accessible name (it is also how the tests find them).

use std::path::{Path, PathBuf};

use egui::{Event, Key, Modifiers, Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::model::{Aggregation, Metric, MonthStatus, Period, ValueKind};
use nianbao::store::{AuditFilter, Store};
use nianbao::ui::app::{App, Screen, Tab};
use nianbao::ui::board::Board;
use nianbao::ui::entry::{EntryGrid, EntryMode};
use nianbao::ui::settings::Settings;
use rust_decimal::Decimal;
use tempfile::TempDir;

/// The demo, with three more metrics for 信用监督管理处 (the demo gives it one) and its
/// September–November reopened, so a 3×4 block fits in open months.
fn demo_file(dir: &Path) -> PathBuf {
    let path = dir.join("演示.nianbao");
    let mut store = nianbao::demo::create(&path).expect("demo");
    let office = store.actor("liu.office").unwrap();
    let extra: Vec<Metric> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(i, c)| Metric {
            code: format!("credit.test_{c}"),
            name: format!("测试指标{}", i + 1),
            unit: "件".into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["credit".into()],
            words: vec![],
            sort_order: 500 + i as i64,
        })
        .collect();
    store.put_metrics(&office, 2019, &extra).unwrap();
    for month in 9..=11 {
        store
            .unlock_month(&office, 2019, month, "credit", "测试：重新打开")
            .unwrap();
    }
    path
}

fn harness(path: &Path) -> Harness<'static, App> {
    harness_of(App::new(Settings::in_memory(), Some(path.to_path_buf())))
}

fn harness_of(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        // egui_kittest panics on any glyph the fonts lack: every screen the tests reach
        // is checked to draw its Chinese (no boxes).
        .with_context_setup(nianbao::ui::fonts::install)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// The app open on a fresh [`demo_file`] in a temporary folder (removed when dropped).
fn open_demo() -> (TempDir, PathBuf, Harness<'static, App>) {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let h = harness(&path);
    (dir, path, h)
}

/// [`open_demo`], signed in as the user whose name contains `name`.
fn signed_in(name: &str) -> (TempDir, PathBuf, Harness<'static, App>) {
    let (dir, path, mut h) = open_demo();
    sign_in(&mut h, name);
    (dir, path, h)
}

/// [`signed_in`], then on the screen of the tab `tab`.
fn signed_in_on(name: &str, tab: &str) -> (TempDir, PathBuf, Harness<'static, App>) {
    let (dir, path, mut h) = signed_in(name);
    open_tab(&mut h, tab);
    (dir, path, h)
}

fn sign_in(h: &mut Harness<'_, App>, name: &str) {
    h.get_by_label_contains(name).click();
    h.run();
    h.get_by_label("登录").click();
    settle(h);
    assert!(h.state_mut().session().is_some(), "signed in as {name}");
}

/// Runs the app until it is idle; the board and the audit log show a spinner while they
/// read in the background, so wait for those reads first.
fn settle(h: &mut Harness<'_, App>) {
    h.step();
    h.step();
    if let Some(session) = h.state_mut().session() {
        if let Some(board) = &mut session.board {
            board.wait_loaded();
        }
        if let Some(audit) = &mut session.audit {
            audit.wait_loaded();
        }
        if let Some(agencies) = &mut session.agencies {
            agencies.wait_loaded();
        }
    }
    h.run();
}

fn grid<'a>(h: &'a mut Harness<'_, App>) -> &'a mut EntryGrid {
    h.state_mut()
        .session()
        .unwrap()
        .entry
        .as_mut()
        .expect("entry grid shown")
}

/// The office's board, once its background read has arrived.
fn board<'a>(h: &'a mut Harness<'_, App>) -> &'a mut Board {
    let board = h
        .state_mut()
        .session()
        .unwrap()
        .board
        .as_mut()
        .expect("office starts on the board");
    board.wait_loaded();
    board
}

fn stored(path: &Path, month: u8, metric: &str) -> Option<Decimal> {
    Store::open(path)
        .unwrap()
        .value(2019, month, "credit", metric)
        .unwrap()
        .flatten()
}

fn type_text(h: &mut Harness<'_, App>, text: &str) {
    h.event(Event::Text(text.into()));
    h.run();
}

fn press(h: &mut Harness<'_, App>, key: Key) {
    h.key_press(key);
    h.run();
}

/// Ctrl+`key` (⌘ on a Mac): Z undoes, Y redoes.
fn command(h: &mut Harness<'_, App>, key: Key) {
    h.key_press_modifiers(Modifiers::COMMAND, key);
    h.run();
}

fn month_status(path: &Path, month: u8, division: &str) -> MonthStatus {
    Store::open(path)
        .unwrap()
        .month_status(2019, month, division)
        .unwrap()
}

#[test]
fn contact_enters_pastes_undoes_and_submits_then_office_unlocks() {
    let (_dir, path, mut h) = open_demo();
    assert!(h.state().title().contains("演示.nianbao"));
    sign_in(&mut h, "郑浩");
    assert!(h.state().title().contains("郑浩"));

    // The grid opens on the division's metrics, cursor on the first open month.
    let g = grid(&mut h);
    let codes: Vec<String> = g.rows().iter().map(|r| r.metric.code.clone()).collect();
    assert_eq!(codes[0], "credit.interceptions");
    assert_eq!(codes.len(), 4);
    assert_eq!(g.cursor(), (0, 8), "September is the first open month");
    let september_before = stored(&path, 9, "credit.interceptions");

    // Type, Tab, type, Tab, Enter: back to the column where the Tabs started.
    type_text(&mut h, "1,725");
    assert_eq!(grid(&mut h).editing(), Some("1,725"));
    press(&mut h, Key::Tab);
    type_text(&mut h, "１２");
    press(&mut h, Key::Tab);
    assert_eq!(grid(&mut h).cursor(), (0, 10));
    press(&mut h, Key::Enter);
    assert_eq!(grid(&mut h).cursor(), (1, 8));
    assert_eq!(
        stored(&path, 9, "credit.interceptions"),
        Some(Decimal::from(1725))
    );
    assert_eq!(
        stored(&path, 10, "credit.interceptions"),
        Some(Decimal::from(12))
    );

    // Paste a 3×4 block from Excel at (1, September).
    h.event(Event::Paste(
        "1\t2\t3\t4\r\n5\t6\t7\t8\r\n9\t10\t11\t12\r\n".into(),
    ));
    h.run();
    assert_eq!(stored(&path, 9, "credit.test_a"), Some(Decimal::from(1)));
    assert_eq!(stored(&path, 12, "credit.test_a"), Some(Decimal::from(4)));
    assert_eq!(stored(&path, 12, "credit.test_c"), Some(Decimal::from(12)));
    assert_eq!(grid(&mut h).rows()[3].values[11], Some(Decimal::from(12)));

    // Undo takes the whole paste back; redo puts it again; undo again.
    command(&mut h, Key::Z);
    assert_eq!(stored(&path, 12, "credit.test_c"), None);
    assert_eq!(stored(&path, 9, "credit.test_a"), None);
    command(&mut h, Key::Y);
    assert_eq!(stored(&path, 12, "credit.test_c"), Some(Decimal::from(12)));
    command(&mut h, Key::Z);
    // …and the typing before it, one edit at a time.
    command(&mut h, Key::Z);
    command(&mut h, Key::Z);
    assert_eq!(stored(&path, 9, "credit.interceptions"), september_before);

    // Invalid input shows its reason on the cell and is not saved.
    grid(&mut h).set_cursor(0, 11);
    h.run();
    let december = stored(&path, 12, "credit.interceptions");
    type_text(&mut h, "约800");
    press(&mut h, Key::Enter);
    let g = grid(&mut h);
    assert_eq!(g.cursor(), (0, 11), "a refused entry keeps the cursor");
    assert!(
        g.error(0, 11).unwrap().contains("不是数字"),
        "{:?}",
        g.error(0, 11)
    );
    assert_eq!(stored(&path, 12, "credit.interceptions"), december);
    press(&mut h, Key::Escape);
    type_text(&mut h, "-3");
    press(&mut h, Key::Enter);
    assert!(grid(&mut h).error(0, 11).unwrap().contains("不能为负数"));
    assert_eq!(stored(&path, 12, "credit.interceptions"), december);
    press(&mut h, Key::Escape);
    assert_eq!(grid(&mut h).error(0, 11), None);

    // Submit December through the toolbar: it becomes read-only.
    h.get_by_label("报送12月").click();
    h.run();
    h.get_by_label("确认报送").click();
    h.run();
    assert_eq!(month_status(&path, 12, "credit"), MonthStatus::Submitted);
    assert_eq!(grid(&mut h).status(12), MonthStatus::Submitted);
    type_text(&mut h, "5");
    assert_eq!(
        grid(&mut h).editing(),
        None,
        "a submitted month cannot be edited"
    );
    assert!(h.query_by_label("报送12月").is_none());

    // The office signs in, sees it on the board and unlocks it with a reason.
    h.get_by_label("退出登录").click();
    h.run();
    sign_in(&mut h, "刘芳");
    {
        let board = board(&mut h);
        board.select("credit", 12);
        assert_eq!(
            board.state("credit", 12),
            nianbao::ui::board::BoardState::Submitted
        );
        assert!(board.missing(12).iter().any(|d| d.code == "registration"));
        assert!(board.reminder(12).contains("陈宇 0551-62356089"));
        board.set_reason("郑浩申请更正12月数据");
    }
    h.run();
    h.get_by_label("解锁").click();
    settle(&mut h);
    assert_eq!(month_status(&path, 12, "credit"), MonthStatus::Open);
    let log = Store::open(&path)
        .unwrap()
        .audit_log(&AuditFilter {
            entity: Some("month".into()),
            key_prefix: Some("2019/12/credit".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(log[0].reason, "郑浩申请更正12月数据");
    assert_eq!(log[0].actor, "liu.office");
}

#[test]
fn unlock_without_a_reason_is_refused() {
    let (_dir, path, mut h) = signed_in("刘芳");
    board(&mut h).select("news", 12);
    h.run();
    h.get_by_label("解锁").click();
    settle(&mut h);
    let board = h.state_mut().session().unwrap().board.as_ref().unwrap();
    assert!(matches!(board.notice(), Some(Err(e)) if e.contains("原因")));
    assert_eq!(month_status(&path, 12, "news"), MonthStatus::Submitted);
}

#[test]
fn a_contact_sees_only_the_entry_tab_and_a_leader_cannot_edit() {
    let (_dir, _path, mut h) = signed_in("郑浩");
    assert!(h.query_by_label("报送情况").is_none());
    assert!(h.query_by_label("导入表格").is_none());
    h.get_by_label("退出登录").click();
    h.run();
    sign_in(&mut h, "黄局长");
    assert!(h.query_by_label("报送情况").is_some());
    assert!(h.query_by_label("导入表格").is_none());
    assert!(h.query_by_label("用户").is_none());

    // The audit log is read in the background, then listed.
    open_tab(&mut h, "审计日志");
    let audit = h.state_mut().session().unwrap().audit.as_ref().unwrap();
    assert!(audit.entries().iter().any(|e| e.entity == "month"));
}

#[test]
fn import_previews_then_writes_in_the_background() {
    let (dir, path, mut h) = signed_in("刘芳");
    let csv = dir.path().join("表.csv");
    std::fs::write(
        &csv,
        "year,month,division,metric,value\n2019,12,credit,credit.test_a,7\n2019,12,credit,credit.test_b,约8\n",
    )
    .unwrap();
    h.get_by_label("导入表格").click();
    h.run();
    check_import(&mut h, &csv);
    let plan = h
        .state_mut()
        .session()
        .unwrap()
        .import
        .as_ref()
        .unwrap()
        .plan()
        .cloned();
    let plan = plan.expect("preview");
    assert_eq!(plan.rejected.len(), 1);
    assert_eq!(plan.rejected[0].row, 3);
    // Confirming is not possible while a row is refused: nothing is written.
    h.get_by_label("确认导入").click();
    wait_idle(&mut h);
    assert_eq!(stored(&path, 12, "credit.test_a"), None);

    // Fix the sheet, check again, confirm.
    std::fs::write(
        &csv,
        "year,month,division,metric,value\n2019,12,credit,credit.test_a,7\n2019,12,credit,credit.test_b,8\n",
    )
    .unwrap();
    check_import(&mut h, &csv);
    h.get_by_label("确认导入").click();
    wait_idle(&mut h);
    assert_import_done(&mut h);
    assert_eq!(stored(&path, 12, "credit.test_b"), Some(Decimal::from(8)));
}

#[test]
fn a_blank_cell_keeps_the_stored_value_unless_the_office_ticks_clear() {
    let (dir, path, mut h) = signed_in("刘芳");
    let office = Store::open(&path).unwrap().actor("liu.office").unwrap();
    let write = nianbao::store::ValueWrite {
        year: 2019,
        month: 10,
        division: "credit".into(),
        metric: "credit.test_a".into(),
        value: Some(Decimal::from(5)),
        note: String::new(),
        seen: None,
    };
    Store::open(&path)
        .unwrap()
        .set_value(&office, &write)
        .unwrap();
    let csv = dir.path().join("空白.csv");
    std::fs::write(
        &csv,
        "year,month,division,metric,value\n2019,10,credit,credit.test_a,\n",
    )
    .unwrap();
    h.get_by_label("导入表格").click();
    h.run();

    // Unticked (the default): the blank keeps 5, nothing would be written.
    check_import(&mut h, &csv);
    let plan = import_plan(&mut h);
    assert_eq!((plan.kept, plan.rows.len()), (1, 0));
    h.get_by_label("确认导入").click();
    wait_idle(&mut h);
    assert_eq!(stored(&path, 10, "credit.test_a"), Some(Decimal::from(5)));

    // Ticked: the same sheet clears it.
    h.get_by_role_and_label(Role::CheckBox, "空白单元格清除已有数值")
        .click();
    h.run();
    check_import(&mut h, &csv);
    let plan = import_plan(&mut h);
    assert_eq!((plan.kept, plan.rows.len()), (0, 1));
    h.get_by_label("确认导入").click();
    wait_idle(&mut h);
    assert_eq!(stored(&path, 10, "credit.test_a"), None);
}

#[test]
fn last_years_report_as_pdf_is_read_previewed_by_cell_and_imported() {
    let (dir, path, mut h) = signed_in("刘芳");
    // The demo's own 2019 report as our exporter writes it, then one of its figures
    // changed in the file: importing the report puts it back, and nothing else changes.
    let pdf = dir.path().join("2019年报.pdf");
    {
        let store = Store::open(&path).unwrap();
        let doc = nianbao::pipeline::compile_year(&store, 2019, "annual-report")
            .unwrap()
            .document;
        let fonts =
            nianbao::pipeline::fonts(&nianbao::pipeline::font_names(&store).unwrap()).unwrap();
        std::fs::write(&pdf, nianbao::pipeline::pdf_bytes(&doc, &fonts).unwrap()).unwrap();
    }
    let office = Store::open(&path).unwrap().actor("liu.office").unwrap();
    let code = "t3.open.natural";
    let before = Store::open(&path)
        .unwrap()
        .value(2019, 0, "office", code)
        .unwrap()
        .flatten()
        .expect("the demo has the figure");
    let write = nianbao::store::ValueWrite {
        year: 2019,
        month: 0,
        division: "office".into(),
        metric: code.into(),
        value: Some(before + Decimal::from(1000)),
        note: String::new(),
        seen: None,
    };
    Store::open(&path)
        .unwrap()
        .set_value(&office, &write)
        .unwrap();
    let audit_before = audit_rows(&path);

    h.get_by_label("导入表格").click();
    h.run();
    check_import(&mut h, &pdf);
    let plan = import_plan(&mut h);
    assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
    let changed: Vec<_> = (plan.rows.iter())
        .filter(|r| r.change == nianbao::import::RowChange::Changed)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].write.metric, code);
    // The preview names the cell by table, row and column, and shows the tables as read.
    h.get_by_label_contains("修改　表三“（一）予以公开”行“自然人”");
    h.get_by_label_contains("从年报读到的表格");
    h.get_by_label("确认导入").click();
    wait_idle(&mut h);
    assert_import_done(&mut h);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.value(2019, 0, "office", code).unwrap().flatten(),
        Some(before)
    );
    let audit = store.audit_log(&AuditFilter::default()).unwrap();
    assert_eq!(
        audit.len(),
        audit_before + 1,
        "one cell written, one audit row"
    );
}

#[test]
fn a_document_without_the_tables_is_refused_with_its_reason_and_writes_nothing() {
    let (dir, path, mut h) = signed_in("刘芳");
    let txt = dir.path().join("通知.txt");
    std::fs::write(
        &txt,
        "关于做好2019年政府信息公开工作年度报告的通知\n请各处室于1月15日前报送。\n",
    )
    .unwrap();
    let audit_before = audit_rows(&path);
    h.get_by_label("导入表格").click();
    h.run();
    check_import(&mut h, &txt);
    assert!(import_plan_if_any(&mut h).is_none());
    h.get_by_label_contains("没有找到年报的表二、表三或表四");
    assert!(h.query_by_label("确认导入").is_none());
    assert_eq!(audit_rows(&path), audit_before);
}

fn import_plan_if_any(h: &mut Harness<'_, App>) -> Option<nianbao::import::ImportPlan> {
    h.state_mut()
        .session()
        .unwrap()
        .import
        .as_ref()
        .unwrap()
        .plan()
        .cloned()
}

fn import_plan(h: &mut Harness<'_, App>) -> nianbao::import::ImportPlan {
    import_plan_if_any(h).expect("preview")
}

/// The import screen checks `sheet` in the background, as after choosing it in the dialog.
fn check_import(h: &mut Harness<'_, App>, sheet: &Path) {
    let ctx = h.ctx.clone();
    let session = h.state_mut().session().unwrap();
    let store = &session.store;
    let import = session.import.as_mut().expect("import screen shown");
    import.check_file(&ctx, store, sheet.to_path_buf());
    wait_idle(h);
}

/// The import screen says the confirmed write is done (else the test fails with what it
/// says instead).
fn assert_import_done(h: &mut Harness<'_, App>) {
    let import = h.state_mut().session().unwrap().import.as_ref().unwrap();
    assert!(
        matches!(import.notice(), Some(Ok(m)) if m.starts_with("导入完成")),
        "{:?}",
        import.notice()
    );
}

/// Frames until the import screen's jobs are done, then until the UI settles. One frame
/// at a time while a job runs: its progress asks for repaints, so `Harness::run` would
/// not settle and fail the test (the flake of `import_previews_then_writes_in_the_background`
/// under a loaded machine: a write that took longer than a few frames).
fn wait_idle(h: &mut Harness<'_, App>) {
    for _ in 0..500 {
        h.step();
        let busy = h
            .state_mut()
            .session()
            .and_then(|s| s.import.as_ref())
            .is_some_and(|i| i.busy());
        if !busy {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("job did not finish");
}

fn open_tab(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

/// Types into the text (or password) field named `label`: focus, then text events.
fn fill(h: &mut Harness<'_, App>, label: &str, text: &str) {
    let role = if h
        .query_by_role_and_label(Role::PasswordInput, label)
        .is_some()
    {
        Role::PasswordInput
    } else {
        Role::TextInput
    };
    h.get_by_role_and_label(role, label).focus();
    h.run();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run();
}

fn click_button(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

fn audit_rows(path: &Path) -> usize {
    Store::open(path)
        .unwrap()
        .audit_log(&AuditFilter::default())
        .unwrap()
        .len()
}

fn metric(path: &Path, code: &str) -> Option<Metric> {
    Store::open(path)
        .unwrap()
        .metrics(2019)
        .unwrap()
        .into_iter()
        .find(|m| m.code == code)
}

#[test]
fn office_adds_a_metric_and_a_refused_edit_changes_nothing() {
    let (_dir, path, mut h) = signed_in_on("刘芳", "指标目录");
    add_metric(&mut h, "news.video", "视频解读", "新闻宣传处");
    let video = metric(&path, "news.video").expect("added");
    assert_eq!(video.name, "视频解读");
    assert_eq!(video.owners, ["news"]);
    assert_eq!(video.kind, ValueKind::Count);
    assert_eq!(video.period, Period::Monthly);

    // The same code again: the store's refusal in Chinese, and nothing changes.
    let audit = audit_rows(&path);
    add_metric(&mut h, "news.video", "另一个名字", "新闻宣传处");
    let notice = catalogue_notice(&mut h);
    assert!(notice.contains("已有指标代码 news.video"), "{notice}");
    assert!(h.query_by_label_contains("已有指标代码").is_some(), "shown");
    assert_eq!(metric(&path, "news.video").unwrap().name, "视频解读");
    assert_eq!(audit_rows(&path), audit);

    // Fewer decimal places than 2354.48 has: refused, places and values unchanged.
    let fines = metric(&path, "food.fines").unwrap();
    let before = Store::open(&path)
        .unwrap()
        .stored_values(2019..=2019, None, Some("food.fines"))
        .unwrap();
    {
        let editor = h.state_mut().session().unwrap().catalogue.as_mut().unwrap();
        editor.select("food.fines");
        editor.form_mut().places = 1;
    }
    h.run();
    click_button(&mut h, "保存");
    let notice = catalogue_notice(&mut h);
    assert!(notice.contains("不能减少小数位数"), "{notice}");
    assert_eq!(metric(&path, "food.fines").unwrap(), fines);
    assert_eq!(
        Store::open(&path)
            .unwrap()
            .stored_values(2019..=2019, None, Some("food.fines"))
            .unwrap(),
        before
    );
    assert_eq!(audit_rows(&path), audit);
}

/// 新增指标 on the catalogue screen: code, name, one owner division, 保存.
fn add_metric(h: &mut Harness<'_, App>, code: &str, name: &str, owner: &str) {
    click_button(h, "新增指标");
    fill(h, "指标代码", code);
    fill(h, "指标名称", name);
    h.get_by_role_and_label(Role::CheckBox, owner).click();
    h.run();
    click_button(h, "保存");
}

fn catalogue_notice(h: &mut Harness<'_, App>) -> String {
    match h
        .state_mut()
        .session()
        .unwrap()
        .catalogue
        .as_ref()
        .unwrap()
        .notice()
    {
        Some(Err(e)) => e.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn office_renames_a_division_and_a_taken_code_changes_nothing() {
    let (_dir, path, mut h) = signed_in_on("刘芳", "处室");
    h.get_by_label("登记注册处").click();
    h.run();
    // The division's contact person and phone are shown for editing.
    assert!(h.query_by_label("chen.yu 的电话").is_some());
    fill(&mut h, "新名称", "（行政审批）");
    click_button(&mut h, "保存处室");
    let name = |path: &Path| {
        Store::open(path)
            .unwrap()
            .divisions()
            .unwrap()
            .into_iter()
            .find(|d| d.code == "registration")
            .unwrap()
            .name
    };
    assert_eq!(name(&path), "登记注册处（行政审批）");

    let before = Store::open(&path).unwrap().divisions().unwrap();
    let audit = audit_rows(&path);
    fill(&mut h, "处室代码", "credit");
    fill(&mut h, "处室名称", "档案处");
    click_button(&mut h, "新增处室");
    assert!(
        h.query_by_label_contains("处室代码已存在：credit")
            .is_some()
    );
    assert_eq!(Store::open(&path).unwrap().divisions().unwrap(), before);
    assert_eq!(audit_rows(&path), audit);
}

#[test]
fn office_adds_a_user_who_signs_in_then_deactivates_them() {
    let (_dir, path, mut h) = signed_in_on("刘芳", "用户");
    fill(&mut h, "登录名", "qian.duo");
    fill(&mut h, "姓名", "钱多");
    fill(&mut h, "电话", "0551-62356100");
    fill(&mut h, "初始密码", "pw-2019");
    {
        let users = h.state_mut().session().unwrap().users.as_mut().unwrap();
        users.new_form_mut().division = Some("credit".into());
    }
    h.run();
    click_button(&mut h, "新增用户");
    let store = Store::open(&path).unwrap();
    let qian = store.actor("qian.duo").expect("added");
    assert_eq!(qian.division.as_deref(), Some("credit"));
    assert!(store.verify_password("qian.duo", "pw-2019").unwrap());

    // The same login again is refused in Chinese and changes nothing.
    let audit = audit_rows(&path);
    fill(&mut h, "登录名", "qian.duo");
    fill(&mut h, "姓名", "钱少");
    click_button(&mut h, "新增用户");
    assert!(
        h.query_by_label_contains("处室填报员必须属于一个处室")
            .is_some()
    );
    {
        let users = h.state_mut().session().unwrap().users.as_mut().unwrap();
        users.new_form_mut().division = Some("news".into());
    }
    click_button(&mut h, "新增用户");
    assert!(
        h.query_by_label_contains("登录名已存在：qian.duo")
            .is_some()
    );
    assert_eq!(audit_rows(&path), audit);

    // The new contact signs in with the password and gets their division's grid.
    click_button(&mut h, "退出登录");
    h.get_by_label_contains("钱多").click();
    h.run();
    fill(&mut h, "密码：", "wrong");
    h.get_by_label("登录").click();
    h.run();
    assert!(
        h.state_mut().session().is_none(),
        "a wrong password is refused"
    );
    assert!(h.query_by_label("密码不正确").is_some());
    fill(&mut h, "密码：", "pw-2019");
    h.get_by_label("登录").click();
    settle(&mut h);
    assert!(h.state().title().contains("钱多"));
    assert_eq!(grid(&mut h).division, "credit");

    // Deactivated, they are no longer offered at sign-in.
    click_button(&mut h, "退出登录");
    sign_in(&mut h, "刘芳");
    open_tab(&mut h, "用户");
    h.get_by_label("钱多").click();
    h.run();
    click_button(&mut h, "停用该用户");
    click_button(&mut h, "退出登录");
    assert!(h.query_by_label_contains("钱多").is_none());
    assert!(matches!(
        Store::open(&path).unwrap().actor("qian.duo"),
        Err(nianbao::store::StoreError::Inactive(_))
    ));
}

#[test]
fn office_enters_a_yearly_table_figure() {
    let (_dir, path, mut h) = signed_in_on("刘芳", "数据填报");
    assert_eq!(grid(&mut h).mode(), EntryMode::Monthly);
    h.get_by_label("年度数据").click();
    h.run();
    let g = grid(&mut h);
    assert_eq!(g.mode(), EntryMode::Yearly);
    assert_eq!(g.division, "office");
    let headings = g.headings();
    for t in [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "三、本年度办理结果（三）不予公开 4.保护第三方合法权益",
    ] {
        assert!(headings.contains(&t), "{t} in {headings:?}");
    }
    assert!(g.rows().iter().all(|r| r.metric.period == Period::Yearly));
    let row = g.row_of("t3.new.natural").unwrap();
    assert_eq!(g.rows()[row].label, "自然人");
    let before = Store::open(&path)
        .unwrap()
        .value(2019, 0, "office", "t3.new.natural")
        .unwrap();

    // A bad entry keeps its reason and saves nothing; a good one is saved at once.
    g.set_cursor(row, 0);
    h.run();
    type_text(&mut h, "-3");
    press(&mut h, Key::Enter);
    assert!(grid(&mut h).error(row, 0).unwrap().contains("不能为负数"));
    let yearly = |path: &Path| {
        Store::open(path)
            .unwrap()
            .value(2019, 0, "office", "t3.new.natural")
            .unwrap()
    };
    assert_eq!(yearly(&path), before);
    press(&mut h, Key::Escape);
    type_text(&mut h, "４２");
    press(&mut h, Key::Enter);
    assert_eq!(yearly(&path), Some(Some(Decimal::from(42))));
    assert_eq!(grid(&mut h).cursor(), (row + 1, 0), "Enter moves down");
    command(&mut h, Key::Z);
    assert_eq!(yearly(&path), before, "undo works here too");

    // The grid scrolls to the cursor: down to the last of the 200 table figures, and
    // back up, the cursor cell wholly on screen after every step.
    let last = grid(&mut h).rows().len() - 1;
    assert!(last >= 199);
    for key in [Key::PageDown, Key::PageUp] {
        for _ in 0..12 {
            press(&mut h, key);
            let g = grid(&mut h);
            assert!(
                g.cursor_on_screen(),
                "cursor {:?} not on screen",
                g.cursor()
            );
        }
    }
    assert_eq!(grid(&mut h).cursor().0, 0);
    grid(&mut h).set_cursor(last, 0);
    h.run();
    assert!(grid(&mut h).cursor_on_screen());
}

#[test]
fn a_contact_sees_yearly_figures_only_of_metrics_they_own() {
    let (_dir, path, mut h) = signed_in("郑浩");
    assert!(!grid(&mut h).offers_yearly());
    assert!(h.query_by_label("年度数据").is_none());
    click_button(&mut h, "退出登录");

    // The office makes 信用监督管理处 an owner of one table-2 figure.
    {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        let mut license = store
            .metrics(2019)
            .unwrap()
            .into_iter()
            .find(|m| m.code == "t2.license.decisions")
            .unwrap();
        license.owners.push("credit".into());
        store.put_metrics(&office, 2019, &[license]).unwrap();
    }
    sign_in(&mut h, "郑浩");
    h.get_by_label("年度数据").click();
    h.run();
    let g = grid(&mut h);
    let codes: Vec<&str> = g.rows().iter().map(|r| r.metric.code.as_str()).collect();
    assert_eq!(codes, ["t2.license.decisions"]);
    type_text(&mut h, "1,234");
    press(&mut h, Key::Enter);
    assert_eq!(
        Store::open(&path)
            .unwrap()
            .value(2019, 0, "credit", "t2.license.decisions")
            .unwrap(),
        Some(Some(Decimal::from(1234)))
    );
}

// The app never invents data: a read that fails under a signed-in session is an error on
// the screen (Chinese, with the way out), and a file with no open year says so; neither
// shows a year or figures as if nothing happened. The file is damaged with a second
// SQLite connection, as a crash or another program could leave it.

/// Changes the file behind the app's back, as another program (or damage) would.
fn tamper(path: &Path, sql: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(&format!("PRAGMA foreign_keys = OFF; {sql}"))
        .unwrap();
}

#[test]
fn a_catalogue_that_cannot_be_read_is_an_error_not_a_made_up_year() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    // The catalogue's table is gone: the years cannot be read.
    tamper(&path, "DROP TABLE metric_owners; DROP TABLE metrics;");
    let mut h = harness(&path);
    sign_in(&mut h, "刘");
    for tab in ["报送情况", "数据填报", "概览", "导入表格"] {
        h.get_by_label(tab).click();
        h.run();
        assert!(
            h.query_by_label_contains("无法读取数据文件中的年度")
                .is_some(),
            "{tab}: the failed read is on the screen"
        );
        assert!(
            h.query_by_label_contains("no such table: metrics")
                .is_some(),
            "{tab}: with SQLite's reason"
        );
        assert!(
            h.query_by_label_contains("2019年").is_none(),
            "{tab}: no year is shown as if the read had worked"
        );
    }
    let session = h.state_mut().session().unwrap();
    assert!(session.entry.is_none() && session.board.is_none() && session.overview.is_none());
    // The screens of the whole file still work.
    h.get_by_label("处室").click();
    h.run();
    assert!(h.query_by_label_contains("新闻宣传处").is_some());
}

#[test]
fn a_repaired_file_is_read_again_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    tamper(&path, "ALTER TABLE metrics RENAME TO metrics_away;");
    let mut h = harness(&path);
    sign_in(&mut h, "刘");
    h.get_by_label("数据填报").click();
    h.run();
    assert!(
        h.query_by_label_contains("no such table: metrics")
            .is_some()
    );
    tamper(&path, "ALTER TABLE metrics_away RENAME TO metrics;");
    h.get_by_label("重新读取").click();
    h.run();
    h.run();
    assert!(h.query_by_label_contains("无法读取").is_none());
    let session = h.state_mut().session().unwrap();
    assert_eq!(session.tab, Tab::Entry);
    assert_eq!(session.entry.as_ref().expect("the grid is up").year, 2019);
}

#[test]
fn a_file_with_no_open_year_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("新机关.nianbao");
    Store::create_agency(&path, "某某局", 2026).unwrap();
    // The catalogue of the year opened at creation is removed again.
    tamper(&path, "DELETE FROM metric_owners; DELETE FROM metrics;");
    let mut h = harness(&path);
    sign_in(&mut h, "办公室");
    for tab in ["报送情况", "数据填报", "报告稿", "指标目录"] {
        h.get_by_label(tab).click();
        h.run();
        assert!(
            h.query_by_label("尚未开启任何年度").is_some(),
            "{tab} says there is no year"
        );
        assert!(h.query_by_label_contains("2026年").is_none(), "{tab}");
        assert!(h.query_by_label_contains("2019年").is_none(), "{tab}");
    }
}

#[test]
fn a_screen_whose_read_fails_after_it_opened_shows_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = harness(&path);
    sign_in(&mut h, "刘");
    h.get_by_label("数据填报").click();
    h.run();
    assert!(h.query_by_label_contains("no such table").is_none());
    // The month statuses go missing under the open grid, which then rereads (as after
    // choosing another division or year).
    tamper(&path, "DROP TABLE submissions;");
    let session = h.state_mut().session().unwrap();
    let (store, grid) = (&session.store, session.entry.as_mut().unwrap());
    grid.reload(store);
    h.run();
    assert!(
        h.query_by_label_contains("no such table: submissions")
            .is_some(),
        "the grid says its read failed"
    );
}

/// 取消 beside the progress bar stops checking a sheet: the sheet here is a named pipe,
/// so the check waits in its first step until the test writes the sheet, after 取消.
#[cfg(unix)]
#[test]
fn checking_a_sheet_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let sheet = dir.path().join("慢.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&sheet)
        .status()
        .unwrap();
    assert!(made.success());
    let mut h = harness(&path);
    sign_in(&mut h, "刘");
    h.get_by_label("导入表格").click();
    h.run();
    let ctx = h.ctx.clone();
    let session = h.state_mut().session().unwrap();
    let screen = session.import.as_mut().expect("import screen shown");
    screen.check_file(&ctx, &session.store, sheet.clone());
    // Wait until the check is in its first step (reading, stopped at the pipe).
    for _ in 0..500 {
        h.step();
        if h.query_by_label_contains("读取表格（0/2）").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(h.query_by_label_contains("读取表格（0/2）").is_some());
    h.get_by_label("取消").click();
    h.step();
    // Now the sheet arrives; the check must stop before checking it against the file.
    let writer = std::thread::spawn(move || {
        std::fs::write(
            &sheet,
            "year,month,division,metric,value\n2019,1,news,news.original,1\n",
        )
    });
    let busy = |h: &mut Harness<'_, App>| {
        h.state_mut()
            .session()
            .unwrap()
            .import
            .as_ref()
            .unwrap()
            .busy()
    };
    for _ in 0..500 {
        h.step();
        if !busy(&mut h) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!busy(&mut h), "the check ended");
    writer.join().unwrap().unwrap();
    h.run();
    let screen = h.state_mut().session().unwrap().import.as_ref().unwrap();
    assert!(screen.plan().is_none(), "no preview after 取消");
    assert!(h.query_by_label("已取消检查").is_some());
    assert!(h.query_by_label("确认导入").is_none());
}

/// The connection form on a PostgreSQL server (`NIANBAO_TEST_PG`): the remembered
/// address is filled in, a wrong password is refused with a clear message keeping the
/// address, the right one opens the sign-in, and only the address (never the password)
/// is remembered or shown in the title.
#[test]
fn the_office_connects_to_a_server_and_only_its_address_is_remembered() {
    let Some(admin) = nianbao::store::scratch::test_server("ui: connect to a server") else {
        return;
    };
    // A database of its own: the form names a database, not a schema in one.
    let database = format!("nb_ui_{}", std::process::id());
    let (address, password) = own_database(&admin, &database);
    drop(nianbao::demo::create(&address.url(&password)).unwrap());

    let mut settings = Settings::in_memory();
    settings.last_server = Some(address.remembered());
    let mut h = harness_of(App::new(settings, None));
    h.run();
    fill(&mut h, "密码：", "not-the-password");
    connect(&mut h);
    assert!(h.query_by_label_contains("拒绝登录").is_some());
    assert!(h.state_mut().session().is_none());
    fill(&mut h, "密码：", &password);
    connect(&mut h);
    sign_in(&mut h, "刘芳");
    let title = h.state().title().to_string();
    let shown = format!("{}:{}/{database}", address.host, address.port);
    assert!(title.contains(&shown), "{title}");
    assert!(!title.contains(&password), "{title}");
    let remembered = h.state().settings.last_server.clone().unwrap();
    assert_eq!(remembered, address.remembered());
    assert!(!remembered.contains(&password), "{remembered}");
    drop(h);
    postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .unwrap();
}

/// The connection form's 加密连接 and 根证书文件: a certificate checked against the root
/// file chosen, a root file that does not sign it refused with the reason, and the TLS
/// settings remembered with the address (never the password).
#[test]
fn the_connection_form_checks_the_servers_certificate_when_asked() {
    let Some(admin) = nianbao::store::scratch::test_server("ui: connect with TLS") else {
        return;
    };
    let ca = std::env::var("NIANBAO_TEST_PG_CA").expect("NIANBAO_TEST_PG_CA with NIANBAO_TEST_PG");
    let database = format!("nb_ui_tls_{}", std::process::id());
    let (mut address, password) = own_database(&admin, &database);
    drop(nianbao::demo::create(&address.url(&password)).unwrap());
    // The server's certificate names localhost (scripts/start-test-pg.sh).
    address.host = "localhost".into();

    let mut settings = Settings::in_memory();
    settings.last_server = Some(address.remembered());
    let mut h = harness_of(App::new(settings, None));
    h.run();
    h.get_by_label("加密连接：").click();
    h.run();
    h.get_by_label("加密并验证证书与主机名").click();
    h.run();
    // Roots that did not sign the server's certificate: refused, nothing opened.
    fill(&mut h, "根证书文件：", "/etc/ssl/certs/ca-certificates.crt");
    fill(&mut h, "密码：", &password);
    connect(&mut h);
    assert!(h.query_by_label_contains("证书未通过验证").is_some());
    assert!(h.state_mut().session().is_none());
    // The test CA's file instead.
    h.get_by_role_and_label(Role::TextInput, "根证书文件：")
        .focus();
    h.run();
    for _ in 0.."/etc/ssl/certs/ca-certificates.crt".chars().count() {
        h.key_press(Key::Backspace);
    }
    h.run();
    fill(&mut h, "根证书文件：", &ca);
    fill(&mut h, "密码：", &password);
    connect(&mut h);
    sign_in(&mut h, "刘芳");
    let session = h.state_mut().session().unwrap();
    assert_eq!(session.store.encrypted().unwrap(), Some(true));
    let remembered = h.state().settings.last_server.clone().unwrap();
    let want = nianbao::store::ServerAddress {
        tls: nianbao::store::Tls {
            mode: nianbao::store::TlsMode::VerifyFull,
            root_cert: Some(ca.into()),
        },
        ..address
    };
    assert_eq!(remembered, want.remembered());
    assert!(!remembered.contains(&password), "{remembered}");
    drop(h);
    postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .unwrap();
}

/// A fresh database `database` on the test server: its address, and the test login's
/// password.
fn own_database(admin: &str, database: &str) -> (nianbao::store::ServerAddress, String) {
    let mut client = postgres::Client::connect(admin, postgres::NoTls).unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        format!("CREATE DATABASE {database}"),
    ] {
        client.batch_execute(&sql).unwrap();
    }
    let password = admin
        .split_once("://")
        .and_then(|(_, rest)| rest.split('@').next())
        .and_then(|login| login.split_once(':'))
        .map(|(_, p)| p.to_string())
        .unwrap();
    let mut address = nianbao::store::ServerAddress::parse(admin).unwrap();
    address.database = database.to_string();
    (address, password)
}

/// Two desktops on one file: while the contact has the grid open, the office changes a
/// cell from another desktop. The contact's save of that cell is refused with the
/// current value and who changed it, the grid shows the current value, and the file
/// keeps the office's value (nothing overwritten, the contact's number in the message).
#[test]
fn a_cell_changed_on_another_desktop_meanwhile_is_not_overwritten() {
    let (_dir, path, mut h) = open_demo();
    sign_in(&mut h, "郑浩");
    assert_eq!(grid(&mut h).cursor(), (0, 8), "September");
    {
        let mut other = Store::open(&path).unwrap();
        let office = other.actor("liu.office").unwrap();
        other
            .set_value(
                &office,
                &nianbao::store::ValueWrite {
                    year: 2019,
                    month: 9,
                    division: "credit".into(),
                    metric: "credit.interceptions".into(),
                    value: Some(Decimal::from(4321)),
                    note: String::new(),
                    seen: None,
                },
            )
            .unwrap();
    }
    type_text(&mut h, "55");
    press(&mut h, Key::Enter);
    let g = grid(&mut h);
    let Some(nianbao::ui::entry::Notice::Problem(message)) = g.notice() else {
        panic!("{:?}", g.notice().is_some());
    };
    assert!(message.contains("刚被他人修改"), "{message}");
    assert!(message.contains("liu.office 于"), "{message}");
    assert!(message.contains("改为 4321"), "{message}");
    assert!(message.contains("您填写的 55 未保存"), "{message}");
    assert_eq!(g.rows()[0].values[8], Some(Decimal::from(4321)));
    assert_eq!(
        stored(&path, 9, "credit.interceptions"),
        Some(Decimal::from(4321))
    );
    // Typed again, now over the value shown, it is saved.
    grid(&mut h).set_cursor(0, 8);
    type_text(&mut h, "55");
    press(&mut h, Key::Enter);
    assert_eq!(
        stored(&path, 9, "credit.interceptions"),
        Some(Decimal::from(55))
    );
}

/// Clicks 连接 and runs the app until the connection, made in the background while a
/// spinner turns, is done.
fn connect(h: &mut Harness<'_, App>) {
    h.get_by_role_and_label(Role::Button, "连接").click();
    h.step();
    for _ in 0..1000 {
        let connecting = matches!(&h.state().screen, Screen::Welcome(w) if w.connecting());
        if !connecting {
            h.run();
            return;
        }
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the connection did not finish");
}

/// A division contact with a database login of their own (`server login`): the form
/// connects with it, the sign-in offers that user alone, already chosen and asking no
/// second password, and signing in gives the contact's screens only.
#[test]
fn a_contact_signs_in_with_their_own_database_login() {
    let Some(admin) = nianbao::store::scratch::test_server("ui: a contact's database login") else {
        return;
    };
    let database = format!("nb_ui_login_{}", std::process::id());
    let (address, password) = own_database(&admin, &database);
    let mut store = nianbao::demo::create(&address.url(&password)).unwrap();
    let roles = store.secure_on_server().unwrap();
    let login = store
        .grant_server_login("zheng.hao", "zheng-password-1")
        .unwrap();
    drop(store);

    let mut settings = Settings::in_memory();
    let contact = nianbao::store::ServerAddress {
        user: login.clone(),
        ..address.clone()
    };
    settings.last_server = Some(contact.remembered());
    let mut h = harness_of(App::new(settings, None));
    h.run();
    fill(&mut h, "密码：", "zheng-password-1");
    connect(&mut h);
    assert!(matches!(h.state().screen, Screen::SignIn(_)), "connected");
    // Only the login's own user is offered, chosen, with no password field.
    assert!(h.query_by_label_contains("郑浩（zheng.hao）").is_some());
    assert!(h.query_by_label_contains("刘芳").is_none());
    assert!(h.query_by_label("密码：").is_none());
    h.get_by_label("登录").click();
    settle(&mut h);
    let session = h.state_mut().session().expect("signed in");
    assert_eq!(session.user.login, "zheng.hao");
    assert!(h.query_by_label("报送情况").is_none());
    assert!(h.query_by_label("导入表格").is_none());
    drop(h);

    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .unwrap();
    for role in [login, roles.office, roles.contact, roles.leader] {
        client
            .batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""))
            .unwrap();
    }
}

/// A city office's desktop: its agencies with their reports and checks on 各单位, and the
/// consolidated report started on 报告稿 from the city template, its figures the sums.
#[test]
fn a_city_office_sees_its_agencies_and_starts_the_consolidated_report() {
    let Some(admin) = nianbao::store::scratch::test_server("ui: a city office") else {
        return;
    };
    // A database of its own: the administrator's city sees every store in its database.
    let database = format!("nb_ui_city_{}", std::process::id());
    let (address, password) = own_database(&admin, &database);
    let base = address.url(&password).display().to_string();
    let [jia, yi, city] = ["jia", "yi", "city"];
    let mut in_db = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    for s in [jia, yi, city] {
        in_db.batch_execute(&format!("CREATE SCHEMA {s}")).unwrap();
    }
    drop(in_db);
    let url = |schema: &str| nianbao::store::url_in_schema(&base, schema);
    let mut demo = nianbao::demo::create(Path::new(&url(jia))).unwrap();
    let office = demo.actor("liu.office").unwrap();
    demo.set_agency(&office, "甲局").unwrap();
    drop(demo);
    drop(Store::create_agency(Path::new(&url(yi)), "乙局", 2019).unwrap());
    drop(Store::create_city(Path::new(&url(city)), "某某市人民政府", 2019).unwrap());

    let mut h = harness(Path::new(&url(city)));
    sign_in(&mut h, "办公室");
    assert_eq!(h.state_mut().session().unwrap().tab, Tab::Agencies);
    settle(&mut h);
    assert!(
        h.query_by_label_contains("可读取 2 个单位，汇总计入 2 个，其中 0 个的年度报告已审定")
            .is_some()
    );
    assert!(h.query_by_label("甲局").is_some());
    assert!(h.query_by_label("乙局").is_some());
    assert_eq!(h.query_all_by_label("尚未起草").count(), 2);
    // 乙局 entered nothing: its checks and the sum's name the missing figures.
    assert!(h.query_by_label_contains("合计的检查（错误").is_some());
    let sum_of = |h: &mut Harness<'_, App>| -> Vec<String> {
        let session = h.state_mut().session().unwrap();
        let year = session.agencies.as_ref().unwrap().city_year().unwrap();
        let year = year.as_ref().expect("read");
        (year.consolidated.agencies.iter())
            .map(|a| a.report.name.clone())
            .collect()
    };
    assert_eq!(sum_of(&mut h), ["甲局", "乙局"]);

    // The office leaves 乙局 out of the sum: saved in the city's store for the year, and
    // what the report and `nianbao city` sum from then on.
    h.get_by_role_and_label(Role::CheckBox, "乙局").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("2019年的汇总报告计入 1 个单位")
            .is_some()
    );
    assert!(h.query_by_label_contains("汇总计入 1 个").is_some());
    assert!(h.query_by_label("未计入汇总").is_some());
    assert_eq!(sum_of(&mut h), ["甲局"]);
    let settings = Store::open(Path::new(&url(city)))
        .unwrap()
        .settings()
        .unwrap();
    assert_eq!(settings.city_agencies[&2019], [jia]);
    let summed = nianbao::pipeline::consolidate_year(
        &Store::open(Path::new(&url(city))).unwrap(),
        2019,
        nianbao::pipeline::Agencies::Server(None),
        &nianbao::check::CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(summed.agencies.len(), 1);
    // Leaving out the last one is refused with the reason, and nothing changes.
    h.get_by_role_and_label(Role::CheckBox, "甲局").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("汇总报告至少要计入一个单位")
            .is_some()
    );
    assert_eq!(sum_of(&mut h), ["甲局"]);
    // Ticked again: every agency, the setting gone.
    h.get_by_role_and_label(Role::CheckBox, "乙局").click();
    settle(&mut h);
    assert_eq!(sum_of(&mut h), ["甲局", "乙局"]);
    let settings = Store::open(Path::new(&url(city)))
        .unwrap()
        .settings()
        .unwrap();
    assert!(settings.city_agencies.is_empty());
    // The report is started from the city's template, over the agencies' sums.
    open_tab(&mut h, "报告稿");
    assert!(
        h.query_by_value("政府信息公开工作年度报告（各单位汇总）")
            .is_some()
    );
    h.get_by_label("新建报告稿").click();
    // The new draft opens in the editor, whose preview keeps a spinner going: step.
    for _ in 0..3 {
        h.step();
    }
    let store = Store::open(Path::new(&url(city))).unwrap();
    let drafts = store.drafts(Some(2019)).unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].template, "city-annual-report");
    assert_eq!(
        drafts[0].title,
        "某某市人民政府2019年政府信息公开工作年度报告"
    );
    drop(h);
    drop(store);
    postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .unwrap();
}
