//! The token format between the template engine and the markup reader. minijinja renders
//! text, so a figure or table function leaves a token in it — a private-use character,
//! the index into the side table ([`super::side::Side`]), and an end character — that the
//! markup reader swaps back for the figure run or the table blocks. Private-use characters
//! never occur in templates or narratives (they are stripped from narratives), so a token
//! cannot be forged or mistaken for text.

/// Starts a figure token: `\u{E000}<index>\u{E001}`.
pub(super) const FIGURE_START: char = '\u{E000}';
/// Ends a token.
pub(super) const TOKEN_END: char = '\u{E001}';
/// Starts a table token: `\u{E002}<index>\u{E001}`.
pub(super) const TABLE_START: char = '\u{E002}';

/// The token of figure `index`.
pub(super) fn figure(index: usize) -> String {
    format!("{FIGURE_START}{index}{TOKEN_END}")
}

/// The token of table group `index`, on a line of its own whatever surrounds the call.
pub(super) fn tables(index: usize) -> String {
    format!("\n{TABLE_START}{index}{TOKEN_END}\n")
}

/// The index of a line that is exactly one table token.
pub(super) fn table_index(line: &str) -> Option<usize> {
    line.strip_prefix(TABLE_START)?
        .strip_suffix(TOKEN_END)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_token_reads_back_only_as_a_whole_line() {
        assert_eq!(table_index(tables(12).trim()), Some(12));
        assert_eq!(table_index(&figure(12)), None);
        assert_eq!(table_index(&format!("x{}", tables(3).trim())), None);
    }
}
