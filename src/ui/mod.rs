//! The desktop app (桌面程序): eframe window, fonts, settings, and one module per screen.
//!
//! Shape (after egui's demo library): each screen is a plain struct owning its state and
//! showing itself through `fn ui(&mut self, ui, …)`; [`app::App`] owns the open store,
//! the signed-in user and the screens, and switches between them. The same structs are
//! driven by egui_kittest in `tests/ui.rs` and by the frame-time benchmark.
//!
//! Must never: write SQL, lay out report text or decide permissions — it calls `store`,
//! `import`, `check` and friends, and shows their (Chinese) errors.
//!
//! Chinese input methods: egui-winit enables the IME only while egui reports an
//! `IMEOutput` (a focused `TextEdit` does; the entry grid does while a cell is being
//! edited), and turns the composed text into `Event::Ime(Commit)`. Nothing here disables
//! it; full-width digits typed through an IME are normalised by `value::parse`.

pub mod agencies;
pub mod app;
pub mod audit;
pub mod board;
pub mod catalogue;
pub mod divisions;
pub mod drafts;
pub mod entry;
pub mod export;
pub mod fonts;
pub mod import;
pub mod overview;
pub mod preview;
pub mod provenance;
pub mod register;
pub mod review;
pub mod settings;
pub mod sheets;
pub mod signin;
pub mod users;
pub mod welcome;
pub mod widgets;

use std::path::PathBuf;

/// The window's icon (title bar, taskbar, Alt-Tab), drawn by `scripts/make-icon.py`
/// like the icon build.rs embeds in the Windows exe.
const WINDOW_ICON: &[u8] = include_bytes!("../../assets/icon/nianbao.png");

/// Opens the app window on `db` (else the last file, else the welcome screen). Returns
/// a Chinese message when the window cannot be created.
pub fn run(db: Option<PathBuf>) -> Result<(), String> {
    let started = std::time::Instant::now();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("年报")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 600.0])
            .with_icon(eframe::icon_data::from_png_bytes(WINDOW_ICON).unwrap_or_default()),
        // glow (OpenGL) rather than wgpu: wgpu cannot get a device under wine, and glow
        // runs on Mesa's software renderer (FINDINGS.md).
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "nianbao",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            // Office desktops: a light theme, like the Office/WPS windows beside it.
            cc.egui_ctx.set_theme(egui::ThemePreference::Light);
            let mut app = app::App::new(settings::Settings::load(), db);
            app.started = Some(started);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| format!("无法打开窗口：{e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::WINDOW_ICON).unwrap();
        assert_eq!((icon.width, icon.height), (256, 256));
        // the corner is transparent, the middle is drawn
        assert_eq!(icon.rgba[3], 0);
        assert_eq!(icon.rgba[(128 * 256 + 128) * 4 + 3], 255);
    }
}
