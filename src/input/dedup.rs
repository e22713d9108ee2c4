//! The same content given twice (a folder and its zip, a log copied under two names) is read
//! once. Inputs are grouped by size first, so only same-size inputs are ever hashed.

use std::collections::BTreeMap;

use crate::model::{Notice, Severity};

use super::{Collected, Input};

/// Removes every input whose bytes equal an earlier input's (by SHA-256), with a note naming
/// the one kept. Empty inputs are left alone (each is reported as empty anyway).
pub fn drop_repeated_content(collected: &mut Collected) {
    let mut by_size: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (index, input) in collected.inputs.iter().enumerate() {
        if input.size > 0 {
            by_size.entry(input.size).or_default().push(index);
        }
    }
    hash_same_sizes(collected, &by_size);
    let mut repeated = vec![None; collected.inputs.len()];
    for indices in by_size.values().filter(|group| group.len() > 1) {
        let mut first_with: BTreeMap<[u8; 32], usize> = BTreeMap::new();
        for &index in indices {
            let Some(digest) = collected.inputs[index].sha256 else {
                continue;
            };
            match first_with.get(&digest) {
                Some(&first) => repeated[index] = Some((first, digest)),
                None => {
                    first_with.insert(digest, index);
                }
            }
        }
    }
    let kept_names: Vec<_> = collected.inputs.iter().map(|i| i.path.clone()).collect();
    let mut index = 0;
    collected.inputs.retain(|input| {
        let this = index;
        index += 1;
        let Some((first, digest)) = repeated[this] else {
            return true;
        };
        let reason = format!(
            "same content as {} (sha256 {}); read once",
            kept_names[first],
            hex(&digest[..8])
        );
        collected
            .notices
            .push(Notice::new(Severity::Note, &*input.path, reason));
        false
    });
}

/// Takes the hash of every input that shares its size with another, in parallel.
fn hash_same_sizes(collected: &mut Collected, by_size: &BTreeMap<u64, Vec<usize>>) {
    use rayon::prelude::*;
    let mut shared = vec![false; collected.inputs.len()];
    for &index in by_size.values().filter(|group| group.len() > 1).flatten() {
        shared[index] = true;
    }
    collected
        .inputs
        .par_iter_mut()
        .zip(shared)
        .filter(|(_, shared)| *shared)
        .for_each(|(input, _)| input.sha256 = sha256(input));
}

/// The input's SHA-256, or `None` when it cannot be read (parsing reports that later).
fn sha256(input: &Input) -> Option<[u8; 32]> {
    input.content.sha256().ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::drop_repeated_content;
    use crate::input::{Collected, Content, Input};

    fn input(name: &str, bytes: &[u8]) -> Input {
        Input::new(Arc::from(name), Content::Memory(Arc::from(bytes)), bytes.len() as u64)
    }

    #[test]
    fn repeated_content_is_kept_once_with_a_note() {
        let mut collected = Collected {
            inputs: vec![
                input("case/CBS.log", b"same bytes"),
                input("other.log", b"other byte"),
                input("case.zip!CBS.log", b"same bytes"),
                input("empty1", b""),
                input("empty2", b""),
            ],
            notices: Vec::new(),
        };
        drop_repeated_content(&mut collected);
        let kept: Vec<&str> = collected.inputs.iter().map(|i| &*i.path).collect();
        assert_eq!(kept, ["case/CBS.log", "other.log", "empty1", "empty2"]);
        assert_eq!(collected.notices.len(), 1);
        assert_eq!(collected.notices[0].path, "case.zip!CBS.log");
        assert!(collected.notices[0].reason.contains("same content as case/CBS.log"));
    }
}
