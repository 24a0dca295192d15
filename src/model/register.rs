//! The 依申请公开 register (依申请公开台账) as plain data: one [`Application`] per request
//! for government information, and the administrative reviews and lawsuits about one
//! ([`Appeal`], table 4). The applicant types and the results are table 3's own columns
//! and result rows ([`national::T3_COLUMNS`], [`national::t3_result_rows`]), never a
//! second list: a register and the published table cannot disagree about what a column
//! is. The store persists these types (and hides the applicant's name from everyone but
//! the office); the tables, the deadlines and the checks compute over them.

use chrono::NaiveDate;
use serde::Serialize;

use super::national::{self, T3_COLUMNS, T4_COLUMNS, T4_GROUPS};

/// How an application arrived (申请渠道). Sets which day counts as received (条例
/// 第三十一条), which the office records as [`Application::received`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 当面: the day it was handed in.
    InPerson,
    /// 邮寄: the day the post was signed for.
    Post,
    /// 网络: the day receipt was confirmed (online form, e-mail).
    Online,
    /// 传真: the day receipt was confirmed.
    Fax,
    /// 其他.
    Other,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::InPerson,
        Channel::Post,
        Channel::Online,
        Channel::Fax,
        Channel::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Post => "post",
            Channel::Online => "online",
            Channel::Fax => "fax",
            Channel::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "当面",
            Channel::Post => "邮寄",
            Channel::Online => "网络",
            Channel::Fax => "传真",
            Channel::Other => "其他",
        }
    }

    /// By code or Chinese label (当面, 信函 and 邮件 too).
    pub fn parse(s: &str) -> Option<Channel> {
        let s = s.trim();
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
            .or(match s {
                "现场" | "窗口" => Some(Channel::InPerson),
                "信函" | "邮政" => Some(Channel::Post),
                "网上" | "在线" | "互联网" | "电子邮件" | "邮件" | "网站" => {
                    Some(Channel::Online)
                }
                _ => None,
            })
    }
}

/// The applicant's type: one of table 3's six applicant columns (自然人, or one of the
/// five organisation columns), by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ApplicantType(&'static str);

impl ApplicantType {
    pub const NATURAL: ApplicantType = ApplicantType("natural");

    /// Every applicant column of table 3, in the table's order (without 总计).
    pub fn all() -> impl Iterator<Item = ApplicantType> {
        T3_COLUMNS[..6].iter().map(|(c, _)| ApplicantType(c))
    }

    /// By code (`business`) or label (商业企业; 个人 and 公民 for 自然人, 企业 for 商业企业).
    pub fn parse(s: &str) -> Option<ApplicantType> {
        let s = s.trim();
        let s = match s {
            "个人" | "公民" => "natural",
            "企业" | "公司" => "business",
            "律师事务所" | "律师" => "legal",
            other => other,
        };
        T3_COLUMNS[..6]
            .iter()
            .find(|(c, l)| *c == s || *l == s)
            .map(|(c, _)| ApplicantType(c))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// Index into table 3's columns (0 = 自然人).
    pub fn column(self) -> usize {
        T3_COLUMNS
            .iter()
            .position(|(c, _)| *c == self.0)
            .unwrap_or(0)
    }

    pub fn label(self) -> &'static str {
        T3_COLUMNS[self.column()].1
    }
}

/// The result of an answered application: one of table 3's result rows, by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ResultRow(&'static str);

impl ResultRow {
    /// Every result row, in the table's order.
    pub fn all() -> impl Iterator<Item = ResultRow> {
        national::t3_result_rows().map(ResultRow)
    }

