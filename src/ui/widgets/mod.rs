//! Small reusable pieces shared by the screens.

mod background;
mod years;

pub use background::BackgroundRead;
pub use years::{OpenYears, YearsRead, read_years, year_gate};

/// The colour of "this worked" and "this is fine".
pub const OK_COLOR: egui::Color32 = egui::Color32::from_rgb(0x20, 0x80, 0x30);
/// The colour of an error message.
pub const ERROR_COLOR: egui::Color32 = egui::Color32::from_rgb(0xc0, 0x20, 0x20);
/// The colour of a warning.
pub const WARN_COLOR: egui::Color32 = egui::Color32::from_rgb(0xb0, 0x70, 0x00);

/// A red line with an error message, when there is one.
pub fn error_line(ui: &mut egui::Ui, error: Option<&str>) {
    if let Some(e) = error {
        ui.colored_label(ERROR_COLOR, e);
    }
}

/// A green line saying something worked.
pub fn ok_line(ui: &mut egui::Ui, text: &str) {
    ui.colored_label(OK_COLOR, text);
}

/// A background job's progress: `what (done/total)` over a bar.
pub fn progress_bar(ui: &mut egui::Ui, p: &crate::jobs::Progress) {
    ui.add(
        egui::ProgressBar::new(p.fraction())
            .show_percentage()
            .desired_width(480.0)
            .text(format!("{}（{}/{}）", p.what, p.done, p.total)),
    );
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
        })
        .response
        .accessible_name("年份");
    *year != before
}

/// One row of a two-column form grid: a label and a single-line text field it names
/// (for screen readers, and for tests that find the field by its label).
pub fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .desired_width(280.0),
        )
        .labelled_by(l.id);
    ui.end_row();
    r
}

/// One row of a form grid: a label and a drop-down of `options` it names. Returns true
/// when the choice changed.
pub fn choice_row<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    let l = ui.label(label);
    let before = value.clone();
    let shown = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or_else(String::new, |(_, s)| s.clone());
    egui::ComboBox::from_id_salt(("choice", label))
        .selected_text(shown)
        .width(280.0)
        .show_ui(ui, |ui| {
            for (v, s) in options {
                ui.selectable_value(value, v.clone(), s);
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    *value != before
}

/// The value of a store write, or `None` with the refusal kept in `notice` as
/// “未保存：reason” for [`notice_line`]: the editors' one way to report a refused save.
pub fn saved<T, E: std::fmt::Display>(
    notice: &mut Option<Result<String, String>>,
    result: Result<T, E>,
) -> Option<T> {
    result
        .map_err(|e| *notice = Some(Err(format!("未保存：{e}"))))
        .ok()
}

/// A message line: green when something worked, red with the reason when not.
pub fn notice_line(ui: &mut egui::Ui, notice: &Option<Result<String, String>>) {
    match notice {
        Some(Ok(s)) => ok_line(ui, s),
        Some(Err(e)) => error_line(ui, Some(e)),
        None => {}
    }
}
