//! Expands the paths the user gave into files: folders recursively (in name order, following
//! symlinks, with loops detected), each file once.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::model::{Notice, Severity};

/// Files found under the given paths, in a deterministic order.
#[derive(Debug, Default)]
pub struct Found {
    /// Files to read, each once.
    pub files: Vec<PathBuf>,
    /// Paths that could not be listed, loops, duplicates.
    pub notices: Vec<Notice>,
}

/// Lists every file under `paths`.
pub fn find_files(paths: &[PathBuf]) -> Found {
    let mut walker = Walker::default();
    for path in paths {
        walker.visit(path);
    }
    walker.found
}

#[derive(Debug, Default)]
struct Walker {
    found: Found,
    seen_files: BTreeSet<PathBuf>,
    open_dirs: Vec<PathBuf>,
}

impl Walker {
    fn visit(&mut self, path: &Path) {
        let shown = path.display().to_string();
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) => {
                self.found
                    .notices
                    .push(Notice::new(Severity::Error, shown, describe_io(&err)));
                return;
            }
        };
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if meta.is_dir() {
            self.visit_dir(path, canonical);
        } else if !self.seen_files.insert(canonical) {
            let reason = "the same file was reached twice (through a link or a repeated argument); read once";
            self.found.notices.push(Notice::new(Severity::Note, shown, reason));
        } else {
            self.found.files.push(path.to_path_buf());
        }
    }

    fn visit_dir(&mut self, path: &Path, canonical: PathBuf) {
        if self.open_dirs.contains(&canonical) {
            let reason = format!("symbolic link loop back to {}; not followed", canonical.display());
            self.found
                .notices
                .push(Notice::new(Severity::Note, path.display().to_string(), reason));
            return;
        }
        let mut entries = match fs::read_dir(path) {
            Ok(read) => read.filter_map(Result::ok).map(|e| e.path()).collect::<Vec<_>>(),
            Err(err) => {
                let shown = path.display().to_string();
                self.found
                    .notices
                    .push(Notice::new(Severity::Error, shown, describe_io(&err)));
                return;
            }
        };
        entries.sort();
        self.open_dirs.push(canonical);
        for entry in entries {
            self.visit(&entry);
        }
        self.open_dirs.pop();
    }
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
    use super::find_files;

    #[test]
    fn walks_folders_in_name_order_and_names_missing_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for name in ["b.log", "a.log", "sub/c.log"] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        let missing = dir.path().join("missing");
        let found = find_files(&[dir.path().to_path_buf(), missing]);
        let names: Vec<_> = found
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(names, ["a.log", "b.log", "sub/c.log"]);
        assert_eq!(found.notices.len(), 1);
        assert!(found.notices[0].reason.contains("no such file"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/CBS.log"), b"x").expect("write");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/back")).expect("symlink");
        let found = find_files(&[dir.path().to_path_buf()]);
        assert_eq!(found.files.len(), 1);
        assert!(found.notices.iter().any(|n| n.reason.contains("loop")));
    }
}