    /// By row code (`unable.not_held`) or the row's official label.
    pub fn parse(s: &str) -> Option<ResultRow> {
        let s = s.trim();
        let code = national::T3_ROWS
            .iter()
            .find(|(c, l)| *c == s || *l == s)
            .map(|(c, _)| *c)?;
        national::t3_result_rows()
            .find(|r| *r == code)
            .map(ResultRow)
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// The row's label with its group (不予公开：属于国家秘密).
    pub fn label(self) -> String {
        let label = national::T3_ROWS
            .iter()
            .find(|(c, _)| *c == self.0)
            .map_or(self.0, |(_, l)| *l);
        match national::T3_GROUPS
            .iter()
            .find(|(_, prefix)| self.0.starts_with(prefix))
        {
            Some((group, _)) => {
                let group = group.split_once('）').map_or(*group, |(_, g)| g);
                format!("{group}：{label}")
            }
            None => label.to_string(),
        }
    }
}

/// One application (依申请公开申请) as the register keeps it. Dates are calendar days;
/// which one counts as day 0 of the time limit is [`super::calendar`]'s business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// The store's id (0 for one not yet stored).
    pub id: i64,
    /// The office's own number, e.g. `2026-017`; unique in the file.
    pub number: String,
    /// 收到申请之日 (条例 第三十一条).
    pub received: NaiveDate,
    pub channel: Channel,
    pub applicant_type: ApplicantType,
    /// The applicant's name: personal data, `None` when the reader may not see it
    /// (everyone but the office).
    pub applicant_name: Option<String>,
    /// What was asked for.
    pub request: String,
    /// The division handling it (承办处室), by code.
    pub division: Option<String>,
    /// 补正: the day the request for correction was sent, and the day the corrected
    /// application arrived (the time limit restarts from it, 第三十条).
    pub correction_sent: Option<NaiveDate>,
    pub correction_answered: Option<NaiveDate>,
    /// 延期: working days of extension approved (1–20, 第三十三条).
    pub extension_days: Option<u32>,
    /// 收费通知: the day a fee notice was sent and the day the fee was paid; the days in
    /// between do not count towards the time limit.
    pub fee_notice: Option<NaiveDate>,
    pub fee_paid: Option<NaiveDate>,
    /// The day of the reply (答复) and its result; both or neither.
    pub replied: Option<NaiveDate>,
    pub result: Option<ResultRow>,
    pub notes: String,
    /// Withdrawn from the register (entered by mistake, a duplicate) with the reason:
    /// it counts nowhere. An applicant who withdraws their request is a reply with the
    /// result 其他处理 3 instead.
    pub withdrawn: Option<String>,
}

impl Application {
    /// A new application as received, with nothing done on it yet.
    pub fn received(
        number: &str,
        received: NaiveDate,
        channel: Channel,
        applicant_type: ApplicantType,
    ) -> Application {
        Application {
            id: 0,
            number: number.to_string(),
            received,
            channel,
            applicant_type,
            applicant_name: None,
            request: String::new(),
            division: None,
            correction_sent: None,
            correction_answered: None,
            extension_days: None,
            fee_notice: None,
            fee_paid: None,
            replied: None,
            result: None,
            notes: String::new(),
            withdrawn: None,
        }
    }

    /// Still being handled on `day` (received by then, not replied by then, not
    /// withdrawn).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.withdrawn.is_none() && self.received <= day && self.replied.is_none_or(|r| r > day)
    }

    /// The record's problems, each in plain Chinese; empty when it can be stored.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let number = self.number.trim();
        if number.is_empty() {
            out.push("申请编号不能为空".to_string());
        }
        let mut after = |what: &str, day: Option<NaiveDate>, earlier: &str, than: NaiveDate| {
            if let Some(d) = day.filter(|d| *d < than) {
                out.push(format!("{what}（{d}）早于{earlier}（{than}）"));
            }
        };
        after(
            "补正通知日期",
            self.correction_sent,
            "收到申请日期",
            self.received,
        );
        if let Some(sent) = self.correction_sent {
            after(
                "补正申请收到日期",
                self.correction_answered,
                "补正通知日期",
                sent,
            );
        }
        after(
            "收费通知日期",
            self.fee_notice,
            "收到申请日期",
            self.received,
        );
        if let Some(notice) = self.fee_notice {
            after("缴费日期", self.fee_paid, "收费通知日期", notice);
        }
        after("答复日期", self.replied, "收到申请日期", self.received);
        if self.correction_answered.is_some() && self.correction_sent.is_none() {
            out.push("填写了补正申请收到日期，但没有补正通知日期".into());
        }
        if self.fee_paid.is_some() && self.fee_notice.is_none() {
            out.push("填写了缴费日期，但没有收费通知日期".into());
        }
        if let Some(days) = self.extension_days
            && !(1..=20).contains(&days)
        {
            out.push(format!(
                "延长期限为 {days} 个工作日：最长不得超过 20 个工作日（条例第三十三条）"
            ));
        }
        match (self.replied, self.result) {
            (Some(_), None) => out.push("有答复日期，但没有办理结果".into()),
            (None, Some(_)) => out.push("有办理结果，但没有答复日期".into()),
            _ => {}
        }
        out
    }
}

/// The kind of a case about an application: table 4's groups, by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// 行政复议.
    Review,
    /// 行政诉讼，未经复议直接起诉.
    SuitDirect,
    /// 行政诉讼，复议后起诉.
    SuitAfterReview,
}

