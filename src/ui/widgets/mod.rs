//! Small reusable pieces shared by the screens.

/// A red line with an error message, when there is one.
pub fn error_line(ui: &mut egui::Ui, error: Option<&str>) {
    if let Some(e) = error {
        ui.colored_label(egui::Color32::from_rgb(0xc0, 0x20, 0x20), e);
    }
}

/// A green line saying something worked.
pub fn ok_line(ui: &mut egui::Ui, text: &str) {
    ui.colored_label(egui::Color32::from_rgb(0x20, 0x80, 0x30), text);
}

/// A year picker over the years the file has.
pub fn year_picker(ui: &mut egui::Ui, id: &str, years: &[i32], year: &mut i32) -> bool {
    let before = *year;
    egui::ComboBox::from_id_salt(id)
        .selected_text(format!("{year}年"))
        .show_ui(ui, |ui| {
            for &y in years {
                ui.selectable_value(year, y, format!("{y}年"));
            }
        });
    *year != before
}
