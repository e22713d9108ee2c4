//! First stage of the pipeline: turns the paths the user gave (files, folders, `.zip`
//! archives) into a flat list of [`Input`]s, each with its display path and its bytes.
//! Nothing here parses a log; `sniff` decides later what each input is.

mod archive;
mod content;
pub mod encoding;
pub mod sniff;
mod walk;

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

pub use archive::ArchiveLimits;
pub use content::{Bytes, Content};

use crate::model::{Notice, Severity};

/// One file to read: on disk, or unpacked from an archive.
#[derive(Debug, Clone)]
pub struct Input {
    /// Path as shown to the user; entries of archives read `archive.zip!inner/path`.
    pub path: Arc<str>,
    /// Where its bytes are.
    pub content: Content,
    /// Size in bytes.
    pub size: u64,
}

/// Everything found under the user's paths.
#[derive(Debug, Default)]
pub struct Collected {
    /// Files to read, in a deterministic order.
    pub inputs: Vec<Input>,
    /// Problems met while listing and unpacking.
    pub notices: Vec<Notice>,
}

/// Lists the files under `paths`, unpacking zip archives in memory.
pub fn collect(paths: &[PathBuf], limits: ArchiveLimits) -> Collected {
    let found = walk::find_files(paths);
    let mut collected = Collected {
        inputs: Vec::with_capacity(found.files.len()),
        notices: found.notices,
    };
    let mut unpacker = archive::Unpacker::new(limits);
    for path in found.files {
        add_file(path, &mut unpacker, &mut collected);
    }
    collected
}

fn add_file(path: PathBuf, unpacker: &mut archive::Unpacker, collected: &mut Collected) {
    let shown = path.display().to_string();
    let content = Content::File(path.clone());
    let head = match content.head(8) {
        Ok(head) => head,
        Err(err) => {
            collected
                .notices
                .push(Notice::new(Severity::Error, shown, walk::describe_io(&err)));
            return;
        }
    };
    if archive::looks_like_zip(&head) {
        match File::open(&path) {
            Ok(file) => unpacker.unpack(file, &shown, 0, &mut collected.inputs, &mut collected.notices),
            Err(err) => collected
                .notices
                .push(Notice::new(Severity::Error, shown, walk::describe_io(&err))),
        }
        return;
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    collected.inputs.push(Input {
        path: Arc::from(shown),
        content,
        size,
    });
}
