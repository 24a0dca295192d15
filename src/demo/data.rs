//! The demo agency's data: the seed report's agency (安徽省市场监督管理局),
//! ten divisions with contacts, a catalogue covering every figure of the seed's 2019
//! work summary that can be a metric, monthly values for 2019 whose year totals equal the
//! seed's figures exactly, 2018 values for year-on-year comparisons, and the national
//! tables 2–4 for both years, internally consistent (2018's 结转下年度 = 2019's 上年结转).
//!
//! Pure data, built in memory: this module never touches the store, so the unit tests of
//! compile, check and prose take [`year_data`] from here without a file. The demo file
//! itself is written by [`super::create`].

use rust_decimal::Decimal;

use crate::model::{
    Aggregation, Division, Metric, OFFICE, Period, Role, StoredValue, ValueKind, YearData,
};

/// The demo agency's full name and the short form the seed uses in prose.
pub const AGENCY: &str = "安徽省市场监督管理局";
pub const AGENCY_SHORT: &str = "省市场监管局";

/// (code, name, contact login, contact name, phone)
pub const DIVISIONS: [(&str, &str, &str, &str, &str); 10] = [
    (OFFICE, "办公室", "wang.jing", "王璟", "0551-62356001"),
    ("news", "新闻宣传处", "li.zhe", "李喆", "0551-62356012"),
    ("policy", "政策法规处", "zhang.kun", "张堃", "0551-62356023"),
    (
        "food_sampling",
        "食品安全抽检监测处",
        "zhao.min",
        "赵敏",
        "0551-62356034",
    ),
    (
        "food_coord",
        "食品安全协调处",
        "sun.li",
        "孙丽",
        "0551-62356045",
    ),
    (
        "price",
        "价格监督检查和反不正当竞争处",
        "zhou.tao",
        "周涛",
        "0551-62356056",
    ),
    ("quality", "质量发展处", "wu.fang", "吴芳", "0551-62356067"),
    (
        "credit",
        "信用监督管理处",
        "zheng.hao",
        "郑浩",
        "0551-62356078",
    ),
    (
        "registration",
        "登记注册处",
        "chen.yu",
        "陈宇",
        "0551-62356089",
    ),
    ("finance", "计划财务处", "lin.na", "林娜", "0551-62356090"),
];

/// Users besides the division contacts: (login, name, role).
pub const OTHER_USERS: [(&str, &str, Role); 2] = [
    ("liu.office", "刘芳（办公室）", Role::Office),
    ("huang.leader", "黄局长", Role::Leader),
];

/// The login the demo writes its data as.
pub const OFFICE_USER: &str = "liu.office";

/// How a demo metric's monthly values are spread.
#[derive(Debug, Clone, Copy)]
pub enum Spread {
    /// Over all twelve months, with a seasonal shape.
    Year,
    /// Only in these months (inclusive); zero elsewhere.
    Months(u8, u8),
    /// An explicit total over months 1..=N, and another for the rest of the year
    /// (for figures the seed reports "截至N月底").
    UpTo { month: u8, rest: &'static str },
}

/// One demo metric: (code, name, unit, kind, owner, aggregation, 2019 total as printed
/// in the seed, spread, words).
pub struct DemoMetric {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub kind: ValueKind,
    pub owner: &'static str,
    pub aggregation: Option<&'static str>,
    /// The seed's 2019 figure (the year total, or the total up to `Spread::UpTo`'s month).
    pub total_2019: &'static str,
    pub spread: Spread,
    pub words: &'static [&'static str],
}

const C: ValueKind = ValueKind::Count;
const WAN: ValueKind = ValueKind::Amount { places: 2 };

macro_rules! m {
    ($code:expr, $name:expr, $unit:expr, $kind:expr, $owner:expr, $total:expr, $spread:expr, [$($w:expr),*]) => {
        DemoMetric { code: $code, name: $name, unit: $unit, kind: $kind, owner: $owner,
            aggregation: None, total_2019: $total, spread: $spread, words: &[$($w),*] }
    };
}

