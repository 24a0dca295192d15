//! The desktop app driven through egui_kittest on a temporary demo file: sign-in, the
//! entry grid's keys, paste, undo, invalid input, submitting, and the office unlocking.
//! Every check that matters is made against the file through a second `Store`.

use std::path::{Path, PathBuf};

use egui::{Event, Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::catalog::{Aggregation, Metric, Period, ValueKind};
use nianbao::store::{AuditFilter, MonthStatus, Store};
use nianbao::ui::app::App;
use nianbao::ui::entry::EntryGrid;
use nianbao::ui::settings::Settings;
use rust_decimal::Decimal;

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
    let app = App::new(Settings::in_memory(), Some(path.to_path_buf()));
    Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_accessibility_check(false)
        // egui_kittest panics on any glyph the fonts lack: every screen the tests reach
        // is checked to draw its Chinese (no boxes).
        .with_context_setup(nianbao::ui::fonts::install)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

fn sign_in(h: &mut Harness<'_, App>, name: &str) {
    h.get_by_label_contains(name).click();
    h.run();
    h.get_by_label("登录").click();
    h.run();
    assert!(h.state_mut().session().is_some(), "signed in as {name}");
}

fn grid<'a>(h: &'a mut Harness<'_, App>) -> &'a mut EntryGrid {
    h.state_mut()
        .session()
        .unwrap()
        .entry
        .as_mut()
        .expect("entry grid shown")
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

#[test]
fn contact_enters_pastes_undoes_and_submits_then_office_unlocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = harness(&path);
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
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(stored(&path, 12, "credit.test_c"), None);
    assert_eq!(stored(&path, 9, "credit.test_a"), None);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert_eq!(stored(&path, 12, "credit.test_c"), Some(Decimal::from(12)));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    // …and the typing before it, one edit at a time.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
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
    assert_eq!(
        Store::open(&path)
            .unwrap()
            .month_status(2019, 12, "credit")
            .unwrap(),
        MonthStatus::Submitted
    );
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
        let session = h.state_mut().session().unwrap();
        let board = session.board.as_mut().expect("office starts on the board");
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
    h.run();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.month_status(2019, 12, "credit").unwrap(),
        MonthStatus::Open
    );
    let log = store
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
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    h.state_mut()
        .session()
        .unwrap()
        .board
        .as_mut()
        .unwrap()
        .select("news", 12);
    h.run();
    h.get_by_label("解锁").click();
    h.run();
    let board = h.state_mut().session().unwrap().board.as_ref().unwrap();
    assert!(matches!(board.notice(), Some(Err(e)) if e.contains("原因")));
    assert_eq!(
        Store::open(&path)
            .unwrap()
            .month_status(2019, 12, "news")
            .unwrap(),
        MonthStatus::Submitted
    );
}

#[test]
fn a_contact_sees_only_the_entry_tab_and_a_leader_cannot_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let mut h = harness(&path);
    sign_in(&mut h, "郑浩");
    assert!(h.query_by_label("报送情况").is_none());
    assert!(h.query_by_label("导入表格").is_none());
    h.get_by_label("退出登录").click();
    h.run();
    sign_in(&mut h, "黄局长");
    assert!(h.query_by_label("报送情况").is_some());
    assert!(h.query_by_label("导入表格").is_none());
}

#[test]
fn import_previews_then_writes_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let csv = dir.path().join("表.csv");
    std::fs::write(
        &csv,
        "year,month,division,metric,value\n2019,12,credit,credit.test_a,7\n2019,12,credit,credit.test_b,约8\n",
    )
    .unwrap();
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    h.get_by_label("导入表格").click();
    h.run();
    let ctx = h.ctx.clone();
    {
        let session = h.state_mut().session().unwrap();
        let store = &session.store;
        session
            .import
            .as_mut()
            .unwrap()
            .check_file(&ctx, store, csv.clone());
    }
    wait_idle(&mut h);
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
    h.run();
    wait_idle(&mut h);
    assert_eq!(stored(&path, 12, "credit.test_a"), None);

    // Fix the sheet, check again, confirm.
    std::fs::write(
        &csv,
        "year,month,division,metric,value\n2019,12,credit,credit.test_a,7\n2019,12,credit,credit.test_b,8\n",
    )
    .unwrap();
    {
        let session = h.state_mut().session().unwrap();
        let store = &session.store;
        session
            .import
            .as_mut()
            .unwrap()
            .check_file(&ctx, store, csv.clone());
    }
    wait_idle(&mut h);
    h.get_by_label("确认导入").click();
    h.run();
    wait_idle(&mut h);
    assert_eq!(stored(&path, 12, "credit.test_b"), Some(Decimal::from(8)));
}

fn wait_idle(h: &mut Harness<'_, App>) {
    for _ in 0..500 {
        h.run();
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
