//! Fonts for the screen: a CJK face first in both families so Chinese never shows as
//! boxes. On Windows the system's 微软雅黑 (`msyh.ttc`), then 宋体 (`simsun.ttc`); the
//! bundled Noto Sans CJK SC subset (already compiled into the binary for the PDF, which
//! covers the 8105 通用规范汉字 including 璟 喆 堃) is always in the chain as a fallback.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

use crate::layout::fonts::{Bundled, system_font_dirs};

/// The font definitions the app uses (egui's defaults plus CJK faces in front).
pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    let mut names = Vec::new();
    for dir in system_font_dirs() {
        for file in ["msyh.ttc", "simsun.ttc"] {
            let path = dir.join(file);
            if names.iter().any(|n: &String| n == file) {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                fonts
                    .font_data
                    .insert(file.to_string(), Arc::new(FontData::from_owned(bytes)));
                names.push(file.to_string());
            }
        }
    }
    fonts.font_data.insert(
        "noto-sans-cjk".into(),
        Arc::new(FontData::from_static(Bundled::Sans.bytes())),
    );
    names.push("noto-sans-cjk".into());
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        for (i, name) in names.iter().enumerate() {
            list.insert(i, name.clone());
        }
    }
    fonts
}

/// Installs [`definitions`] in a context.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
}
