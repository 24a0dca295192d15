//! The draft editor's source map: from a block of the compiled document back to the line
//! of the draft's source (template markup) it most likely came from, and the one-click
//! fix that replaces a number typed by hand with a live `figure("…")` call. Used only by
//! the editor; the compiled document carries no spans, so these match literal text.

use crate::approval::block_runs;
use crate::document::{Document, Run};

/// The one-click fix of a number typed by hand: replaces it in the draft's `source` with
/// a live `figure("code")` call. `text` is the compiled document's plain text and
/// `number` the typed digits' bytes in it (a prose flag's range).
///
/// The source line is found by the typed number together with the prose just before it
/// (up to six characters, as little as makes the match unique), so the same number
/// elsewhere is not touched; `None` when no unique place is found.
pub fn link_typed_number(
    source: &str,
    text: &str,
    number: std::ops::Range<usize>,
    code: &str,
) -> Option<String> {
    let typed = text.get(number.clone())?;
    let before: Vec<char> = text[..number.start]
        .chars()
        .rev()
        .take_while(|c| *c != '\n')
        .take(6)
        .collect();
    for k in (1..=before.len()).rev() {
        let context: String = before[..k].iter().rev().collect();
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for (n, line) in source.split('\n').enumerate() {
            for (i, _) in line.match_indices(context.as_str()) {
                let at = i + context.len();
                if line[at..].starts_with(typed)
                    && whole_number_at(&line[at..], typed) == Some(0)
                    && !inside_tag(&line[..at])
                {
                    hits.push((n, at));
                }
            }
        }
        if let [(line, at)] = hits[..] {
            let mut lines: Vec<String> = source.split('\n').map(str::to_string).collect();
            let l = &mut lines[line];
            l.replace_range(
                at..at + typed.len(),
                &format!("{{{{ figure(\"{code}\") }}}}"),
            );
            return Some(lines.join("\n"));
        }
    }
    None
}

/// The 0-based line of `source` that a block of the compiled document most likely comes
/// from: the line whose literal text (outside `{{ }}`, `{% %}` and the markup prefixes)
/// covers most of the block's typed text. Templates have no source map once rendered, and
/// a draft's prose lines are literal, so matching the literal text finds them reliably;
/// `None` when no line shares any text with the block (a generated table).
pub fn source_line(source: &str, doc: &Document, block: usize) -> Option<usize> {
    let block = doc.blocks.get(block)?;
    let typed: String = block_runs(block)
        .filter_map(|run| match run {
            Run::Text { text } | Run::Emphasis { text } => Some(text.as_str()),
            Run::Figure(_) => None,
        })
        .collect();
    if typed.trim().is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for (n, line) in source.lines().enumerate() {
        let score: usize = literal_fragments(line)
            .filter(|f| f.chars().count() >= 2 && typed.contains(f))
            .map(|f| f.chars().count())
            .sum();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((n, score));
        }
    }
    best.map(|(n, _)| n)
}

/// The literal pieces of a template line: the text between `{{ }}` / `{% %}` / `{# #}`
/// tags, without the markup prefixes (`title:`, `#`, `closing:`).
fn literal_fragments(line: &str) -> impl Iterator<Item = &str> {
    let line = line.trim_start();
    let line = line
        .strip_prefix("title:")
        .or_else(|| line.strip_prefix("closing:"))
        .unwrap_or_else(|| line.trim_start_matches('#'));
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('{') {
        let close = match rest[start..].chars().nth(1) {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                out.push(&rest[..=start]);
                rest = &rest[start + 1..];
                continue;
            }
        };
        out.push(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push(rest);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty())
}

