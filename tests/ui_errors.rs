//! The desktop app never invents data: a read that fails under a signed-in session is
//! an error on the screen (Chinese, with the way out), and a file with no open year says
//! so — neither shows a year or figures as if nothing happened. Driven through
//! egui_kittest on temporary files; the file is damaged with a second SQLite connection,
//! as a crash or another program could leave it.

use std::path::{Path, PathBuf};

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::ui::app::{App, Tab};
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
    h.step();
    h.step();
    if let Some(board) = h.state_mut().session().and_then(|s| s.board.as_mut()) {
        // The board reads in the background, with a spinner until it is done.
        board.wait_loaded();
    }
    h.run();
    assert!(h.state_mut().session().is_some(), "signed in as {name}");
}

fn demo(dir: &Path) -> PathBuf {
    let path = dir.join("演示.nianbao");
    nianbao::demo::create(&path).expect("demo");
    path
}

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
    let path = demo(dir.path());
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
    let path = demo(dir.path());
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
    nianbao::store::Store::create_agency(&path, "某某局", 2026).unwrap();
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
    let path = demo(dir.path());
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
