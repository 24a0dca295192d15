//! One catalogue entry (指标): code, name, unit, kind, owners, how months aggregate into
//! the year and whether it is entered monthly or yearly. Plain data: the store keeps each
//! year's catalogue (`store::catalogue`), the compiler and the checks read it.

use serde::{Deserialize, Serialize};

/// What kind of number a metric holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueKind {
    /// Non-negative integer (条, 次, 件, 批次).
    Count,
    /// Exact decimal with a fixed number of places (万元: 2, fees up to 6).
    Amount { places: u32 },
    /// A ratio in percent with a fixed number of places.
    Ratio { places: u32 },
}

impl ValueKind {
    /// Decimal places a stored value may have.
    pub fn places(self) -> u32 {
        match self {
            ValueKind::Count => 0,
            ValueKind::Amount { places } | ValueKind::Ratio { places } => places,
        }
    }

    /// Inverse of [`ValueKind::label`] with [`ValueKind::places`]; an unknown label reads
    /// as a ratio.
    pub fn from_label(label: &str, places: u32) -> ValueKind {
        match label {
            "count" => ValueKind::Count,
            "amount" => ValueKind::Amount { places },
            _ => ValueKind::Ratio { places },
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ValueKind::Count => "count",
            ValueKind::Amount { .. } => "amount",
            ValueKind::Ratio { .. } => "ratio",
        }
    }
}

/// How the months of a year combine into the year's figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", content = "expr", rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    /// The last month that has a value (stock figures such as 现行有效件数).
    Last,
    Max,
    Average,
    /// Computed from other metrics of the same year, e.g. `1 - food.unqualified /
    /// food.sampled`; never stored.
    Formula(String),
}

impl Aggregation {
    pub fn describe(&self) -> String {
        match self {
            Aggregation::Sum => "sum".into(),
            Aggregation::Last => "last".into(),
            Aggregation::Max => "max".into(),
            Aggregation::Average => "average".into(),
            Aggregation::Formula(f) => format!("formula: {f}"),
        }
    }

    /// Parses the stored form (`sum`, `last`, `max`, `average`, `formula:EXPR`).
    pub fn parse(s: &str) -> Option<Aggregation> {
        Some(match s {
            "sum" => Aggregation::Sum,
            "last" => Aggregation::Last,
            "max" => Aggregation::Max,
            "average" => Aggregation::Average,
            _ => Aggregation::Formula(s.strip_prefix("formula:")?.trim().to_string()),
        })
    }

    /// The stored form, inverse of [`Aggregation::parse`].
    pub fn stored(&self) -> String {
        match self {
            Aggregation::Formula(f) => format!("formula:{f}"),
            other => other.describe(),
        }
    }
}

/// Whether a metric is entered month by month or once for the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Monthly,
    /// A year figure (the national tables): stored once, as month 0.
    Yearly,
}

impl Period {
    /// Inverse of [`Period::as_str`]; anything but `yearly` is monthly.
    pub fn parse(s: &str) -> Period {
        if s == "yearly" {
            Period::Yearly
        } else {
            Period::Monthly
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Monthly => "monthly",
            Period::Yearly => "yearly",
        }
    }
}

/// 指标: one catalogue entry for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: ValueKind,
    pub aggregation: Aggregation,
    pub period: Period,
    /// Division codes allowed to enter it.
    pub owners: Vec<String>,
    /// Words and phrasings that name this metric in prose (for the prose checks); `…`
    /// between parts lets other words stand there (`现行有效…规范性文件`). The name counts
    /// as a word too.
    pub words: Vec<String>,
    pub sort_order: i64,
}

impl Metric {
    pub fn is_formula(&self) -> bool {
        matches!(self.aggregation, Aggregation::Formula(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_round_trips_through_its_stored_form() {
        for a in [
            Aggregation::Sum,
            Aggregation::Last,
            Aggregation::Max,
            Aggregation::Average,
            Aggregation::Formula("1 - a.b / c".into()),
        ] {
            assert_eq!(Aggregation::parse(&a.stored()), Some(a));
        }
    }
}
