//! The shape most rules of a cause that Windows names in words share: a sentence that names
//! the cause ([`crate::parse::paste::phrases`], or an event whose id states it), then the
//! backup failures it explains.

use crate::history::Analysis;
use crate::signals::{Signal, SignalKind};

use super::score::codes_for;
use super::{Assessment, Cause, Text};

/// The phrase signals with one of `ids`.
pub fn phrases<'a, 'e>(a: &'a Analysis<'e>, ids: &[&str]) -> Vec<&'a Signal<'e>> {
    a.select(|k| matches!(k, SignalKind::Phrase { id } if ids.contains(&id.as_str())))
}

/// Which failures a named cause explains.
pub enum Explains {
    /// Failures with a code the code table points to the cause (every failure when the table
    /// names no code for it).
    Codes,
    /// Any failure from the phrase's first appearance on (the phrase is the failure's own
    /// event, which has no code).
    AnyFailure,
}

/// An assessment when any phrase of `ids` is found: `weight` for the phrase, then the failures
/// it explains; a missing failure costs a little.
pub fn named_cause(
    a: &Analysis<'_>,
    cause: Cause,
    ids: &[&str],
    weight: f64,
    reason: Text,
    explains: Explains,
) -> Option<Assessment> {
    let found = phrases(a, ids);
    if found.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(weight, reason, found.iter().copied());
    let explained = match explains {
        Explains::Codes => s.explain(a, &codes_for(cause), None, None),
        Explains::AnyFailure => {
            let since = s.first();
            s.explain(a, &[], since, None)
        }
    };
    if explained == 0 {
        s.missing(
            0.05,
            super::bi("a backup failure this explains", "これで説明できるバックアップの失敗"),
        );
    }
    Some(s)
}
