//! 指标目录: the office keeps a year's metric catalogue — adds a metric, or edits one's
//! name, unit, kind and decimal places, aggregation (or formula), period (monthly /
//! yearly), owner divisions, the words prose uses for it, and its place in the order.
//!
//! The form only turns text into a [`Metric`] (and checks a formula's syntax and the
//! codes it names, which the store cannot: formulas belong to `compile`). Everything else
//! is the store's: a taken code, a places change that would lose digits (the store
//! rescales exactly or refuses), a period change or dropped owner that would strand
//! stored values. Its refusal is shown as it says it, and nothing changes.

use crate::model::formula::Expr;
use crate::model::{Aggregation, Division, Metric, Period, ValueKind};
use crate::store::{Actor, Store};

use super::widgets::{self, OpenYears};

/// The kinds of value a form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChoice {
    Count,
    Amount,
    Ratio,
}

/// The aggregations a form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregationChoice {
    Sum,
    Last,
    Max,
    Average,
    Formula,
}

/// A metric as the form edits it: text as typed, choices as picked.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricForm {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: KindChoice,
    /// Decimal places of an amount or ratio (a count has none).
    pub places: u32,
    pub aggregation: AggregationChoice,
    pub formula: String,
    pub period: Period,
    pub owners: Vec<String>,
    /// The words prose uses for it, separated by 、 ， , ; or new lines.
    pub words: String,
    pub sort_order: String,
}

impl MetricForm {
    fn blank(sort_order: i64) -> MetricForm {
        MetricForm {
            code: String::new(),
            name: String::new(),
            unit: "件".into(),
            kind: KindChoice::Count,
            places: 2,
            aggregation: AggregationChoice::Sum,
            formula: String::new(),
            period: Period::Monthly,
            owners: Vec::new(),
            words: String::new(),
            sort_order: sort_order.to_string(),
        }
    }

    pub fn from_metric(m: &Metric) -> MetricForm {
        let (kind, places) = match m.kind {
            ValueKind::Count => (KindChoice::Count, 0),
            ValueKind::Amount { places } => (KindChoice::Amount, places),
            ValueKind::Ratio { places } => (KindChoice::Ratio, places),
        };
        let (aggregation, formula) = match &m.aggregation {
            Aggregation::Sum => (AggregationChoice::Sum, String::new()),
            Aggregation::Last => (AggregationChoice::Last, String::new()),
            Aggregation::Max => (AggregationChoice::Max, String::new()),
            Aggregation::Average => (AggregationChoice::Average, String::new()),
            Aggregation::Formula(f) => (AggregationChoice::Formula, f.clone()),
        };
        MetricForm {
            code: m.code.clone(),
            name: m.name.clone(),
            unit: m.unit.clone(),
            kind,
            places,
            aggregation,
            formula,
            period: m.period,
            owners: m.owners.clone(),
            words: m.words.join("、"),
            sort_order: m.sort_order.to_string(),
        }
    }

    /// The metric the form describes, or what is wrong with the form (in Chinese).
    /// `catalogue` is the year's, for the codes a formula names.
    pub fn to_metric(&self, catalogue: &[Metric]) -> Result<Metric, String> {
        let code = self.code.trim().to_string();
        let sort_order = self
            .sort_order
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("排列顺序应为整数：“{}”", self.sort_order.trim()))?;
        let kind = match self.kind {
            KindChoice::Count => ValueKind::Count,
            KindChoice::Amount => ValueKind::Amount {
                places: self.places,
            },
            KindChoice::Ratio => ValueKind::Ratio {
                places: self.places,
            },
        };
        let aggregation = match self.aggregation {
            AggregationChoice::Sum => Aggregation::Sum,
            AggregationChoice::Last => Aggregation::Last,
            AggregationChoice::Max => Aggregation::Max,
            AggregationChoice::Average => Aggregation::Average,
            AggregationChoice::Formula => {
                let formula = self.formula.trim();
                if formula.is_empty() {
                    return Err("请填写计算公式".into());
                }
                let expr = Expr::parse(formula).map_err(|e| e.to_string())?;
                for used in expr.metrics() {
                    if used == code {
                        return Err(format!("公式不能引用指标自身：{used}"));
                    }
                    if !catalogue.iter().any(|m| m.code == used) {
                        return Err(format!("公式中的指标不在本年目录中：{used}"));
                    }
                }
                Aggregation::Formula(formula.to_string())
            }
        };
        let words = self
            .words
            .split(['、', '，', ',', ';', '；', '\n'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        Ok(Metric {
            code,
            name: self.name.trim().to_string(),
            unit: self.unit.trim().to_string(),
            kind,
            aggregation,
            period: self.period,
            owners: self.owners.clone(),
            words,
            sort_order,
        })
    }
}

/// What the form is editing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Editing {
    New,
    Existing(String),
}

/// The 指标目录 screen.
pub struct CatalogueEditor {
    pub year: i32,
    years: Vec<i32>,
    metrics: Vec<Metric>,
    divisions: Vec<Division>,
    filter: String,
    editing: Option<Editing>,
    form: MetricForm,
    notice: Option<Result<String, String>>,
}

