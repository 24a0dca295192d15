//! 插入数据 (Ctrl+K): finds a metric of the year's catalogue by its Chinese name, its
//! division or its code, shows its value as the report would print it, and puts in a
//! chip for the year total, the months 1–N (截至N月), last year or the change on last
//! year (同比). The chip is the template call (`figure(…)`, `yoy(…)`); its value comes
//! from the compiler (`rich::eval`), the same as every other chip.

use std::collections::HashMap;

use egui::RichText;

use crate::compile::rich::eval::{ChipValue, Evaluator};
use crate::model::YearData;

/// Which figure of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Year,
    UpTo(u8),
    LastYear,
    YearOnYear,
}

impl Choice {
    /// The chip's source for metric `code`.
    pub fn chip(self, code: &str) -> String {
        match self {
            Choice::Year => format!("{{{{ figure(\"{code}\") }}}}"),
            Choice::UpTo(n) => format!("{{{{ figure(\"{code}\", upto={n}) }}}}"),
            Choice::LastYear => format!("{{{{ figure(\"{code}\", prev=true) }}}}"),
            Choice::YearOnYear => format!("{{{{ yoy(\"{code}\") }}}}"),
        }
    }
}

/// The picker while open.
pub struct Picker {
    pub query: String,
    pub choice: Choice,
    upto: u8,
    /// Values shown so far, by chip.
    values: HashMap<String, ChipValue>,
    focus: bool,
}

impl Default for Picker {
    fn default() -> Picker {
        Picker {
            query: String::new(),
            choice: Choice::Year,
            upto: 11,
            values: HashMap::new(),
            focus: true,
        }
    }
}

/// The metrics matching `query` (name, code, or an owner division's name or code),
/// in catalogue order.
pub fn matching<'a>(data: &'a YearData, query: &str) -> Vec<&'a crate::model::Metric> {
    let q = query.trim();
    data.metrics
        .iter()
        .filter(|m| {
            q.is_empty()
                || m.name.contains(q)
                || m.code.contains(q)
                || m.owners
                    .iter()
                    .any(|o| o.contains(q) || data.division(o).is_some_and(|d| d.name.contains(q)))
        })
        .collect()
}

impl Picker {
    /// Draws the picker in a window. Returns the chip picked, with its value; `open`
    /// is cleared when closed.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        data: &YearData,
        eval: &Evaluator,
        open: &mut bool,
    ) -> Option<(String, ChipValue)> {
        let mut picked = None;
        egui::Window::new("插入数据")
            .open(open)
            .collapsible(false)
            .default_width(560.0)
            .show(ctx, |ui| {
                let label = ui.label("查找指标（名称、处室或代码）：");
                let search = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.query)
                            .id_salt("figure-picker-query")
                            .hint_text("如：主动公开、办公室、news.")
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if std::mem::take(&mut self.focus) {
                    search.request_focus();
                }
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.choice, Choice::Year, "全年");
                    let upto = ui.radio(matches!(self.choice, Choice::UpTo(_)), "截至");
                    let months = ui.add(egui::DragValue::new(&mut self.upto).range(1..=12));
                    let label = ui.label("月");
                    let months = months.labelled_by(label.id);
                    if upto.clicked() || months.changed() {
                        self.choice = Choice::UpTo(self.upto);
                    }
                    ui.radio_value(&mut self.choice, Choice::LastYear, "上年");
                    ui.radio_value(&mut self.choice, Choice::YearOnYear, "同比");
                });
                ui.separator();
                let metrics = matching(data, &self.query);
                if metrics.is_empty() {
                    ui.label("没有匹配的指标。");
                }
                egui::ScrollArea::vertical()
                    .max_height(360.0)
                    .show(ui, |ui| {
                        egui::Grid::new("figure-picker")
                            .striped(true)
                            .num_columns(5)
                            .show(ui, |ui| {
                                for m in metrics.iter().take(60) {
                                    let chip = self.choice.chip(&m.code);
                                    let value = self
                                        .values
                                        .entry(chip.clone())
                                        .or_insert_with(|| eval.value("", &chip))
                                        .clone();
                                    ui.label(&m.name);
                                    let owners: Vec<&str> = m
                                        .owners
                                        .iter()
                                        .map(|o| data.division(o).map_or(o.as_str(), |d| &d.name))
                                        .collect();
                                    ui.label(RichText::new(owners.join("、")).weak());
                                    ui.label(RichText::new(&m.code).weak().small());
                                    let shown =
                                        format!("{}{}", value.shown(), unit(&value, &m.unit));
                                    if value.is_warning() {
                                        ui.colored_label(
                                            egui::Color32::from_rgb(0xa0, 0x40, 0x00),
                                            shown,
                                        );
                                    } else {
                                        ui.label(shown);
                                    }
                                    let insert = ui
                                        .push_id(&m.code, |ui| ui.button("插入"))
                                        .inner
                                        .on_hover_text(format!("插入“{}”", m.name));
                                    if insert.clicked() {
                                        picked = Some((chip, value));
                                    }
                                    ui.end_row();
                                }
                            });
                    });
            });
        if picked.is_some() {
            *open = false;
        }
        picked
    }
}

/// The unit after a figure's value (a 同比 phrase or a missing value has none).
fn unit<'a>(value: &ChipValue, unit: &'a str) -> &'a str {
    match value {
        ChipValue::Figure(f) if !f.missing && f.provenance.inputs.is_empty() => unit,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_found_by_name_division_or_code() {
        let data = crate::demo::data::year_data(2019);
        let by_name = matching(&data, "主动公开");
        assert!(by_name.iter().any(|m| m.code == "disclosure.proactive"));
        let by_code = matching(&data, "news.original");
        assert_eq!(by_code.len(), 1);
        let office = data.division("office").unwrap().name.clone();
        let by_division = matching(&data, &office);
        assert!(
            by_division
                .iter()
                .any(|m| m.owners.iter().any(|o| o == "office"))
        );
        assert!(!by_division.is_empty());
        assert_eq!(
            Choice::UpTo(11).chip("a.b"),
            "{{ figure(\"a.b\", upto=11) }}"
        );
    }
}
