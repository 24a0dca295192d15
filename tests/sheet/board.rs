//! The 填报表 windows of the submission board, driven through egui_kittest: the office
//! makes the workbooks for chosen divisions into a folder, takes a folder of returns
//! back through the batch preview (one good, one refused), confirms, and the good one is
//! written while the refused one writes nothing; a return changed after its preview is
//! refused rather than written unseen.

use std::path::Path;

use egui::{Role as A11y, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nianbao::ui::app::App;
use nianbao::ui::board::Board;
use nianbao::ui::settings::Settings;

use super::*;

fn harness(path: &Path) -> Harness<'static, App> {
    let app = App::new(Settings::in_memory(), Some(path.to_path_buf()));
    Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_context_setup(nianbao::ui::fonts::install)
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Signed in as the fixture's office user, on the board with its year read.
fn office_on_board(db: &Path) -> Harness<'static, App> {
    let mut h = harness(db);
    h.get_by_label_contains("办公室").click();
    h.run();
    h.get_by_label("登录").click();
    h.step();
    h.step();
    board(&mut h).wait_loaded();
    h.run();
    h
}

fn board<'a>(h: &'a mut Harness<'_, App>) -> &'a mut Board {
    h.state_mut()
        .session()
        .expect("signed in")
        .board
        .as_mut()
        .expect("the office starts on the board")
}

/// Clicks a button; a background job it starts may keep repainting, so the frames are
/// run without requiring the UI to settle (the tests then wait for the job itself).
fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_role_and_label(A11y::Button, label).click();
    h.run_ok();
}

fn type_into(h: &mut Harness<'_, App>, label: &str, text: &str) {
    let role = if h.query_by_role_and_label(A11y::TextInput, label).is_some() {
        A11y::TextInput
    } else {
        A11y::MultilineTextInput
    };
    h.get_by_role_and_label(role, label).focus();
    h.run_ok();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run_ok();
}

#[test]
fn the_board_makes_workbooks_and_takes_a_folder_of_returns_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let mut h = office_on_board(&db);

    // 生成填报表: the two divisions, not the office's own workbook.
    click(&mut h, "生成填报表…");
    let out = dir.path().join("发出");
    {
        let make = board(&mut h).make_sheets.as_mut().expect("window open");
        let names: Vec<&str> = make
            .divisions
            .iter()
            .map(|(d, _)| d.name.as_str())
            .collect();
        assert_eq!(names, ["办公室", "新闻宣传处", "政策法规处"]);
        make.divisions[0].1 = false;
    }
    type_into(&mut h, "保存到文件夹：", &out.display().to_string());
    click(&mut h, "生成（2 份）");
    let make = board(&mut h).make_sheets.as_mut().unwrap();
    make.wait();
    let notice = make.notice().cloned().expect("a result");
    assert_eq!(notice, Ok(format!("已生成 2 份填报表到 {}", out.display())));
    assert!(news_book(&out).is_file());
    assert!(out.join("2026年-政策法规处-填报表.xlsx").is_file());
    assert!(!out.join("2026年-办公室-填报表.xlsx").exists());

    // The returns: 新闻宣传处 filled in, 政策法规处 with text in a number cell.
    let returns = dir.path().join("交回");
    std::fs::create_dir(&returns).unwrap();
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    save(&g, &returns.join("新闻.xlsx"));
    let mut g = grid(&out.join("2026年-政策法规处-填报表.xlsx"));
    let bad = set(data(&mut g), "policy.docs", "1月", text("三件"));
    save(&g, &returns.join("政策.xlsx"));
    let before = snapshot(&db);

    board(&mut h).make_sheets = None; // closed, as with its ×
    h.run_ok();
    click(&mut h, "导入填报表…");
    type_into(
        &mut h,
        "或路径（每行一个）：",
        &returns.display().to_string(),
    );
    click(&mut h, "检查");
    let take = board(&mut h).take_returns.as_mut().expect("window open");
    take.wait();
    let batch = take.batch().expect("the preview").clone();
    assert_eq!(batch.plans.len(), 2);
    assert_eq!(batch.importable(), 1);
    let policy = batch
        .plans
        .iter()
        .find(|p| p.file_name() == "政策.xlsx")
        .unwrap();
    assert_eq!(policy.refused[0].cell.as_deref(), Some(bad.as_str()));
    let news = batch
        .plans
        .iter()
        .find(|p| p.file_name() == "新闻.xlsx")
        .unwrap();
    // January's 12 becomes 15: shown as old → new.
    assert!(
        news.changes()
            .iter()
            .any(|c| c.contains("新闻发布会 1月：12 → 15")),
        "{:?}",
        news.changes()
    );
    assert_eq!(batch.not_returned.len(), 1, "the office returned nothing");
    h.run_ok();
    // The preview is on screen: the refused workbook with its cell, the button counts.
    assert!(
        h.query_by_label_contains(&format!("单元格 {bad}：不是数字"))
            .is_some(),
        "the refusal is shown"
    );
    assert_eq!(snapshot(&db), before, "checking writes nothing");

    click(&mut h, "确认导入（1 份）");
    let take = board(&mut h).take_returns.as_mut().unwrap();
    // The frames after the click may already have taken the job's result: the summary
    // tells what was written either way.
    take.wait();
    let report = take.report().expect("the summary").clone();
    assert_eq!((report.imported(), report.refused()), (1, 1));
    h.run_ok();
    assert!(h.query_by_label_contains("新闻宣传处：已导入").is_some());
    for (month, code, v) in expected() {
        assert_eq!(value(&db, month, code), Some(v), "{code} {month}");
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.value(YEAR, 1, "policy", "policy.docs").unwrap(), None);
}

#[test]
fn a_return_changed_after_its_preview_is_refused_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture(dir.path());
    let out = make_all(&db, dir.path());
    let back = dir.path().join("新闻.xlsx");
    let mut g = grid(&news_book(&out));
    fill(data(&mut g));
    save(&g, &back);

    let mut store = Store::open(&db).unwrap();
    let office = store.default_office_actor().unwrap();
    let batch = sheet::plan_returns(
        &store,
        &office,
        YEAR,
        std::slice::from_ref(&back),
        |_, _, _| {},
    )
    .unwrap();
    assert_eq!(batch.importable(), 1);
    // The contact re-saves the file with another figure after the office saw the preview.
    set(data(&mut g), "news.release", "4月", T::Num(99.0));
    save(&g, &back);
    let before = snapshot(&db);
    let report = sheet::apply_returns(&mut store, &office, &batch, |_, _, _| {}).unwrap();
    assert_eq!(report.refused(), 1, "{}", report.summary());
    assert!(report.summary().contains("预览之后文件或已存的数据有变化"));
    assert_eq!(snapshot(&db), before);
}