impl CatalogueEditor {
    /// The editor on the latest of the file's open `years`.
    pub fn new(store: &Store, years: &OpenYears) -> CatalogueEditor {
        let mut editor = CatalogueEditor {
            year: years.latest(),
            years: years.all().to_vec(),
            metrics: Vec::new(),
            divisions: Vec::new(),
            filter: String::new(),
            editing: None,
            form: MetricForm::blank(0),
            notice: None,
        };
        editor.reload(store);
        editor
    }

    pub fn reload(&mut self, store: &Store) {
        match (store.metrics(self.year), store.divisions()) {
            (Ok(m), Ok(d)) => {
                self.metrics = m;
                self.divisions = d;
            }
            (Err(e), _) | (_, Err(e)) => self.notice = Some(Err(e.to_string())),
        }
    }

    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    pub fn notice(&self) -> Option<&Result<String, String>> {
        self.notice.as_ref()
    }

    /// Starts a new metric, placed after the last one.
    pub fn start_new(&mut self) {
        let last = self.metrics.iter().map(|m| m.sort_order).max().unwrap_or(0);
        self.form = MetricForm::blank(last + 10);
        self.editing = Some(Editing::New);
        self.notice = None;
    }

    /// Opens a metric of the year in the form.
    pub fn select(&mut self, code: &str) {
        if let Some(m) = self.metrics.iter().find(|m| m.code == code) {
            self.form = MetricForm::from_metric(m);
            self.editing = Some(Editing::Existing(code.to_string()));
            self.notice = None;
        }
    }

    /// The form (tests fill it in as a user would).
    pub fn form_mut(&mut self) -> &mut MetricForm {
        &mut self.form
    }

    /// Saves the form: a new metric is added (a taken code is refused), an existing one
    /// changed. Returns true when the store took it.
    pub fn save(&mut self, store: &mut Store, actor: &Actor) -> bool {
        let Some(editing) = self.editing.clone() else {
            return false;
        };
        let metric = match self.form.to_metric(&self.metrics) {
            Ok(m) => m,
            Err(e) => {
                self.notice = Some(Err(e));
                return false;
            }
        };
        if let Editing::Existing(code) = &editing
            && self.metrics.iter().any(|m| m.code == *code && *m == metric)
        {
            self.notice = Some(Ok("没有修改".into()));
            return false;
        }
        let result = match &editing {
            Editing::New => store.add_metric(actor, self.year, &metric),
            Editing::Existing(_) => {
                store.put_metrics(actor, self.year, std::slice::from_ref(&metric))
            }
        };
        if widgets::saved(&mut self.notice, result).is_none() {
            return false;
        }
        self.reload(store);
        self.select(&metric.code);
        self.notice = Some(Ok(format!(
            "已保存指标：{}（{}）",
            metric.name, metric.code
        )));
        true
    }

