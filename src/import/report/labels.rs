//! Recognising the row and column labels of the national tables as reports really
//! print them.
//!
//! A label is first normalised ([`norm`]): full-width ASCII to half-width, white space
//! and line breaks removed, leading numbering (`一、` `（一）` `(一)` `1.` `1、` `（1）`)
//! removed, then every character that is not a letter or digit (punctuation, quotes,
//! brackets) removed. So `（二）部分公开（区分处理的，只计这一情形，不计其他情形）` and
//! `(二)部分公开(区分处理的, 只计这一情形, 不计其他情形)` are the same label, and
//! `危及"三安全一稳定"` matches `危及“三安全一稳定”`.
//!
//! The normalised label is then looked up ([`lookup`]) among the names of each row or
//! column: the official label first, then the variants listed here as synonyms (each one
//! seen in published reports or a plain shortening, e.g. 规范性文件 for 行政规范性文件,
//! 部分公开 without its parenthesis, 合计 for 总计). Failing an exact match, a typo is
//! accepted when one name is closest by edit distance (Levenshtein over characters, from
//! `strsim`) and within [`typo_limit`] of it — none for names of up to three characters
//! (规章, 总计, 其他 must be exact), one up to eight, two up to sixteen, three beyond —
//! and no other name is as close. Such a match is always reported to the user with the
//! label read and the label taken; nothing is matched silently by distance.

use crate::model::national::{T3_COLUMNS, T3_ROWS, T4_COLUMNS, T4_GROUPS};

/// A label normalised for comparison (see the module doc).
pub fn norm(label: &str) -> String {
    let mut s: String = label
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200b}' | '\u{feff}'))
        .collect();
    loop {
        let rest = strip_numbering(&s);
        if rest.len() == s.len() {
            break;
        }
        s = rest.to_string();
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

const CN_DIGITS: &str = "一二三四五六七八九十";

/// Removes one leading number: `一、` `三.` `(一)` `(1)` `1.` `1、` `1)`.
fn strip_numbering(s: &str) -> &str {
    let is_cn = |c: char| CN_DIGITS.contains(c);
    if let Some(rest) = s.strip_prefix('(') {
        let inner = rest
            .find(')')
            .filter(|&i| i > 0 && rest[..i].chars().all(|c| is_cn(c) || c.is_ascii_digit()));
        if let Some(i) = inner {
            let rest = &rest[i + 1..];
            return rest.strip_prefix(['、', '.']).unwrap_or(rest);
        }
        return s;
    }
    let digits = s
        .char_indices()
        .take_while(|(_, c)| is_cn(*c) || c.is_ascii_digit())
        .last()
        .map(|(i, c)| i + c.len_utf8());
    match digits {
        Some(end) => {
            let (number, rest) = s.split_at(end);
            let mixed = number.chars().any(is_cn) && number.chars().any(|c| c.is_ascii_digit());
            match rest.chars().next() {
                Some('、' | '.' | '．') if !mixed => {
                    &rest[rest.chars().next().map_or(0, char::len_utf8)..]
                }
                Some(')') if number.chars().all(|c| c.is_ascii_digit()) => &rest[1..],
                _ => s,
            }
        }
        None => s,
    }
}

/// How far a label may be from a name of `n` characters to count as a typo of it.
pub fn typo_limit(n: usize) -> usize {
    match n {
        0..=3 => 0,
        4..=8 => 1,
        9..=16 => 2,
        _ => 3,
    }
}

/// The result of looking a label up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<T> {
    Exact(T),
    /// Taken as a typo of this entry's official name (its first name).
    Typo(T, &'static str),
}

impl<T: Copy> Found<T> {
    pub fn key(self) -> T {
        match self {
            Found::Exact(t) | Found::Typo(t, _) => t,
        }
    }
}

/// One thing a label can name: its key, its official label (for messages) and the
/// normalised names that match it, the official one first.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub key: T,
    pub label: &'static str,
    pub names: Vec<String>,
}

impl<T> Entry<T> {
    pub fn new(key: T, label: &'static str, synonyms: &[&str]) -> Entry<T> {
        Entry {
            key,
            label,
            names: std::iter::once(label)
                .chain(synonyms.iter().copied())
                .map(norm)
                .collect(),
        }
    }
}

