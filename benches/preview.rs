//! The draft screen's costs (divan), run with `cargo bench --bench preview`.
//!
//! - `preview_model`: laying the demo annual report out for the preview (the layout plus
//!   its hit boxes), which the compile job does after every edit.
//! - `compile_job`: the whole job — open the file, read the year, compile the draft,
//!   run the checks, lay it out.
//! - `frame_*`: one frame of the 报告稿 screen with the draft open (source editor, checks
//!   panel, two pages of preview painted glyph by glyph) in a 1400×900 window: egui's
//!   pass plus tessellation, everything but the GPU upload; `still` redraws the same
//!   view, `scrolling` jumps to another paragraph every frame, so other pages are
//!   painted. The target is well under 16 ms a frame.

use std::cell::Cell;
use std::time::Duration;

use divan::Bencher;
use nianbao::layout::FontSet;
use nianbao::store::{Actor, Store};
use nianbao::ui::drafts::{DraftsScreen, build_view};
use nianbao::ui::preview::PreviewModel;

#[path = "support/frame.rs"]
mod support;

fn main() {
    divan::main();
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    actor: Actor,
    id: i64,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = nianbao::demo::create(&dir.path().join("bench.nianbao")).unwrap();
    let actor = store.actor("liu.office").unwrap();
    let id = nianbao::approval::start(&mut store, &actor, 2019, "annual-report", None).unwrap();
    Fixture {
        _dir: dir,
        store,
        actor,
        id,
    }
}

#[divan::bench]
fn preview_model(bencher: Bencher) {
    let f = fixture();
    let fonts = FontSet::bundled().unwrap();
    let draft = f.store.draft(f.id).unwrap();
    let data = nianbao::approval::year_data(&f.store, 2019).unwrap();
    let doc = nianbao::approval::compile_draft(&f.store, &draft, &data)
        .unwrap()
        .document;
    bencher.bench_local(|| PreviewModel::build(doc.clone(), &fonts));
}

#[divan::bench]
fn compile_job(bencher: Bencher) {
    let f = fixture();
    let fonts = FontSet::bundled().unwrap();
    let draft = f.store.draft(f.id).unwrap();
    bencher.bench_local(|| build_view(f.store.path(), &draft, &fonts).unwrap());
}

fn frame(ctx: &egui::Context, screen: &mut DraftsScreen, f: &mut Fixture) {
    support::frame(ctx, |ui| {
        screen.ui(ui, &mut f.store, &f.actor);
    });
}

/// The screen with the draft open and compiled.
fn setup() -> (egui::Context, DraftsScreen, Fixture) {
    let mut f = fixture();
    let ctx = egui::Context::default();
    nianbao::ui::fonts::install(&ctx);
    let mut screen = DraftsScreen::new(
        &f.store,
        &f.actor,
        &nianbao::ui::widgets::OpenYears::read(&f.store)
            .unwrap()
            .expect("an open year"),
    );
    screen.open(&f.store, f.id);
    for _ in 0..2000 {
        frame(&ctx, &mut screen, &mut f);
        let e = screen.editor.as_ref().unwrap();
        if !e.busy() && e.view.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..5 {
        frame(&ctx, &mut screen, &mut f);
    }
    assert!(screen.editor.as_ref().unwrap().shown().is_some());
    (ctx, screen, f)
}

#[divan::bench]
fn frame_still(bencher: Bencher) {
    let (ctx, mut screen, mut f) = setup();
    bencher.bench_local(|| frame(&ctx, &mut screen, &mut f));
}

#[divan::bench]
fn frame_scrolling(bencher: Bencher) {
    let (ctx, mut screen, mut f) = setup();
    let blocks = screen
        .editor
        .as_ref()
        .unwrap()
        .shown()
        .unwrap()
        .document
        .blocks
        .len();
    let block = Cell::new(0usize);
    bencher.bench_local(|| {
        block.set((block.get() + 7) % blocks);
        screen.editor.as_mut().unwrap().locate(block.get());
        frame(&ctx, &mut screen, &mut f);
    });
}
