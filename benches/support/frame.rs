//! One egui frame as the benchmarks measure it: the pass (layout, painting shapes) plus
//! tessellation in a 1400×900 window — everything but the GPU upload.

use egui::{RawInput, Rect, Vec2};

pub fn frame(ctx: &egui::Context, draw: impl FnMut(&mut egui::Ui)) {
    frame_with(ctx, Vec::new(), draw);
}

/// A frame with input `events` (a keystroke, a click).
#[allow(dead_code)] // not every bench sends input
pub fn frame_with(
    ctx: &egui::Context,
    events: Vec<egui::Event>,
    mut draw: impl FnMut(&mut egui::Ui),
) {
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(
            egui::Pos2::ZERO,
            Vec2::new(1400.0, 900.0),
        )),
        events,
        ..Default::default()
    };
    let mut out = ctx.run_ui(input, |ui| {
        egui::CentralPanel::default().show(ui, |ui| draw(ui));
    });
    // No GPU here: the font atlas updates are dropped, not uploaded.
    out.textures_delta.clear();
    divan::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
}
