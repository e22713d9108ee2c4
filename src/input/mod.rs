//! First stage of the pipeline: turns the paths the user gave (files, folders, `.zip`
//! archives, pipes, standard input) into a flat list of [`Input`]s, each with its display path
//! and its bytes ([`Repeats`] tells which hold the same content). Nothing here parses a log;
//! `sniff` decides later what each input is.

mod archive;
pub mod content;
mod dedup;
pub mod encoding;
pub mod sniff;
mod walk;

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

pub use archive::InputLimits;
pub use content::{Bytes, Content};
pub use dedup::Repeats;
pub use walk::{describe_io, STDIN_ARG};

use crate::model::{Notice, Severity};
use walk::Source;

/// Unpacks one zip archive read from `reader` (display name `path`) with fresh limits: the
/// fuzz target's way in.
pub(crate) fn unpack_zip<R: std::io::Read + std::io::Seek>(
    reader: R,
    path: &str,
    limits: InputLimits,
    inputs: &mut Vec<Input>,
    notices: &mut Vec<Notice>,
) {
    archive::Unpacker::new(limits).unpack(reader, path, 0, inputs, notices);
}

/// How standard input is shown in reports.
pub const STDIN_NAME: &str = "<stdin>";

/// One file to read: on disk, or held in memory (unpacked from an archive, read from a pipe).
#[derive(Debug, Clone)]
pub struct Input {
    /// Path as shown to the user; entries of archives read `archive.zip!inner/path`.
    pub path: Arc<str>,
    /// Where its bytes are.
    pub content: Content,
    /// Size in bytes.
    pub size: u64,
    /// Its SHA-256, when already taken (to tell repeated inputs apart), so it is not taken twice.
    pub sha256: Option<[u8; 32]>,
}

impl Input {
    /// An input whose hash is not taken yet.
    pub fn new(path: Arc<str>, content: Content, size: u64) -> Input {
        Input {
            path,
            content,
            size,
            sha256: None,
        }
    }
}

/// Everything found under the user's paths.
#[derive(Debug, Default)]
pub struct Collected {
    /// Files to read, in a deterministic order.
    pub inputs: Vec<Input>,
    /// Problems met while listing and unpacking.
    pub notices: Vec<Notice>,
}

/// Lists the inputs under `paths`: zip archives unpacked in memory, pipes and standard input
/// read to their end. The same content given twice is still listed twice: [`Repeats`] keeps
/// one of them while they are read.
pub fn collect(paths: &[PathBuf], limits: InputLimits) -> Collected {
    let found = walk::find_files(paths);
    let mut collected = Collected {
        inputs: Vec::with_capacity(found.sources.len()),
        notices: found.notices,
    };
    let mut unpacker = archive::Unpacker::new(limits);
    // Each file's first bytes and size, looked up on every core (hundreds of small logs).
    let files: Vec<Option<FileLook>> = {
        use rayon::prelude::*;
        found
            .sources
            .par_iter()
            .map(|source| match source {
                Source::File(path) => Some(FileLook::of(path)),
                Source::Stream(_) | Source::Stdin => None,
            })
            .collect()
    };
    for (source, look) in found.sources.into_iter().zip(files) {
        match (source, look) {
            (Source::File(path), look) => {
                let look = look.unwrap_or_else(|| FileLook::of(&path));
                add_file(path, look, &mut unpacker, &mut collected);
            }
            (Source::Stream(path), _) => {
                let shown = path.display().to_string();
                let read = File::open(&path).and_then(|file| read_stream(file, limits.max_stream_bytes));
                add_stream(shown, read, &mut unpacker, &mut collected);
            }
            (Source::Stdin, _) => {
                let read = read_stream(std::io::stdin().lock(), limits.max_stream_bytes);
                add_stream(STDIN_NAME.to_string(), read, &mut unpacker, &mut collected);
            }
        }
    }
    collected
}

/// What `collect` needs to know of a file before listing it.
struct FileLook {
    is_zip: bool,
    size: u64,
}

impl FileLook {
    /// A file that cannot be opened is still an input: parsing reports it as failed.
    fn of(path: &std::path::Path) -> FileLook {
        let is_zip = Content::File(path.to_path_buf())
            .head(8)
            .is_ok_and(|head| archive::looks_like_zip(&head));
        let size = if is_zip {
            0
        } else {
            std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
        };
        FileLook { is_zip, size }
    }
}

fn add_file(path: PathBuf, look: FileLook, unpacker: &mut archive::Unpacker, collected: &mut Collected) {
    let shown = path.display().to_string();
    if look.is_zip {
        match File::open(&path) {
            Ok(file) => unpacker.unpack(file, &shown, 0, &mut collected.inputs, &mut collected.notices),
            Err(err) => collected
                .notices
                .push(Notice::new(Severity::Error, shown, walk::describe_io(&err))),
        }
        return;
    }
    collected
        .inputs
        .push(Input::new(Arc::from(shown), Content::File(path), look.size));
}

/// A stream read to its end (or to the limit): an archive is unpacked, anything else kept.
fn add_stream(
    shown: String,
    read: std::io::Result<Streamed>,
    unpacker: &mut archive::Unpacker,
    collected: &mut Collected,
) {
    let streamed = match read {
        Ok(streamed) => streamed,
        Err(err) => {
            let reason = format!("cannot read: {}", walk::describe_io(&err));
            collected.notices.push(Notice::new(Severity::Error, shown, reason));
            return;
        }
    };
    if let Some(limit) = streamed.cut_at {
        let reason = format!(
            "stream is longer than the limit of {limit} bytes; only its beginning is read (raise it with --max-stream)"
        );
        collected
            .notices
            .push(Notice::new(Severity::Damaged, shown.as_str(), reason));
    }
    if archive::looks_like_zip(&streamed.bytes) {
        let cursor = std::io::Cursor::new(streamed.bytes);
        unpacker.unpack(cursor, &shown, 0, &mut collected.inputs, &mut collected.notices);
        return;
    }
    let size = streamed.bytes.len() as u64;
    collected.inputs.push(Input::new(
        Arc::from(shown),
        Content::Memory(Arc::from(streamed.bytes)),
        size,
    ));
}

/// The bytes of a stream, and the limit when it was longer.
struct Streamed {
    bytes: Vec<u8>,
    cut_at: Option<u64>,
}

fn read_stream(reader: impl Read, limit: u64) -> std::io::Result<Streamed> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let cut_at = (bytes.len() as u64 > limit).then(|| {
        bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        limit
    });
    Ok(Streamed { bytes, cut_at })
}

#[cfg(test)]
mod tests {
    use super::read_stream;

    #[test]
    fn a_stream_is_cut_at_the_limit_and_says_so() {
        let whole = read_stream(&b"0123456789"[..], 10).expect("read");
        assert_eq!((whole.bytes.len(), whole.cut_at), (10, None));
        let cut = read_stream(&b"0123456789"[..], 4).expect("read");
        assert_eq!((cut.bytes.as_slice(), cut.cut_at), (&b"0123"[..], Some(4)));
    }
}