impl AppealKind {
    pub const ALL: [AppealKind; 3] = [
        AppealKind::Review,
        AppealKind::SuitDirect,
        AppealKind::SuitAfterReview,
    ];

    pub fn code(self) -> &'static str {
        T4_GROUPS[self as usize].0
    }

    pub fn label(self) -> &'static str {
        T4_GROUPS[self as usize].1
    }

    pub fn parse(s: &str) -> Option<AppealKind> {
        let s = s.trim();
        AppealKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
    }
}

/// A case's outcome: table 4's columns without 总计, by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 结果维持.
    Upheld,
    /// 结果纠正.
    Corrected,
    /// 其他结果.
    Other,
    /// 尚未审结.
    Pending,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Upheld,
        Outcome::Corrected,
        Outcome::Other,
        Outcome::Pending,
    ];

    pub fn code(self) -> &'static str {
        T4_COLUMNS[self as usize].0
    }

    pub fn label(self) -> &'static str {
        T4_COLUMNS[self as usize].1
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        let s = s.trim();
        Outcome::ALL
            .into_iter()
            .find(|o| o.code() == s || o.label() == s)
    }
}

/// An administrative review or lawsuit (行政复议 / 行政诉讼) about one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appeal {
    pub id: i64,
    /// The application it is about ([`Application::id`]).
    pub application_id: i64,
    pub kind: AppealKind,
    /// The case's own number (案号), if known.
    pub case_number: String,
    /// The day it was filed (or the office learnt of it).
    pub filed: NaiveDate,
    /// The outcome, and the day it was decided; [`Outcome::Pending`] has no day.
    pub outcome: Outcome,
    pub decided: Option<NaiveDate>,
    pub notes: String,
    pub withdrawn: Option<String>,
}

impl Appeal {
    /// The outcome as it stood at the end of `day`: a decision made later is pending.
    pub fn outcome_on(&self, day: NaiveDate) -> Outcome {
        match self.decided {
            Some(d) if d <= day => self.outcome,
            _ => Outcome::Pending,
        }
    }

    /// The record's problems in plain Chinese; empty when it can be stored.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match (self.outcome, self.decided) {
            (Outcome::Pending, Some(_)) => out.push("尚未审结的案件不应有审结日期".into()),
            (o, None) if o != Outcome::Pending => {
                out.push(format!("结果为“{}”，但没有审结日期", o.label()))
            }
            (_, Some(d)) if d < self.filed => {
                out.push(format!("审结日期（{d}）早于立案日期（{}）", self.filed))
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicant_types_and_results_are_table_3s_own() {
        let codes: Vec<&str> = ApplicantType::all().map(ApplicantType::code).collect();
        assert_eq!(
            codes,
            [
                "natural",
                "business",
                "research",
                "nonprofit",
                "legal",
                "other"
            ]
        );
        assert_eq!(ApplicantType::parse("科研机构").unwrap().code(), "research");
        assert_eq!(ApplicantType::parse("个人"), Some(ApplicantType::NATURAL));
        assert_eq!(ApplicantType::parse("总计"), None);
        assert_eq!(ResultRow::all().count(), 21);
        let r = ResultRow::parse("本机关不掌握相关政府信息").unwrap();
        assert_eq!(r.code(), "unable.not_held");
        assert_eq!(r.label(), "无法提供：本机关不掌握相关政府信息");
        assert_eq!(ResultRow::parse("open").unwrap().label(), "予以公开");
        assert_eq!(ResultRow::parse("new"), None);
        assert_eq!(ResultRow::parse("results_total"), None);
        assert_eq!(AppealKind::SuitAfterReview.code(), "suit_after_review");
        assert_eq!(Outcome::Pending.label(), "尚未审结");
        assert_eq!(Channel::parse("信函"), Some(Channel::Post));
    }

    #[test]
    fn a_record_with_dates_out_of_order_names_them() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let mut a =
            Application::received("2026-001", d(3, 2), Channel::Online, ApplicantType::NATURAL);
        assert!(a.problems().is_empty());
        a.replied = Some(d(3, 1));
        a.extension_days = Some(25);
        let p = a.problems();
        assert!(
            p.iter().any(|p| p.contains("答复日期（2026-03-01）早于")),
            "{p:?}"
        );
        assert!(p.iter().any(|p| p.contains("没有办理结果")), "{p:?}");
        assert!(p.iter().any(|p| p.contains("25 个工作日")), "{p:?}");
    }
}