/// The seed's figures as metrics. Totals are exactly the seed's numbers.
#[rustfmt::skip]
pub const METRICS: &[DemoMetric] = &[
    m!("news.original", "门户网站原创新闻信息", "条", C, "news", "1725", Spread::Year, ["原创新闻信息", "发布新闻信息"]),
    m!("news.press_events", "新闻发布活动", "次", C, "news", "7", Spread::Year, ["新闻发布活动", "新闻发布会"]),
    m!("news.weibo", "微博信息", "条", C, "news", "548", Spread::Year, ["微博信息", "发布微博"]),
    m!("news.wechat", "微信推送", "期", C, "news", "137", Spread::Year, ["推送微信", "微信推送"]),
    m!("news.releases", "新闻通稿", "篇", C, "news", "61", Spread::Year, ["新闻通稿"]),
    m!("news.media_reports", "省级以上媒体刊发报道", "篇", C, "news", "738", Spread::Year, ["新闻报道稿件", "刊发新闻报道"]),
    m!("disclosure.proactive", "主动公开信息", "条", C, OFFICE, "4387", Spread::Year, ["主动公开信息", "主动公开政府信息", "主动公开…信息"]),
    m!("disclosure.interpretations", "政策解读信息", "条", C, "policy", "62", Spread::Year, ["政策解读信息", "政策解读"]),
    m!("quality.promo.hotline", "12315热线和平台整合宣传", "次", C, "quality", "654", Spread::Months(9, 9), ["整合宣传"]),
    m!("quality.promo.elevator", "电梯安全宣传周宣传", "次", C, "quality", "157", Spread::Months(9, 9), ["电梯安全宣传"]),
    m!("quality.promo.organic", "有机产品认证宣传周宣传", "次", C, "quality", "36", Spread::Months(9, 9), ["有机产品认证宣传"]),
    m!("quality.promo.service_cert", "服务认证体验周活动", "次", C, "quality", "14", Spread::Months(9, 9), ["服务认证体验周"]),
    m!("quality.promo.open_day", "质量开放日活动", "次", C, "quality", "121", Spread::Months(9, 9), ["质量开放日"]),
    m!("quality.promo.consumer", "消费品质量安全宣传教育", "次", C, "quality", "266", Spread::Months(9, 9), ["宣传教育"]),
    m!("mailbox.director", "局长信箱咨询答复", "件", C, OFFICE, "137", Spread::Year, ["局长信箱"]),
    m!("messages.party_platform", "党委系统网友留言答复", "件", C, OFFICE, "13", Spread::Year, ["网友留言"]),
    m!("hotline.letters", "政府热线服务平台信件答复", "件", C, OFFICE, "15", Spread::Year, ["热线服务平台信件"]),
    m!("food.sampling.issues", "食品抽检信息更新", "期", C, "food_sampling", "48", Spread::Year, ["食品抽检信息"]),
    m!("food.sampling.batches", "食品抽检批次", "批次", C, "food_sampling", "13618", Spread::Year, ["抽检", "食品抽检"]),
    m!("food.sampling.unqualified", "不合格食品批次", "批次", C, "food_sampling", "255", Spread::Year, ["不合格食品"]),
    DemoMetric {
        code: "food.sampling.pass_rate",
        name: "食品抽检总体合格率",
        unit: "%",
        kind: ValueKind::Ratio { places: 1 },
        owner: "food_sampling",
        aggregation: Some("100 * (1 - food.sampling.unqualified / food.sampling.batches)"),
        total_2019: "",
        spread: Spread::Year,
        words: &["合格率"],
    },
    m!("food.week.activities", "食品安全宣传周宣传活动", "次", C, "food_coord", "2512", Spread::Months(6, 6), ["宣传活动"]),
    m!("food.week.press", "食品安全宣传周新闻发布会和媒体通气会", "次", C, "food_coord", "176", Spread::Months(6, 6), ["媒体通气会"]),
    m!("food.week.media", "食品安全宣传周媒体报道", "次", C, "food_coord", "17023", Spread::Months(6, 6), ["媒体报道"]),
    m!("food.cases", "食品违法案件查处", "件", C, "food_coord", "4025", Spread::Year, ["违法案件"]),
    m!("food.fines", "食品违法案件罚没款", "万元", WAN, "food_coord", "2354.48", Spread::Year, ["罚没款"]),
    m!("food.unlicensed_closed", "取缔无证生产经营单位", "家", C, "food_coord", "418", Spread::Year, ["无证生产经营单位"]),
    m!("food.destroyed", "集中销毁违法食品", "吨", ValueKind::Amount { places: 1 }, "food_coord", "117.8", Spread::Year, ["违法食品"]),
    m!("fees.reduced", "为企业降费金额", "万元", WAN, "price", "1530", Spread::Year, ["降费金额"]),
    m!("fees.refunded", "督促商业银行清退违规收费", "万元", WAN, "price", "800", Spread::Year, ["清退违规收费"]),
    m!("messages.sisong", "“四送一服”平台留言办结", "件", C, OFFICE, "71", Spread::Year, ["平台留言"]),
    m!("poverty.funds", "拨付扶贫款", "万元", WAN, "finance", "164", Spread::Year, ["扶贫款"]),
    m!("poverty.leader_visits", "局领导到帮扶联系点走访调研", "次", C, "finance", "14", Spread::Year, ["走访调研"]),
    m!("credit.interceptions", "准入环节拦截失信被执行人任职申请", "次", C, "credit", "9642", Spread::Year, ["拦截"]),
    m!("registration.deregistration", "企业注销“一网”服务平台办理业务", "件", C, "registration", "1350", Spread::UpTo { month: 11, rest: "164" }, ["企业注销"]),
    m!("gazette.submitted", "向省政府公报报送规范性文件", "件", C, "policy", "10", Spread::Year, ["报送"]),
    m!("gazette.published", "规范性文件被省政府公报选登", "件", C, "policy", "4", Spread::Year, ["选登"]),
    m!("website.meetings", "网站建设会议", "次", C, OFFICE, "3", Spread::Months(1, 4), ["网站建设会议"]),
    m!("exchange.articles", "向省政务公开办报送工作交流", "篇", C, OFFICE, "4", Spread::Year, ["工作交流"]),
];

