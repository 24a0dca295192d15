//! The 依申请台账 screen through egui_kittest: the office registers an application, sees
//! its due date and working days left, records the reply; a leader has no such tab.

use std::path::Path;

use egui::{Role, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::model::register::ResultRow;
use nianbao::store::{Actor, Store};
use nianbao::ui::app::App;
use nianbao::ui::settings::Settings;

fn harness(path: &Path) -> Harness<'static, App> {
    let app = App::new(Settings::in_memory(), Some(path.to_path_buf()));
    Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_context_setup(nianbao::ui::fonts::install)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

fn sign_in(h: &mut Harness<'_, App>, name: &str) {
    h.get_by_label_contains(name).click();
    h.run();
    h.get_by_label("登录").click();
    settle(h);
    assert!(h.state_mut().session().is_some(), "signed in as {name}");
}

/// Runs the app until idle; the office's board reads in the background after sign-in.
fn settle(h: &mut Harness<'_, App>) {
    h.step();
    h.step();
    if let Some(board) = h.state_mut().session().and_then(|s| s.board.as_mut()) {
        board.wait_loaded();
    }
    h.run();
}

fn fill(h: &mut Harness<'_, App>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    h.run();
}

fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

#[test]
fn the_office_registers_an_application_sees_its_due_date_and_records_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("演示.nianbao");
    drop(nianbao::demo::create(&path).unwrap());
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    click(&mut h, "依申请台账");
    fill(&mut h, "申请编号", "2026-017");
    fill(&mut h, "收到日期", "2026-02-03");
    fill(&mut h, "申请人", "王小明");
    click(&mut h, "登记");
    let office = Actor::setup();
    let stored = || {
        Store::open(&path)
            .unwrap()
            .application(&office, "2026-017")
            .unwrap()
    };
    let app = stored().expect("registered");
    assert_eq!(app.applicant_name.as_deref(), Some("王小明"));
    // Across the 2026 Spring Festival (two 调休 Saturdays): due 2026-03-09.
    let screen = h.state_mut().session().unwrap().register.as_mut().unwrap();
    let row = screen.rows()[0].clone();
    assert_eq!(row.due, "2026-03-09");
    assert!(!row.days_left.is_empty());
    assert!(
        h.query_by_label("2026-03-09").is_some(),
        "the due date is shown"
    );

    h.get_by_label("2026-017").click();
    h.run();
    fill(&mut h, "答复日期", "2026-03-02");
    let screen = h.state_mut().session().unwrap().register.as_mut().unwrap();
    screen.reply_form_mut().result = ResultRow::parse("open");
    click(&mut h, "保存答复");
    let app = stored().unwrap();
    assert_eq!(
        app.replied.map(|d| d.to_string()).as_deref(),
        Some("2026-03-02")
    );
    assert_eq!(app.result.map(|r| r.code()), Some("open"));
    assert!(h.query_by_label("已答复 2026-03-02：予以公开").is_some());
    // A refused save says why and changes nothing.
    fill(&mut h, "申请编号", "2026-017");
    fill(&mut h, "收到日期", "2026-02-04");
    click(&mut h, "登记");
    assert!(
        h.query_by_label_contains("申请编号已存在：2026-017")
            .is_some()
    );
    assert_eq!(
        Store::open(&path)
            .unwrap()
            .applications(&office)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_leader_has_no_register_tab() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("演示.nianbao");
    drop(nianbao::demo::create(&path).unwrap());
    let mut h = harness(&path);
    sign_in(&mut h, "黄局长");
    assert!(
        h.query_by_role_and_label(Role::Button, "依申请台账")
            .is_none()
    );
}
