//! Which metric a typed number speaks of: the catalogue's words (指标用语, `Metric::words`
//! and the name) as patterns, looked for next to the number.
//!
//! A word is a literal (`新收政府信息公开申请`) or parts joined by `…` that must occur in
//! this order, anything between (`现行有效…规范性文件` matches 现行有效的行政规范性文件).
//! Searches run over one clause at a time (a dozen characters), so a plain scan over the
//! few hundred patterns is fast enough and keeps gapped patterns simple; an
//! Aho–Corasick automaton would pay off only for far larger catalogues.

use std::ops::Range;

use crate::model::Metric;

use super::text::fold;

/// Units every report uses, recognised after a number even when no metric has them, so
/// that `5个联系点` reads as five 个 and not as a bare number.
const COMMON_UNITS: &[&str] = &[
    "件", "条", "次", "个", "批次", "万元", "元", "%", "期", "篇", "家", "吨", "项", "名", "户",
    "人", "场", "批", "份",
];

struct Pattern {
    parts: Vec<Vec<char>>,
    metric: usize,
}

/// Where a metric's word was found: characters `start..end` of the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mention {
    /// Index into the catalogue the lexicon was built from.
    pub metric: usize,
    pub start: usize,
    pub end: usize,
    /// Matched by a pattern with a gap (`…`), which never hides another metric's word.
    pub gapped: bool,
}

/// Which way from the number to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Words before the number (`受理申请17件`): the occurrence nearest the number is the
    /// last one.
    Before,
    /// Words after it (`14次到帮扶联系点走访调研`): the first one.
    After,
}

/// The catalogue's words, compiled for searching, and the units worth recognising.
pub(crate) struct Lexicon {
    patterns: Vec<Pattern>,
    /// Folded metric units (by catalogue index).
    metric_units: Vec<Vec<char>>,
    /// Every unit to recognise after a number, longest first.
    pub units: Vec<Vec<char>>,
}

fn normalise(word: &str) -> Vec<char> {
    word.chars()
        .map(fold)
        .filter(|c| !c.is_whitespace())
        .collect()
}

impl Lexicon {
    pub fn new(metrics: &[Metric]) -> Lexicon {
        let mut patterns = Vec::new();
        for (i, m) in metrics.iter().enumerate() {
            for word in m.words.iter().chain(std::iter::once(&m.name)) {
                let parts: Vec<Vec<char>> = word
                    .split(['…', '⋯'])
                    .flat_map(|p| p.split("..."))
                    .map(normalise)
                    .filter(|p| !p.is_empty())
                    .collect();
                // A single character names nothing reliably.
                if parts.iter().map(Vec::len).sum::<usize>() >= 2 {
                    patterns.push(Pattern { parts, metric: i });
                }
            }
        }
        let metric_units: Vec<Vec<char>> = metrics.iter().map(|m| normalise(&m.unit)).collect();
        let mut units: Vec<Vec<char>> = metric_units
            .iter()
            .filter(|u| !u.is_empty())
            .cloned()
            .chain(COMMON_UNITS.iter().map(|u| normalise(u)))
            .collect();
        units.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        units.dedup();
        Lexicon {
            patterns,
            metric_units,
            units,
        }
    }

    pub fn unit_of(&self, metric: usize) -> &[char] {
        &self.metric_units[metric]
    }

    /// The metrics whose words occur in `chars[range]`, one mention each (the nearest to
    /// the number on `side`), nearest first. A word found inside a longer word of
    /// another metric is not a mention of its own (`政府信息公开申请` inside
    /// `办理政府信息公开申请`).
    pub fn mentions(&self, chars: &[char], range: Range<usize>, side: Side) -> Vec<Mention> {
        let hay = &chars[range.clone()];
        let found: Vec<Mention> = self
            .patterns
            .iter()
            .filter_map(|p| {
                let (start, end) = find(hay, &p.parts, side)?;
                Some(Mention {
                    metric: p.metric,
                    start: range.start + start,
                    end: range.start + end,
                    gapped: p.parts.len() > 1,
                })
            })
            .collect();
        let hidden = |m: &Mention| {
            !m.gapped
                && found.iter().any(|o| {
                    o.metric != m.metric
                        && !o.gapped
                        && o.start <= m.start
                        && m.end <= o.end
                        && o.end - o.start > m.end - m.start
                })
        };
        let mut kept: Vec<Mention> = found.iter().filter(|m| !hidden(m)).copied().collect();
        // Nearest first; at equal distance a literal before a gapped pattern, then longer.
        let distance = |m: &Mention| match side {
            Side::Before => range.end - m.end,
            Side::After => m.start - range.start,
        };
        kept.sort_by_key(|m| (distance(m), m.gapped, std::cmp::Reverse(m.end - m.start)));
        let mut seen = Vec::new();
        kept.retain(|m| {
            let new = !seen.contains(&m.metric);
            seen.push(m.metric);
            new
        });
        kept
    }
}

/// The occurrence of `parts` (in order) in `hay` nearest the number: for `Before` the one
/// ending last, for `After` the one starting first. Returns (start, end).
fn find(hay: &[char], parts: &[Vec<char>], side: Side) -> Option<(usize, usize)> {
    match side {
        Side::Before => {
            let mut limit = hay.len();
            let mut end = None;
            let mut start = 0;
            for part in parts.iter().rev() {
                let at = super::text::find_last(&hay[..limit], part)?;
                end.get_or_insert(at + part.len());
                start = at;
                limit = at;
            }
            Some((start, end?))
        }
        Side::After => {
            let mut from = 0;
            let mut start = None;
            let mut end = 0;
            for part in parts {
                let at = find_first(&hay[from..], part)? + from;
                start.get_or_insert(at);
                end = at + part.len();
                from = end;
            }
            Some((start?, end))
        }
    }
}

fn find_first(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Aggregation, Period, ValueKind};

    fn metric(code: &str, unit: &str, words: &[&str]) -> Metric {
        Metric {
            code: code.into(),
            name: format!("{code}名称"),
            unit: unit.into(),
            kind: ValueKind::Count,
            aggregation: Aggregation::Sum,
            period: Period::Yearly,
            owners: vec![],
            words: words.iter().map(|w| w.to_string()).collect(),
            sort_order: 0,
        }
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().map(fold).collect()
    }

    #[test]
    fn nearest_mention_first_and_longer_words_hide_shorter_ones() {
        let lex = Lexicon::new(&[
            metric("new", "件", &["政府信息公开申请", "受理…信息公开申请"]),
            metric("done", "件", &["办理政府信息公开申请"]),
            metric("mail", "件", &["局长信箱"]),
        ]);
        let c = chars("局长信箱和办理政府信息公开申请");
        let found = lex.mentions(&c, 0..c.len(), Side::Before);
        let metrics: Vec<usize> = found.iter().map(|m| m.metric).collect();
        assert_eq!(
            metrics,
            [1, 2],
            "政府信息公开申请 is inside 办理政府信息公开申请"
        );
        let c = chars("共受理的各类政府信息公开申请");
        let found = lex.mentions(&c, 0..c.len(), Side::Before);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].metric, found[0].end), (0, c.len()));
        let c = chars("到局长信箱");
        assert_eq!(lex.mentions(&c, 0..c.len(), Side::After)[0].metric, 2);
        assert!(
            lex.units.iter().position(|u| u == &chars("万元"))
                < lex.units.iter().position(|u| u == &chars("元"))
        );
    }
}