impl DemoMetric {
    /// The catalogue entry for this demo metric.
    pub fn metric(&self, sort_order: i64) -> Metric {
        Metric {
            code: self.code.into(),
            name: self.name.into(),
            unit: self.unit.into(),
            kind: self.kind,
            aggregation: self
                .aggregation
                .map_or(Aggregation::Sum, |f| Aggregation::Formula(f.into())),
            period: Period::Monthly,
            owners: vec![self.owner.into()],
            words: self.words.iter().map(|w| w.to_string()).collect(),
            sort_order,
        }
    }
}

/// Splits `total` (in units of 10^-places) over `months` with a fixed, plausible shape,
/// so that the parts sum to `total` exactly. `salt` varies the shape between metrics.
pub fn spread_exact(total: i64, months: &[u8], salt: u64) -> Vec<(u8, i64)> {
    if months.is_empty() {
        return Vec::new();
    }
    // Seasonal weights: quieter in January/February (Spring Festival), busier towards
    // the year end, with a per-metric wobble.
    let weights: Vec<i64> = months
        .iter()
        .map(|&m| {
            let base = [6, 5, 8, 8, 9, 9, 8, 8, 9, 9, 10, 11][usize::from(m - 1)];
            let wobble = ((salt.wrapping_mul(31).wrapping_add(u64::from(m) * 17)) % 5) as i64;
            base * 4 + wobble
        })
        .collect();
    let sum: i64 = weights.iter().sum();
    let mut parts: Vec<i64> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest = total - parts.iter().sum::<i64>();
    let mut i = parts.len();
    while rest > 0 {
        i = if i == 0 { parts.len() - 1 } else { i - 1 };
        parts[i] += 1;
        rest -= 1;
    }
    months.iter().copied().zip(parts).collect()
}

/// The demo's 2018 year total for a metric: the 2019 figure scaled by a per-metric
/// factor between 0.80 and 1.15, kept exact at the metric's places.
pub fn total_2018(total_2019: i64, salt: u64) -> i64 {
    let percent = 80 + (salt % 36) as i64;
    total_2019 * percent / 100
}

/// A stable per-metric number used to vary shapes.
pub fn salt(code: &str) -> u64 {
    code.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    })
}

