//! The desktop app on a temporary demo file, driven through egui_kittest, for the
//! drafts tests: sign in, open the 报告稿 tab, wait for the background compile.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::{Event, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::store::Store;
use nianbao::ui::app::App;
use nianbao::ui::drafts::{DraftEditor, DraftsScreen};
use nianbao::ui::settings::Settings;
use rust_decimal::Decimal;

use super::demo_values::add_to_office_value;

pub const PROACTIVE: &str = "disclosure.proactive";

pub fn demo_file(dir: &Path) -> PathBuf {
    let path = dir.join("演示.nianbao");
    nianbao::demo::create(&path).expect("demo");
    path
}

pub fn harness(path: &Path) -> Harness<'static, App> {
    let app = App::new(Settings::in_memory(), Some(path.to_path_buf()));
    Harness::builder()
        .with_size(Vec2::new(1500.0, 950.0))
        .with_context_setup(nianbao::ui::fonts::install)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

pub fn sign_in(h: &mut Harness<'_, App>, name: &str) {
    h.get_by_label_contains(name).click();
    h.run_ok();
    h.get_by_label("登录").click();
    h.run_ok();
    assert!(h.state_mut().session().is_some(), "signed in as {name}");
}

pub fn sign_out(h: &mut Harness<'_, App>) {
    h.get_by_label("退出登录").click();
    h.run_ok();
}

pub fn screen<'a>(h: &'a mut Harness<'_, App>) -> &'a mut DraftsScreen {
    h.state_mut()
        .session()
        .unwrap()
        .drafts
        .as_mut()
        .expect("drafts tab shown")
}

pub fn editor<'a>(h: &'a mut Harness<'_, App>) -> &'a mut DraftEditor {
    screen(h).editor.as_mut().expect("a draft is open")
}

/// Runs frames until `done` holds (jobs run on their own threads meanwhile).
pub fn wait_for(
    h: &mut Harness<'_, App>,
    what: &str,
    done: impl Fn(&mut Harness<'_, App>) -> bool,
) {
    for _ in 0..1500 {
        h.run_ok();
        if done(h) {
            h.run_ok();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

pub fn wait_compiled(h: &mut Harness<'_, App>) {
    wait_for(h, "the draft to compile", |h| {
        let e = editor(h);
        !e.busy() && e.view.is_some()
    });
}

pub fn click_at(h: &mut Harness<'_, App>, pos: Pos2) {
    h.hover_at(pos);
    h.run_ok();
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run_ok();
}

/// Adds `by` to the office's December value of `code`, through its own connection.
pub fn add_to_december(path: &Path, code: &str, by: i64) {
    add_to_office_value(&mut Store::open(path).unwrap(), 12, code, by);
}

/// Signs in as the office (刘芳) and starts a draft of the default template (新建报告稿),
/// waiting until it has compiled.
pub fn office_with_new_draft(path: &Path) -> Harness<'static, App> {
    let mut h = harness(path);
    sign_in(&mut h, "刘芳");
    h.get_by_label("报告稿").click();
    h.run_ok();
    h.get_by_label("新建报告稿").click();
    h.run_ok();
    wait_compiled(&mut h);
    h
}

pub fn number(text: &str) -> Decimal {
    text.parse()
        .unwrap_or_else(|_| panic!("{text} is a number"))
}