    /// Draws the screen. Returns true when the catalogue changed.
    pub fn ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let mut changed = false;
        ui.horizontal(|ui| {
            if widgets::year_picker(ui, "catalogue-year", &self.years, &mut self.year) {
                self.editing = None;
                self.reload(store);
            }
            let l = ui.label("筛选：");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("代码或名称")
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            if ui.button("新增指标").clicked() {
                self.start_new();
            }
            ui.label(format!("{}年共 {} 个指标", self.year, self.metrics.len()));
        });
        widgets::notice_line(ui, &self.notice);
        ui.separator();
        ui.columns(2, |cols| {
            self.list_ui(&mut cols[0]);
            changed = self.form_ui(&mut cols[1], store, actor);
        });
        changed
    }

    fn list_ui(&mut self, ui: &mut egui::Ui) {
        let filter = self.filter.trim().to_lowercase();
        let shown: Vec<usize> = self
            .metrics
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                filter.is_empty()
                    || m.code.to_lowercase().contains(&filter)
                    || m.name.contains(&filter)
            })
            .map(|(i, _)| i)
            .collect();
        let selected = match &self.editing {
            Some(Editing::Existing(code)) => Some(code.clone()),
            _ => None,
        };
        let mut pick = None;
        egui::ScrollArea::vertical()
            .id_salt("catalogue-list")
            .auto_shrink([false, false])
            .show_rows(ui, 20.0, shown.len(), |ui, range| {
                for &i in &shown[range] {
                    let m = &self.metrics[i];
                    let period = match m.period {
                        Period::Monthly => "按月",
                        Period::Yearly => "按年",
                    };
                    let text = format!("{}　{}（{}，{period}）", m.code, m.name, m.unit);
                    let is = selected.as_deref() == Some(m.code.as_str());
                    if ui
                        .add(egui::Button::selectable(is, text).truncate())
                        .clicked()
                    {
                        pick = Some(m.code.clone());
                    }
                }
            });
        if let Some(code) = pick {
            self.select(&code);
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, store: &mut Store, actor: &Actor) -> bool {
        let Some(editing) = self.editing.clone() else {
            ui.label("在左侧选择一个指标修改，或点“新增指标”。");
            return false;
        };
        ui.strong(match &editing {
            Editing::New => "新增指标".to_string(),
            Editing::Existing(code) => format!("修改指标 {code}"),
        });
        let divisions = self.divisions.clone();
        let mut save = false;
        egui::ScrollArea::vertical()
            .id_salt("catalogue-form")
            .show(ui, |ui| {
                egui::Grid::new("metric-form")
                    .num_columns(2)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        let f = &mut self.form;
                        if editing == Editing::New {
                            widgets::text_row(ui, "指标代码", &mut f.code, "如 news.video");
                        } else {
                            ui.label("指标代码");
                            ui.monospace(&f.code);
                            ui.end_row();
                        }
                        widgets::text_row(ui, "指标名称", &mut f.name, "如 视频解读");
                        widgets::text_row(ui, "单位", &mut f.unit, "条、次、件、万元、%");
                        widgets::choice_row(
                            ui,
                            "数值类型",
                            &mut f.kind,
                            &[
                                (KindChoice::Count, "计数（非负整数）".into()),
                                (KindChoice::Amount, "金额/数量（定位小数）".into()),
                                (KindChoice::Ratio, "比率（%）".into()),
                            ],
                        );
                        if f.kind != KindChoice::Count {
                            let l = ui.label("小数位数");
                            ui.horizontal(|ui| {
                                ui.add(egui::DragValue::new(&mut f.places).range(0..=9))
                                    .labelled_by(l.id);
                                if editing != Editing::New {
                                    ui.weak("改变位数时已填数值按比例换算；会丢失数字时不予修改");
                                }
                            });
                            ui.end_row();
                        }
                        widgets::choice_row(
                            ui,
                            "全年汇总",
                            &mut f.aggregation,
                            &[
                                (AggregationChoice::Sum, "各月相加".into()),
                                (AggregationChoice::Last, "取最后一个月".into()),
                                (AggregationChoice::Max, "取最大值".into()),
                                (AggregationChoice::Average, "取平均值".into()),
                                (AggregationChoice::Formula, "按公式计算（不填报）".into()),
                            ],
                        );
                        if f.aggregation == AggregationChoice::Formula {
                            widgets::text_row(
                                ui,
                                "计算公式",
                                &mut f.formula,
                                "如 1 - food.sampling.unqualified / food.sampling.batches",
                            );
                        }
                        widgets::choice_row(
                            ui,
                            "填报周期",
                            &mut f.period,
                            &[
                                (Period::Monthly, "按月填报".into()),
                                (Period::Yearly, "按年填报（年度数据）".into()),
                            ],
                        );
                        widgets::text_row(
                            ui,
                            "文中说法",
                            &mut f.words,
                            "用顿号分隔，如 视频解读、解读视频",
                        );
                        widgets::text_row(ui, "排列顺序", &mut f.sort_order, "整数，小的在前");
                    });
                // Outside the grid, so the list wraps at the screen's width.
                ui.label("负责处室（可填报该指标的处室）");
                ui.horizontal_wrapped(|ui| {
                    let f = &mut self.form;
                    for d in &divisions {
                        let mut on = f.owners.contains(&d.code);
                        if ui.checkbox(&mut on, &d.name).changed() {
                            if on {
                                f.owners.push(d.code.clone());
                            } else {
                                f.owners.retain(|o| o != &d.code);
                            }
                        }
                    }
                });
                ui.horizontal(|ui| {
                    save = ui.button("保存").clicked();
                    if ui.button("取消").clicked() {
                        self.editing = None;
                    }
                });
            });
        save && self.save(store, actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<Metric> {
        crate::demo::data::catalogue()
    }

    #[test]
    fn a_form_round_trips_every_demo_metric() {
        let all = catalogue();
        for m in &all {
            assert_eq!(&MetricForm::from_metric(m).to_metric(&all).unwrap(), m);
        }
    }

    #[test]
    fn a_bad_form_says_what_is_wrong() {
        let all = catalogue();
        let mut f = MetricForm::blank(10);
        f.code = "x.rate".into();
        f.sort_order = "十".into();
        assert!(f.to_metric(&all).unwrap_err().contains("排列顺序"));
        f.sort_order = "10".into();
        f.aggregation = AggregationChoice::Formula;
        f.formula = "1 - nowhere.count / 2".into();
        assert!(f.to_metric(&all).unwrap_err().contains("nowhere.count"));
        f.formula = "1 - (".into();
        assert!(f.to_metric(&all).unwrap_err().contains("公式"));
        f.formula = "x.rate * 2".into();
        assert!(f.to_metric(&all).unwrap_err().contains("自身"));
        f.words = "视频解读、 解读视频,,".into();
        f.aggregation = AggregationChoice::Sum;
        assert_eq!(f.to_metric(&all).unwrap().words, ["视频解读", "解读视频"]);
    }
}