/// The national tables' values for a year: (code, value). 2018 and 2019 are consistent
/// with SPEC §2's identities, and 2018's carried_out equals 2019's carried_in.
pub fn national_values(year: i32) -> Vec<(String, Decimal)> {
    let mut out: Vec<(String, Decimal)> = Vec::new();
    let mut put = |code: &str, v: Decimal| out.push((code.to_string(), v));
    let d = |s: &str| s.parse::<Decimal>().expect("demo constant");
    // Table 2.
    let (rules, normative, license, penalty, enforcement, fees) = match year {
        2018 => ([0, 0, 0], [9, 2, 41], 2986, 1104, 37, "1865.427315"),
        _ => ([1, 0, 1], [12, 4, 49], 3318, 1254, 43, "1730.256108"),
    };
    for (i, col) in ["issued", "repealed", "effective"].iter().enumerate() {
        put(&format!("t2.rules.{col}"), Decimal::from(rules[i]));
        put(&format!("t2.normative.{col}"), Decimal::from(normative[i]));
    }
    put("t2.license.decisions", Decimal::from(license));
    put("t2.penalty.decisions", Decimal::from(penalty));
    put("t2.enforcement.decisions", Decimal::from(enforcement));
    put("t2.fees.amount", d(fees));
    // Table 3, per column: natural, business, research, nonprofit, legal, other.
    // (row, values per organisation column); total is derived.
    let rows: Vec<(&str, [i64; 6])> = match year {
        2018 => vec![
            ("new", [52, 9, 1, 2, 3, 1]),
            ("carried_in", [2, 1, 0, 0, 0, 0]),
            ("open", [25, 5, 1, 1, 2, 0]),
            ("partial", [6, 1, 0, 0, 0, 0]),
            ("deny.third_party", [2, 0, 0, 0, 0, 0]),
            ("deny.process", [1, 0, 0, 0, 0, 0]),
            ("unable.not_held", [12, 2, 0, 1, 1, 1]),
            ("unable.unclear", [1, 0, 0, 0, 0, 0]),
            ("reject.petition", [3, 0, 0, 0, 0, 0]),
            ("reject.repeat", [1, 1, 0, 0, 0, 0]),
            ("carried_out", [3, 1, 0, 0, 0, 0]),
        ],
        _ => vec![
            ("new", [64, 11, 1, 2, 3, 1]),
            ("carried_in", [3, 1, 0, 0, 0, 0]),
            ("open", [32, 6, 1, 1, 2, 0]),
            ("partial", [7, 2, 0, 0, 0, 0]),
            ("deny.secret", [1, 0, 0, 0, 0, 0]),
            ("deny.third_party", [2, 1, 0, 0, 0, 0]),
            ("deny.process", [2, 0, 0, 0, 0, 0]),
            ("unable.not_held", [13, 2, 0, 1, 1, 1]),
            ("unable.needs_creation", [2, 0, 0, 0, 0, 0]),
            ("reject.petition", [3, 0, 0, 0, 0, 0]),
            ("reject.repeat", [1, 0, 0, 0, 0, 0]),
            ("other.overdue_correction", [2, 0, 0, 0, 0, 0]),
            ("carried_out", [2, 1, 0, 0, 0, 0]),
        ],
    };
    let cols = [
        "natural",
        "business",
        "research",
        "nonprofit",
        "legal",
        "other",
    ];
    let mut results = [0i64; 6];
    for (row, vals) in &rows {
        if !matches!(*row, "new" | "carried_in" | "carried_out") {
            for (r, v) in results.iter_mut().zip(vals) {
                *r += v;
            }
        }
    }
    let all_rows = crate::model::national::T3_ROWS.iter().map(|(c, _)| *c);
    for row in all_rows {
        let vals = if row == "results_total" {
            results
        } else {
            rows.iter()
                .find(|(r, _)| *r == row)
                .map_or([0; 6], |(_, v)| *v)
        };
        for (col, v) in cols.iter().zip(vals) {
            put(&format!("t3.{row}.{col}"), Decimal::from(v));
        }
        put(
            &format!("t3.{row}.total"),
            Decimal::from(vals.iter().sum::<i64>()),
        );
    }
    // Table 4: no reviews or suits in either year (the seed: 无…行政复议、行政诉讼案件发生).
    for (group, _) in crate::model::national::T4_GROUPS {
        for (col, _) in crate::model::national::T4_COLUMNS {
            put(&format!("t4.{group}.{col}"), Decimal::ZERO);
        }
    }
    out
}

/// One demo value to store: (division, metric, month (0 = yearly), value).
pub type DemoValue = (String, String, u8, Decimal);

/// The demo catalogue for a year: the seed's metrics, then the national ones.
pub fn catalogue() -> Vec<Metric> {
    let mut out: Vec<Metric> = METRICS
        .iter()
        .enumerate()
        .map(|(i, m)| m.metric(i as i64 + 1))
        .collect();
    out.extend(crate::model::national::national_metrics());
    out
}

