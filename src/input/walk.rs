//! Expands the paths the user gave into things to read: folders recursively (in name order,
//! following symlinks, with loops detected), each file once. Named pipes and `-` are read as
//! streams; anything else that is not a regular file is never opened.

use std::collections::BTreeSet;
use std::fs::{self, FileType};
use std::path::{Path, PathBuf};

use crate::model::{Notice, Severity};

/// The path that stands for standard input.
pub const STDIN_ARG: &str = "-";

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A regular file, memory-mapped when read.
    File(PathBuf),
    /// A named pipe (or a `/dev/fd/N` from process substitution) given on the command line,
    /// read once to its end.
    Stream(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// What was found under the given paths, in a deterministic order.
#[derive(Debug, Default)]
pub struct Found {
    /// What to read, each once.
    pub sources: Vec<Source>,
    /// Paths that could not be listed, loops, duplicates, files never opened.
    pub notices: Vec<Notice>,
}

/// Lists everything to read under `paths`.
pub fn find_files(paths: &[PathBuf]) -> Found {
    let mut walker = Walker::default();
    for path in paths {
        walker.visit_argument(path);
    }
    walker.found
}

#[derive(Debug, Default)]
struct Walker {
    found: Found,
    seen_files: BTreeSet<PathBuf>,
    open_dirs: Vec<PathBuf>,
    stdin_taken: bool,
}

impl Walker {
    /// A path named on the command line: pipes are read, an empty folder is an error.
    fn visit_argument(&mut self, path: &Path) {
        if path.as_os_str() == STDIN_ARG {
            if std::mem::replace(&mut self.stdin_taken, true) {
                self.note(path, "standard input was given twice; read once");
            } else {
                self.found.sources.push(Source::Stdin);
            }
            return;
        }
        let Some(meta) = self.metadata(path) else { return };
        if is_pipe(&meta.file_type()) {
            self.found.sources.push(Source::Stream(path.to_path_buf()));
            return;
        }
        let before = (self.found.sources.len(), self.found.notices.len());
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.visit(path, &meta, canonical);
        if meta.is_dir() && (self.found.sources.len(), self.found.notices.len()) == before {
            let reason = "folder holds no file to read";
            self.found
                .notices
                .push(Notice::new(Severity::Error, path.display().to_string(), reason));
        }
    }

    fn metadata(&mut self, path: &Path) -> Option<fs::Metadata> {
        match fs::metadata(path) {
            Ok(meta) => Some(meta),
            Err(err) => {
                let shown = path.display().to_string();
                self.found
                    .notices
                    .push(Notice::new(Severity::Error, shown, describe_io(&err)));
                None
            }
        }
    }

    /// Visits `path`, whose path with every link resolved is `canonical`.
    fn visit(&mut self, path: &Path, meta: &fs::Metadata, canonical: PathBuf) {
        if meta.is_dir() {
            self.visit_dir(path, canonical);
        } else if !meta.is_file() {
            let reason = format!("{}; not opened", describe_special(&meta.file_type()));
            self.note(path, reason);
        } else if !self.seen_files.insert(canonical) {
            self.note(
                path,
                "the same file was reached twice (through a link or a repeated argument); read once",
            );
        } else {
            self.found.sources.push(Source::File(path.to_path_buf()));
        }
    }

    fn visit_dir(&mut self, path: &Path, canonical: PathBuf) {
        if self.open_dirs.contains(&canonical) {
            let reason = format!("symbolic link loop back to {}; not followed", canonical.display());
            self.note(path, reason);
            return;
        }
        // Each entry with whether it is a link (the folder's listing says, with no call of
        // its own): only a link's path is resolved, as the others are the folder's and a name.
        let mut entries = match fs::read_dir(path) {
            Ok(read) => read
                .filter_map(Result::ok)
                .map(|e| (e.path(), e.file_type().map_or(true, |t| t.is_symlink())))
                .collect::<Vec<_>>(),
            Err(err) => {
                let shown = path.display().to_string();
                self.found
                    .notices
                    .push(Notice::new(Severity::Error, shown, describe_io(&err)));
                return;
            }
        };
        entries.sort();
        self.open_dirs.push(canonical.clone());
        for (entry, link) in entries {
            if let Some(meta) = self.metadata(&entry) {
                let resolved = match entry.file_name() {
                    Some(name) if !link => canonical.join(name),
                    _ => fs::canonicalize(&entry).unwrap_or_else(|_| entry.clone()),
                };
                self.visit(&entry, &meta, resolved);
            }
        }
        self.open_dirs.pop();
    }

    fn note(&mut self, path: &Path, reason: impl Into<String>) {
        self.found
            .notices
            .push(Notice::new(Severity::Note, path.display().to_string(), reason));
    }
}

#[cfg(unix)]
fn is_pipe(kind: &FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_kind: &FileType) -> bool {
    false
}

/// Names a file that is neither a regular file nor a folder.
#[cfg(unix)]
fn describe_special(kind: &FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe met inside a folder (name it on the command line to read it)"
    } else if kind.is_socket() {
        "a socket, not a file"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device, not a file"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn describe_special(_kind: &FileType) -> &'static str {
    "not a regular file"
}

/// A short, user-facing reason for an I/O error.
pub fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{find_files, Source};
    use crate::model::Severity;

    fn names(found: &super::Found, root: &std::path::Path) -> Vec<String> {
        found
            .sources
            .iter()
            .map(|s| match s {
                Source::File(p) | Source::Stream(p) => p
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/"),
                Source::Stdin => "-".to_string(),
            })
            .collect()
    }

    #[test]
    fn walks_folders_in_name_order_and_names_missing_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for name in ["b.log", "a.log", "sub/c.log"] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        let missing = dir.path().join("missing");
        let found = find_files(&[dir.path().to_path_buf(), missing]);
        assert_eq!(names(&found, dir.path()), ["a.log", "b.log", "sub/c.log"]);
        assert_eq!(found.notices.len(), 1);
        assert!(found.notices[0].reason.contains("no such file"));
    }

    #[test]
    fn an_empty_folder_named_on_the_command_line_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
        let found = find_files(&[dir.path().join("empty")]);
        assert!(found.sources.is_empty());
        assert_eq!(found.notices.len(), 1);
        assert_eq!(found.notices[0].severity, Severity::Error);
        assert!(found.notices[0].reason.contains("no file"));
    }

    #[test]
    fn stdin_is_read_once() {
        let found = find_files(&["-".into(), "-".into()]);
        assert_eq!(found.sources, [Source::Stdin]);
        assert!(found.notices[0].reason.contains("twice"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/CBS.log"), b"x").expect("write");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/back")).expect("symlink");
        let found = find_files(&[dir.path().to_path_buf()]);
        assert_eq!(found.sources.len(), 1);
        assert!(found.notices.iter().any(|n| n.reason.contains("loop")));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_reached_through_links_is_read_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("a")).expect("mkdir");
        std::fs::write(dir.path().join("a/CBS.log"), b"x").expect("write");
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("alias")).expect("symlink");
        std::os::unix::fs::symlink(dir.path().join("a/CBS.log"), dir.path().join("link.log")).expect("symlink");
        let found = find_files(&[dir.path().to_path_buf(), dir.path().join("alias/CBS.log")]);
        assert_eq!(found.sources, [Source::File(dir.path().join("a/CBS.log"))]);
        let twice: Vec<String> = found
            .notices
            .iter()
            .filter(|n| n.reason.contains("reached twice"))
            .map(|n| n.path.clone())
            .collect();
        let shown = |p: &str| dir.path().join(p).display().to_string();
        assert_eq!(
            twice,
            [shown("alias/CBS.log"), shown("link.log"), shown("alias/CBS.log")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn pipes_inside_folders_are_never_opened_but_named_ones_are_streams() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("CBS.log"), b"x").expect("write");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let walked = find_files(&[dir.path().to_path_buf()]);
        assert_eq!(names(&walked, dir.path()), ["CBS.log"]);
        assert!(walked.notices.iter().any(|n| n.reason.contains("named pipe")));
        let named = find_files(std::slice::from_ref(&fifo));
        assert_eq!(named.sources, [Source::Stream(fifo)]);
    }
}
