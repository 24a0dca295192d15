//! The 正文 editor's costs (divan), run with `cargo bench --bench editor`, on the
//! work-summary draft of the demo (about 10 pages).
//!
//! - `keystroke_frame`: one frame of the 报告稿 screen in which a character is typed into
//!   the 正文 view (the chip buffer updated, the source rewritten, the text laid out
//!   again, the preview painted): the editor shows the keystroke in this frame, so the
//!   target is one frame, under 16 ms.
//! - `still_frame`: the same screen redrawn without input.
//! - `keystroke_preview`: after the keystroke, the background job that makes the new
//!   preview — compile, checks, layout, chip values — on the typed text. The preview
//!   follows the keystroke after `COMPILE_DELAY` (40 ms) of quiet plus this; target
//!   100 ms in all.
//! - `parse_serialize`: the segment model's round trip of the draft (done on each edit).

use std::time::Duration;

use divan::Bencher;
use egui::Event;
use nianbao::layout::FontSet;
use nianbao::store::{Actor, Store};
use nianbao::ui::drafts::{DraftsScreen, build_view};

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
    let id = nianbao::approval::start(&mut store, &actor, 2019, "work-summary", None).unwrap();
    Fixture {
        _dir: dir,
        store,
        actor,
        id,
    }
}

fn frame(ctx: &egui::Context, events: Vec<Event>, screen: &mut DraftsScreen, f: &mut Fixture) {
    support::frame_with(ctx, events, |ui| {
        screen.ui(ui, &mut f.store, &f.actor);
    });
}

/// The screen with the work summary open and compiled, the 正文 view focused with its
/// cursor in the middle of the text.
fn setup() -> (egui::Context, DraftsScreen, Fixture) {
    let mut f = fixture();
    let ctx = egui::Context::default();
    nianbao::ui::fonts::install(&ctx);
    let years = nianbao::ui::widgets::OpenYears::read(&f.store)
        .unwrap()
        .expect("an open year");
    let mut screen = DraftsScreen::new(&f.store, &f.actor, &years);
    screen.open(&f.store, f.id);
    for _ in 0..2000 {
        frame(&ctx, Vec::new(), &mut screen, &mut f);
        let e = screen.editor.as_ref().unwrap();
        if !e.busy() && e.view.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    frame(&ctx, Vec::new(), &mut screen, &mut f);
    let rich = screen
        .editor
        .as_mut()
        .unwrap()
        .writing
        .rich
        .as_mut()
        .unwrap();
    let id = rich.edit_id.expect("the 正文 view is shown");
    let middle = rich.buffer.text().chars().count() / 2;
    let mut state = egui::TextEdit::load_state(&ctx, id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(
            egui::text::CCursor::new(middle),
        )));
    state.store(&ctx, id);
    ctx.memory_mut(|m| m.request_focus(id));
    for _ in 0..3 {
        frame(&ctx, Vec::new(), &mut screen, &mut f);
    }
    (ctx, screen, f)
}

#[divan::bench(sample_count = 200)]
fn keystroke_frame(bencher: Bencher) {
    let (ctx, mut screen, mut f) = setup();
    let before = screen.editor.as_ref().unwrap().source.len();
    bencher.bench_local(|| {
        frame(&ctx, vec![Event::Text("字".into())], &mut screen, &mut f);
    });
    let after = screen.editor.as_ref().unwrap().source.len();
    assert!(after > before, "the keystrokes went into the draft");
}

#[divan::bench(sample_count = 200)]
fn still_frame(bencher: Bencher) {
    let (ctx, mut screen, mut f) = setup();
    bencher.bench_local(|| {
        support::frame(&ctx, |ui| {
            screen.ui(ui, &mut f.store, &f.actor);
        })
    });
}

#[divan::bench(sample_count = 30)]
fn keystroke_preview(bencher: Bencher) {
    let f = fixture();
    let fonts = FontSet::bundled().unwrap();
    let mut draft = f.store.draft(f.id).unwrap();
    draft.source = draft.source.replacen("认真贯彻", "认真贯彻字", 1);
    bencher.bench_local(|| build_view(f.store.path(), &draft, &fonts).unwrap());
}

#[divan::bench]
fn parse_serialize(bencher: Bencher) {
    let f = fixture();
    let source = f.store.draft(f.id).unwrap().source;
    bencher
        .bench_local(|| nianbao::compile::rich::serialize(&nianbao::compile::rich::parse(&source)));
}