/// Every demo value of `year` (2018 or 2019), monthly metrics spread over the months
/// and national metrics as yearly values. Pure: the store writes these.
pub fn values(year: i32) -> Vec<DemoValue> {
    let mut out = Vec::new();
    for m in METRICS.iter().filter(|m| m.aggregation.is_none()) {
        let places = m.kind.places();
        let scaled = |s: &str| {
            crate::value::to_scaled(s.parse().expect("demo constant"), places)
                .expect("demo constant fits")
        };
        let salt = salt(m.code);
        let mut parts = match m.spread {
            Spread::Year => spread_exact(scaled(m.total_2019), &(1..=12).collect::<Vec<_>>(), salt),
            Spread::Months(a, b) => {
                spread_exact(scaled(m.total_2019), &(a..=b).collect::<Vec<_>>(), salt)
            }
            Spread::UpTo { month, rest } => {
                let mut p =
                    spread_exact(scaled(m.total_2019), &(1..=month).collect::<Vec<_>>(), salt);
                p.extend(spread_exact(
                    scaled(rest),
                    &(month + 1..=12).collect::<Vec<_>>(),
                    salt,
                ));
                p
            }
        };
        if year != 2019 {
            let total: i64 = parts.iter().map(|(_, v)| v).sum();
            let months: Vec<u8> = parts.iter().map(|(m, _)| *m).collect();
            parts = spread_exact(total_2018(total, salt), &months, salt.rotate_left(7));
        }
        // Months outside a metric's season are stored as 0, so no month is missing.
        for month in 1..=12u8 {
            let v = parts
                .iter()
                .find(|(pm, _)| *pm == month)
                .map_or(0, |(_, v)| *v);
            out.push((
                m.owner.to_string(),
                m.code.to_string(),
                month,
                crate::value::from_scaled(v, places),
            ));
        }
    }
    for (code, v) in national_values(year) {
        out.push((OFFICE.to_string(), code, 0, v));
    }
    out
}

/// The demo as a [`YearData`] for `year`, built in memory without a database — for
/// compiler and check tests that do not need the store. `nianbao demo` stores the same
/// data, so `Store::year_data` on a demo file gives an equal result.
pub fn year_data(year: i32) -> YearData {
    let divisions = DIVISIONS
        .iter()
        .enumerate()
        .map(|(i, (code, name, ..))| Division {
            code: code.to_string(),
            name: name.to_string(),
            sort_order: i as i64 + 1,
        })
        .collect();
    let prev = if year == 2019 {
        catalogue()
    } else {
        Vec::new()
    };
    let mut data = YearData::new(AGENCY.to_string(), year, divisions, catalogue(), prev);
    data.agency_short = AGENCY_SHORT.to_string();
    let mut stored = Vec::new();
    for y in [year - 1, year] {
        if !(2018..=2019).contains(&y) {
            continue;
        }
        for (division, metric, month, v) in values(y) {
            stored.push(StoredValue {
                year: y,
                month,
                division: division.into(),
                metric: metric.into(),
                value: Some(v),
                note: String::new(),
                updated_by: OFFICE_USER.into(),
                updated_at: "".into(),
            });
        }
    }
    data.set_values(stored);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_sum_exactly() {
        for total in [0, 1, 7, 137, 13618, 235448] {
            let months: Vec<u8> = (1..=12).collect();
            let parts = spread_exact(total, &months, salt("x"));
            assert_eq!(parts.iter().map(|(_, v)| v).sum::<i64>(), total);
            assert!(parts.iter().all(|(_, v)| *v >= 0));
        }
    }

    #[test]
    fn year_totals_of_2019_are_the_seed_figures() {
        let values = values(2019);
        for m in METRICS.iter().filter(|m| m.aggregation.is_none()) {
            let upto = match m.spread {
                Spread::UpTo { month, .. } => month,
                _ => 12,
            };
            let total: Decimal = values
                .iter()
                .filter(|(_, code, month, _)| code == m.code && *month <= upto)
                .map(|(.., v)| *v)
                .sum();
            assert_eq!(
                total,
                m.total_2019.parse::<Decimal>().unwrap(),
                "{}",
                m.code
            );
        }
    }

    #[test]
    fn national_tables_hold_their_identities() {
        for year in [2018, 2019] {
            let vals: std::collections::HashMap<String, Decimal> =
                national_values(year).into_iter().collect();
            for (col, _) in crate::model::national::T3_COLUMNS {
                let g = |row: &str| vals[&format!("t3.{row}.{col}")];
                assert_eq!(
                    g("new") + g("carried_in"),
                    g("results_total") + g("carried_out"),
                    "{year} {col}"
                );
            }
        }
        let y18: std::collections::HashMap<String, Decimal> =
            national_values(2018).into_iter().collect();
        let y19: std::collections::HashMap<String, Decimal> =
            national_values(2019).into_iter().collect();
        for (col, _) in crate::model::national::T3_COLUMNS {
            assert_eq!(
                y18[&format!("t3.carried_out.{col}")],
                y19[&format!("t3.carried_in.{col}")]
            );
        }
        // results_total 2019 = 83: the seed's 及时答复依申请公开83件.
        assert_eq!(y19["t3.results_total.total"], Decimal::from(83));
    }
}
