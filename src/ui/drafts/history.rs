//! Undo and redo across the whole draft (撤销 Ctrl+Z / 重做 Ctrl+Y): a history of the
//! draft's states, whichever view made the change. A state is the draft's source — the
//! segments are `rich::parse` of it, exactly — so undo in the 正文 view and in the
//! 模板源码 view are the same steps. Typing runs together into one step while it goes
//! on; a deleted chip, a pasted text, a picked figure, a replace is a step of its own.

use std::time::{Duration, Instant};

use super::chips::EditKind;

/// Typing that pauses longer than this starts a new undo step.
const TYPING_PAUSE: Duration = Duration::from_millis(1000);
/// Steps kept (a state is the draft's text: tens of kilobytes).
const LIMIT: usize = 200;

#[derive(Default)]
pub struct History {
    undo: Vec<String>,
    redo: Vec<String>,
    /// The last step, while typing may still join it.
    typing_since: Option<Instant>,
}

impl History {
    /// The draft changed from `before` by an edit of `kind` at `now`.
    pub fn record(&mut self, before: &str, kind: EditKind, now: Instant) {
        let joins = kind == EditKind::Typing
            && self
                .typing_since
                .is_some_and(|t| now.duration_since(t) < TYPING_PAUSE);
        if !joins {
            self.undo.push(before.to_string());
            if self.undo.len() > LIMIT {
                self.undo.remove(0);
            }
        }
        self.typing_since = (kind == EditKind::Typing).then_some(now);
        self.redo.clear();
    }

    /// The state before the last step, given the state now.
    pub fn undo(&mut self, now: &str) -> Option<String> {
        let before = self.undo.pop()?;
        self.redo.push(now.to_string());
        self.typing_since = None;
        Some(before)
    }

    /// The state undone last.
    pub fn redo(&mut self, now: &str) -> Option<String> {
        let after = self.redo.pop()?;
        self.undo.push(now.to_string());
        self.typing_since = None;
        Some(after)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_one_step_a_chip_deletion_another_and_redo_comes_back() {
        let mut h = History::default();
        let t = Instant::now();
        h.record("a", EditKind::Typing, t);
        h.record("ab", EditKind::Typing, t + Duration::from_millis(200));
        h.record("abc", EditKind::Structural, t + Duration::from_millis(300));
        h.record("ab", EditKind::Typing, t + Duration::from_millis(400));
        assert_eq!(h.undo("abx").as_deref(), Some("ab"));
        assert_eq!(h.undo("ab").as_deref(), Some("abc"));
        assert_eq!(h.undo("abc").as_deref(), Some("a"));
        assert_eq!(h.undo("a"), None);
        assert_eq!(h.redo("a").as_deref(), Some("abc"));
        assert!(h.can_redo());
        h.record("abc", EditKind::Typing, t + Duration::from_secs(5));
        assert!(!h.can_redo(), "a new edit drops the redo steps");
    }
}
