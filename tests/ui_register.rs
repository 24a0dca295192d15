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

#[path = "support/demo_values.rs"]
mod demo_values;
#[path = "support/drafts_app.rs"]
mod drafts_app;

/// In a year kept in the register, a figure of table 3 in the preview traces to the
/// applications it counts — number, dates, result — and a leader sees them too, without
/// the applicants' names.
#[test]
fn a_table_3_figure_lists_the_applications_it_counts() {
    use nianbao::model::register::{ApplicantType, Application, Channel};
    use nianbao::store::TableSource;

    let dir = tempfile::tempdir().unwrap();
    let path = drafts_app::demo_file(dir.path());
    {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        let day = |d: &str| d.parse().unwrap();
        let natural = ApplicantType::parse("自然人").unwrap();
        let mut first =
            Application::received("2019-001", day("2019-03-04"), Channel::Online, natural);
        first.applicant_name = Some("张三".into());
        first.replied = Some(day("2019-03-20"));
        first.result = ResultRow::parse("予以公开");
        let mut second =
            Application::received("2019-002", day("2019-12-23"), Channel::Post, natural);
        second.applicant_name = Some("李四".into());
        store.add_application(&office, &first).unwrap();
        store.add_application(&office, &second).unwrap();
        store
            .set_table_source(&office, 2019, TableSource::Register)
            .unwrap();
    }
    let mut h = drafts_app::office_with_new_draft(&path);
    for who in ["刘芳", "黄局长"] {
        if who != "刘芳" {
            h.get_by_label("送审").click();
            h.run_ok();
            drafts_app::sign_out(&mut h);
            drafts_app::sign_in(&mut h, who);
            h.get_by_label("报告稿").click();
            h.run_ok();
            h.get_by_label("打开").click();
            h.run_ok();
            drafts_app::wait_compiled(&mut h);
        }
        let block = {
            let m = drafts_app::editor(&mut h).shown().unwrap();
            nianbao::approval::figures(&m.document)
                .find(|(_, f)| f.provenance.metric_code == "t3.new.total")
                .expect("the 本年新收 figure")
                .0
        };
        drafts_app::editor(&mut h).locate(block);
        h.run_ok();
        let (_, rect) = drafts_app::editor(&mut h)
            .figure_on_screen("t3.new.total")
            .expect("figure on screen");
        h.hover_at(rect.center());
        h.run_ok();
        assert!(
            h.query_by_label_contains("依申请台账中的 2 件").is_some(),
            "{who}: the register's records in the provenance"
        );
        assert!(h.query_by_label("2019-001").is_some(), "{who}");
        assert!(h.query_by_label("2019-002").is_some(), "{who}");
        assert!(
            h.query_by_label("2019-03-20").is_some(),
            "{who}: reply date"
        );
        assert!(
            h.query_by_label_contains("张三").is_none(),
            "{who}: no applicant's name"
        );
    }
}

/// The overview warns about the register's time limits: an application left open since
/// January is listed (overdue, or — past the last holiday notice shipped — as a due date
/// that cannot be counted), in the words of `check`.
#[test]
fn the_overview_lists_applications_past_their_time_limit() {
    use nianbao::model::register::{ApplicantType, Application, Channel};

    let dir = tempfile::tempdir().unwrap();
    let path = drafts_app::demo_file(dir.path());
    {
        let mut store = Store::open(&path).unwrap();
        let office = store.actor("liu.office").unwrap();
        let natural = ApplicantType::parse("自然人").unwrap();
        let received = "2026-01-05".parse().unwrap();
        let open = Application::received("2026-901", received, Channel::Online, natural);
        store.add_application(&office, &open).unwrap();
    }
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    // The tab reads in the background (a spinner meanwhile): step, wait, then settle.
    h.get_by_role_and_label(Role::Button, "概览").click();
    h.step();
    h.step();
    let overview = h.state_mut().session().unwrap().overview.as_mut();
    overview.expect("overview shown").wait_loaded();
    h.run();
    let deadlines = h
        .state_mut()
        .session()
        .unwrap()
        .overview
        .as_ref()
        .unwrap()
        .deadlines
        .clone();
    let ours: Vec<_> = deadlines
        .iter()
        .filter(|f| f.message.contains("2026-901"))
        .collect();
    assert_eq!(ours.len(), 1, "{deadlines:?}");
    assert!(
        ["register.overdue", "register.calendar_missing"].contains(&ours[0].code.as_str()),
        "{ours:?}"
    );
    assert!(h.query_by_label_contains("依申请公开答复期限").is_some());
    assert!(
        h.query_by_label_contains(&ours[0].message).is_some(),
        "the warning is on screen"
    );
}

/// The handling of an application from the screen: a 补正 restarts the time limit and
/// an extension adds to it (the due date moves), a date that does not read is refused
/// with nothing changed, and a mistaken record is withdrawn only with a reason.
#[test]
fn the_office_records_a_correction_and_an_extension_and_withdraws_a_mistaken_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("演示.nianbao");
    drop(nianbao::demo::create(&path).unwrap());
    let mut h = harness(&path);
    sign_in(&mut h, "刘芳");
    click(&mut h, "依申请台账");
    fill(&mut h, "申请编号", "2026-018");
    fill(&mut h, "收到日期", "2026-02-03");
    click(&mut h, "登记");
    let office = Actor::setup();
    let stored = || {
        Store::open(&path)
            .unwrap()
            .application(&office, "2026-018")
            .unwrap()
            .unwrap()
    };
    let due = |h: &mut Harness<'_, App>| {
        let screen = h.state_mut().session().unwrap().register.as_mut().unwrap();
        screen.rows()[0].due.clone()
    };
    assert_eq!(due(&mut h), "2026-03-09");
    h.get_by_label("2026-018").click();
    h.run();

    // A date that does not read: refused, nothing stored.
    fill(&mut h, "补正通知日期", "二月十日");
    click(&mut h, "保存办理过程");
    assert!(
        h.query_by_label_contains("补正通知日期不是日期").is_some(),
        "the refusal says which field"
    );
    assert_eq!(stored().correction_sent, None);

    let screen = h.state_mut().session().unwrap().register.as_mut().unwrap();
    let form = screen.handling_form_mut();
    form.correction_sent = "2026-02-10".into();
    form.correction_answered = "2026-03-02".into();
    form.extension_days = "10".into();
    click(&mut h, "保存办理过程");
    let app = stored();
    assert_eq!(
        app.correction_answered.map(|d| d.to_string()).as_deref(),
        Some("2026-03-02")
    );
    assert_eq!(app.extension_days, Some(10));
    let moved = due(&mut h);
    assert!(
        moved.as_str() > "2026-03-30",
        "20 + 10 working days from 3/2: {moved}"
    );
    assert!(
        h.query_by_label(&moved).is_some(),
        "the new due date is shown"
    );

    // Withdrawing needs a reason; with one, the record counts nowhere.
    click(&mut h, "撤回登记");
    assert_eq!(stored().withdrawn, None);
    fill(&mut h, "撤回原因", "重复登记");
    click(&mut h, "撤回登记");
    assert_eq!(stored().withdrawn.as_deref(), Some("重复登记"));
    assert!(h.query_by_label_contains("已撤回登记：重复登记").is_some());
}