/// Replaces the number `typed` on source line `line` with a live `figure("code")` call
/// (the "link" fix for a number typed by hand that equals a figure). Returns the new
/// source, or `None` when the line does not contain `typed` as a whole number.
pub fn link_number(source: &str, line: usize, typed: &str, code: &str) -> Option<String> {
    let mut lines: Vec<&str> = source.split('\n').collect();
    let text = *lines.get(line)?;
    let at = whole_number_at(text, typed)?;
    let replaced = format!(
        "{}{{{{ figure(\"{code}\") }}}}{}",
        &text[..at],
        &text[at + typed.len()..]
    );
    lines[line] = &replaced;
    Some(lines.join("\n"))
}

/// Byte offset of the first occurrence of `number` in `text` that is not part of a longer
/// number and not inside a `{{ }}` / `{% %}` tag.
fn whole_number_at(text: &str, number: &str) -> Option<usize> {
    let is_num = |c: char| c.is_ascii_digit() || c == '.';
    let mut from = 0;
    while let Some(i) = text[from..].find(number) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + number.len()..].chars().next();
        if !before.is_some_and(is_num) && !after.is_some_and(is_num) && !inside_tag(&text[..at]) {
            return Some(at);
        }
        from = at + number.len();
    }
    None
}

/// True when `before` ends inside an unclosed `{{ }}` or `{% %}` tag.
fn inside_tag(before: &str) -> bool {
    before.matches("{{").count() > before.matches("}}").count()
        || before.matches("{%").count() > before.matches("%}").count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::tests::{doc, fig, para, text};
    use crate::document::Block;

    #[test]
    fn source_line_finds_the_prose_line_of_a_block() {
        let source = "title: {{ agency }}报告\n\n# 总体情况\n\n全年受理申请{{ figure(\"a\") }}件，办结率高。\n另一段落文字。\n";
        let d = doc(vec![
            Block::Heading(crate::document::Heading {
                level: 1,
                number: "一、".into(),
                runs: vec![text("总体情况")],
                run_in: false,
            }),
            para(vec![
                text("全年受理申请"),
                fig("a", "17"),
                text("件，办结率高。"),
            ]),
            para(vec![text("另一段落文字。")]),
        ]);
        assert_eq!(source_line(source, &d, 0), Some(2));
        assert_eq!(source_line(source, &d, 1), Some(4));
        assert_eq!(source_line(source, &d, 2), Some(5));
        assert_eq!(source_line(source, &d, 9), None);
    }

    #[test]
    fn link_number_replaces_only_the_whole_typed_number() {
        let source = "第一行\n2019年受理申请17件，较上年170件有所下降{{ figure(\"x\", 17) }}。";
        let linked = link_number(source, 1, "17", "t3.new.total").unwrap();
        assert_eq!(
            linked,
            "第一行\n2019年受理申请{{ figure(\"t3.new.total\") }}件，较上年170件有所下降{{ figure(\"x\", 17) }}。"
        );
        assert_eq!(link_number(source, 1, "95", "c"), None);
        assert_eq!(link_number(source, 7, "17", "c"), None);
    }

    #[test]
    fn a_typed_number_is_linked_where_its_context_is_unique() {
        let source = "# 概况\n全年受理申请17件，其中公开17件。\n{% if x %}办结17件{% endif %}\n";
        let text = "一、概况\n全年受理申请17件，其中公开17件。\n办结17件\n";
        let second = text.rfind("公开17").unwrap() + "公开".len();
        let linked = link_typed_number(source, text, second..second + 2, "t3.open.total").unwrap();
        assert_eq!(
            linked,
            "# 概况\n全年受理申请17件，其中公开{{ figure(\"t3.open.total\") }}件。\n{% if x %}办结17件{% endif %}\n"
        );
        // 办结17 is in the source too, after a tag: the context still finds it.
        let third = text.rfind("17").unwrap();
        let linked = link_typed_number(source, text, third..third + 2, "c").unwrap();
        assert!(linked.contains("办结{{ figure(\"c\") }}件"), "{linked}");
        // A number the source does not have (it came from a figure) is left alone.
        assert_eq!(
            link_typed_number("全年{{ figure(\"a\") }}件", "全年17件", 6..8, "a"),
            None
        );
    }
}
