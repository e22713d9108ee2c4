//! The same content given twice (a folder and its zip, a log copied under two names) is read
//! once. Inputs are grouped by size first, so only same-size inputs are ever hashed; each is
//! hashed by the task that reads it, through the one map its reader then uses, so hashing
//! takes no pass of its own before reading starts. The copy kept is the first in input order,
//! whichever task hashes first.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::model::{Notice, Severity};

use super::Input;

/// The inputs that share their size with another, and the digests seen so far.
#[derive(Debug)]
pub struct Repeats {
    shares_size: Vec<bool>,
    seen: Mutex<Seen>,
}

/// Digests taken so far, by the tasks that read the inputs.
#[derive(Debug, Default)]
struct Seen {
    /// The lowest input index seen with each digest.
    first_with: HashMap<[u8; 32], usize>,
    /// Each hashed input's digest.
    digest_of: BTreeMap<usize, [u8; 32]>,
}

impl Repeats {
    /// Marks the inputs that share their (non-zero) size with another: only they can repeat
    /// one. Empty inputs are left alone (each is reported as empty anyway).
    pub fn of(inputs: &[Input]) -> Repeats {
        let mut by_size: BTreeMap<u64, usize> = BTreeMap::new();
        for input in inputs.iter().filter(|i| i.size > 0) {
            *by_size.entry(input.size).or_default() += 1;
        }
        Repeats {
            shares_size: inputs.iter().map(|i| by_size.get(&i.size) > Some(&1)).collect(),
            seen: Mutex::default(),
        }
    }

    /// Input `index` made ready to read: when it shares its size, mapped and hashed (the map
    /// is its reader's too), and `None` when an earlier input is already known to hold the
    /// same bytes (a copy, not read). An input that cannot be hashed is read, and its reader
    /// says why it fails.
    pub fn prepare<'i>(&self, index: usize, input: &'i Input) -> Option<Cow<'i, Input>> {
        if !self.shares_size.get(index).copied().unwrap_or(false) {
            return Some(Cow::Borrowed(input));
        }
        let content = input.content.mapped();
        let Ok(digest) = content.sha256() else {
            return Some(Cow::Borrowed(input));
        };
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.digest_of.insert(index, digest);
        let first = seen.first_with.entry(digest).or_insert(index);
        if *first < index {
            return None;
        }
        *first = index;
        Some(Cow::Owned(Input {
            content,
            sha256: Some(digest),
            ..input.clone()
        }))
    }

    /// After every input was prepared: for each input, whether it is kept, and a note for
    /// each one left out naming the earlier input with the same bytes, in input order.
    pub fn kept(self, inputs: &[Input]) -> (Vec<bool>, Vec<Notice>) {
        let seen = self
            .seen
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut kept = vec![true; inputs.len()];
        let mut notices = Vec::new();
        for (&index, digest) in &seen.digest_of {
            let Some(&first) = seen.first_with.get(digest).filter(|&&first| first != index) else {
                continue;
            };
            let (Some(input), Some(original)) = (inputs.get(index), inputs.get(first)) else {
                continue;
            };
            kept[index] = false;
            let reason = format!(
                "same content as {} (sha256 {}); read once",
                original.path,
                hex(&digest[..8])
            );
            notices.push(Notice::new(Severity::Note, &*input.path, reason));
        }
        (kept, notices)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Repeats;
    use crate::input::{Content, Input};

    fn input(name: &str, bytes: &[u8]) -> Input {
        Input::new(Arc::from(name), Content::Memory(Arc::from(bytes)), bytes.len() as u64)
    }

    #[test]
    fn repeated_content_is_kept_once_with_a_note_whichever_copy_is_hashed_first() {
        let inputs = vec![
            input("case/CBS.log", b"same bytes"),
            input("other.log", b"other byte"),
            input("case.zip!CBS.log", b"same bytes"),
            input("empty1", b""),
            input("empty2", b""),
            input("third/CBS.log", b"same bytes"),
        ];
        for order in [[0, 1, 2, 3, 4, 5], [5, 2, 4, 3, 1, 0], [2, 0, 5, 1, 3, 4]] {
            let repeats = Repeats::of(&inputs);
            let mut read = vec![false; inputs.len()];
            for index in order {
                if let Some(ready) = repeats.prepare(index, &inputs[index]) {
                    read[index] = true;
                    assert_eq!(ready.sha256.is_some(), index != 3 && index != 4, "{index}");
                }
            }
            assert!(read[0] && read[1] && read[3] && read[4], "{order:?}: {read:?}");
            let (kept, notices) = repeats.kept(&inputs);
            assert_eq!(kept, [true, true, false, true, true, false], "{order:?}");
            let named: Vec<(&str, bool)> = notices
                .iter()
                .map(|n| (n.path.as_str(), n.reason.starts_with("same content as case/CBS.log")))
                .collect();
            assert_eq!(
                named,
                [("case.zip!CBS.log", true), ("third/CBS.log", true)],
                "{order:?}"
            );
        }
    }

    #[test]
    fn a_copy_hashed_after_its_original_is_not_read() {
        let inputs = vec![input("a.log", b"same"), input("b.log", b"same")];
        let repeats = Repeats::of(&inputs);
        assert!(repeats.prepare(0, &inputs[0]).is_some());
        assert!(repeats.prepare(1, &inputs[1]).is_none());
    }
}