/// Looks `label` (raw) up among `entries`: exact match first, then a unique closest
/// typo.
pub fn lookup<T: Copy>(label: &str, entries: &[Entry<T>]) -> Option<Found<T>> {
    let n = norm(label);
    if n.is_empty() {
        return None;
    }
    if let Some(e) = entries.iter().find(|e| e.names.contains(&n)) {
        return Some(Found::Exact(e.key));
    }
    let len = n.chars().count();
    let mut best: Option<(usize, usize)> = None; // (distance, entry)
    let mut tie = false;
    for (i, e) in entries.iter().enumerate() {
        for name in &e.names {
            let d = strsim::levenshtein(&n, name);
            if d > typo_limit(name.chars().count().min(len)) {
                continue;
            }
            match best {
                Some((bd, bi)) if d == bd && bi != i => tie = true,
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, i));
                    tie = false;
                }
            }
        }
    }
    let (_, i) = best.filter(|_| !tie)?;
    Some(Found::Typo(entries[i].key, entries[i].label))
}

/// Synonyms of table 3's rows, by row code (official labels come from the catalogue).
const T3_SYNONYMS: &[(&str, &[&str])] = &[
    (
        "new",
        &[
            "本年新收政府信息公开申请",
            "本年新收申请数量",
            "本年新收申请",
        ],
    ),
    (
        "carried_in",
        &[
            "上年结转政府信息公开申请",
            "上年结转申请数量",
            "上年结转申请",
        ],
    ),
    ("partial", &["部分公开"]),
    ("deny.internal", &["属于三类内部事务"]),
    ("unable.not_held", &["本机关不掌握相关信息"]),
    ("other.overdue_correction", &["申请人无正当理由逾期不补正"]),
    ("other.overdue_fee", &["申请人逾期未按收费通知要求缴纳费用"]),
    ("results_total", &["合计"]),
    (
        "carried_out",
        &[
            "结转下年度继续办理的政府信息公开申请数量",
            "结转下年度继续办理数量",
        ],
    ),
];

/// What a table-3 label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T3Label {
    /// A row with values and no group: 本年新收, 上年结转, 予以公开, 部分公开, 总计, 结转下年度.
    Row(&'static str),
    /// 三、本年度办理结果: the label over all result rows.
    Results,
    /// A group of items (不予公开 …), by its code prefix (`deny`, …).
    Group(&'static str),
    /// An item within a group, by row code (`deny.secret`).
    Item(&'static str),
}

/// Table 3's groups: code prefix, official label (without number).
pub const T3_GROUPS: [(&str, &str); 4] = [
    ("deny", "不予公开"),
    ("unable", "无法提供"),
    ("reject", "不予处理"),
    ("other", "其他处理"),
];

/// Table 3's row labels. Items are looked up within their group first, so that 3.其他 is
/// only read under （六）其他处理.
pub struct T3Labels {
    top: Vec<Entry<T3Label>>,
    items: Vec<Entry<T3Label>>,
}

impl T3Labels {
    pub fn new() -> T3Labels {
        let synonyms = |code: &str| {
            T3_SYNONYMS
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(&[][..], |(_, s)| *s)
        };
        let mut top = vec![Entry::new(T3Label::Results, "本年度办理结果", &[])];
        let mut items = Vec::new();
        for (code, label) in T3_ROWS {
            if code.contains('.') {
                items.push(Entry::new(T3Label::Item(code), label, synonyms(code)));
            } else {
                top.push(Entry::new(T3Label::Row(code), label, synonyms(code)));
            }
        }
        for (prefix, label) in T3_GROUPS {
            top.push(Entry::new(T3Label::Group(prefix), label, &[]));
        }
        T3Labels { top, items }
    }

    /// Looks a label up: rows and groups first, then the items of `group` (the group the
    /// row is in, when known), then the items of every group except 其他 (other.other),
    /// too common a word to take outside its group.
    pub fn find(&self, label: &str, group: Option<&str>) -> Option<Found<T3Label>> {
        if let Some(found) = lookup(label, &self.top) {
            return Some(found);
        }
        let items = |keep: &dyn Fn(&str) -> bool| -> Vec<Entry<T3Label>> {
            self.items
                .iter()
                .filter(|e| matches!(e.key, T3Label::Item(c) if keep(c)))
                .cloned()
                .collect()
        };
        if let Some(g) = group
            && let Some(found) = lookup(label, &items(&|c| group_of(c) == g))
        {
            return Some(found);
        }
        lookup(label, &items(&|c| c != "other.other"))
    }
}

/// The group prefix of an item code: `deny.secret` → `deny`.
pub fn group_of(code: &str) -> &str {
    code.split('.').next().unwrap_or(code)
}

/// Table 3's columns, keyed by column code.
pub fn t3_columns() -> Vec<Entry<&'static str>> {
    T3_COLUMNS
        .iter()
        .map(|&(code, label)| Entry::new(code, label, total_synonyms(code)))
        .collect()
}

fn total_synonyms(code: &str) -> &'static [&'static str] {
    if code == "total" { &["合计"] } else { &[] }
}

/// Table 4's groups, keyed by group code.
pub fn t4_groups() -> Vec<Entry<&'static str>> {
    T4_GROUPS
        .iter()
        .map(|&(code, label)| {
            let synonyms: &[&str] = if code == "suit_direct" {
                &["直接起诉"]
            } else {
                &[]
            };
            Entry::new(code, label, synonyms)
        })
        .collect()
}

/// Table 4's columns within a group, keyed by column code.
pub fn t4_columns() -> Vec<Entry<&'static str>> {
    T4_COLUMNS
        .iter()
        .map(|&(code, label)| Entry::new(code, label, total_synonyms(code)))
        .collect()
}

/// A row of table 2: its label and the columns it has.
pub struct T2Row {
    /// `rules`, `normative`, `license`, `penalty`, `enforcement`, `fees`.
    pub row: Entry<&'static str>,
    /// Column codes (`issued`, …) with their labels.
    pub columns: Vec<Entry<&'static str>>,
}

/// Table 2's rows, in the order of the national format.
pub fn t2_rows() -> Vec<T2Row> {
    let stock = || {
        vec![
            Entry::new(
                "issued",
                "本年制发件数",
                &["本年制发", "本年新制发件数", "制发件数"],
            ),
            Entry::new("repealed", "本年废止件数", &["本年废止", "废止件数"]),
            Entry::new("effective", "现行有效件数", &["现行有效", "现行有效数"]),
        ]
    };
    let decisions = || {
        vec![Entry::new(
            "decisions",
            "本年处理决定数量",
            &["处理决定数量", "本年处理决定数"],
        )]
    };
    let row = |code, label, synonyms: &[&str], columns| T2Row {
        row: Entry::new(code, label, synonyms),
        columns,
    };
    vec![
        row("rules", "规章", &[], stock()),
        row("normative", "行政规范性文件", &["规范性文件"], stock()),
        row("license", "行政许可", &[], decisions()),
        row("penalty", "行政处罚", &[], decisions()),
        row("enforcement", "行政强制", &[], decisions()),
        row(
            "fees",
            "行政事业性收费",
            &["行政事业收费"],
            vec![Entry::new(
                "amount",
                "本年收费金额（单位：万元）",
                &["本年收费金额", "收费金额", "本年收费金额万元"],
            )],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_spaces_width_and_punctuation_go() {
        assert_eq!(
            norm("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            norm("(二)部分公开(区分处理的, 只计这一情形,\n不计其他情形)")
        );
        assert_eq!(norm("1.属于国家秘密"), "属于国家秘密");
        assert_eq!(norm("１、属于 国家\n秘密"), "属于国家秘密");
        assert_eq!(norm("3．其他"), "其他");
        assert_eq!(norm("三、本年度办理结果"), "本年度办理结果");
        assert_eq!(norm("（七）总计"), "总计");
        assert_eq!(norm("危及\"三安全一稳定\""), "危及三安全一稳定");
        // Not numbering: digits inside a label stay.
        assert_eq!(norm("12315热线"), "12315热线");
        assert_eq!(norm("第二十条第（一）项"), "第二十条第一项");
    }

    #[test]
    fn table3_labels_exact_synonym_typo_and_group() {
        let l = T3Labels::new();
        assert_eq!(
            l.find("1.属于国家秘密", None),
            Some(Found::Exact(T3Label::Item("deny.secret")))
        );
        assert_eq!(
            l.find("（二）部分公开", None),
            Some(Found::Exact(T3Label::Row("partial")))
        );
        assert_eq!(
            l.find("（六）其他处理", None),
            Some(Found::Exact(T3Label::Group("other")))
        );
        // 3.其他 only under （六）.
        assert_eq!(l.find("3.其他", None), None);
        assert_eq!(
            l.find("3.其他", Some("other")),
            Some(Found::Exact(T3Label::Item("other.other")))
        );
        // A typo: 秘蜜 for 秘密.
        assert!(matches!(
            l.find("1.属于国家秘蜜", Some("deny")),
            Some(Found::Typo(T3Label::Item("deny.secret"), _))
        ));
        // Too far from anything.
        assert_eq!(l.find("（八）其他情形", Some("deny")), None);
        // Short labels must be exact.
        assert_eq!(l.find("总数", None), None);
    }

    #[test]
    fn typo_reports_the_official_label() {
        let entries: Vec<Entry<&str>> = t2_rows().into_iter().map(|r| r.row).collect();
        assert_eq!(
            lookup("规范性文件", &entries),
            Some(Found::Exact("normative"))
        );
        assert_eq!(
            lookup("行政事业性收废", &entries),
            Some(Found::Typo("fees", "行政事业性收费"))
        );
    }
}
