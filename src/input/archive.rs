//! Reads `.zip` archives in place, without extracting anything to disk, under limits that
//! keep a hostile or broken archive from exhausting memory.

use std::io::{Read, Seek};
use std::sync::Arc;

use crate::model::{Notice, Severity};

use super::content::Content;
use super::Input;

/// Limits on what one run unpacks from archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Most entries read from one archive.
    pub max_entries: usize,
    /// Most bytes unpacked from all archives of the run together.
    pub max_total_bytes: u64,
    /// Highest uncompressed-to-compressed ratio accepted for an entry over 16 MiB (real logs
    /// compress 5:1 to 50:1; a sparse, nearly empty 1 MiB evtx can reach 1000:1, hence the
    /// size floor).
    pub max_ratio: u64,
    /// Deepest nesting of archives in archives (1 = no zip inside a zip).
    pub max_depth: u8,
    /// Most bytes read from one pipe or from standard input (a stream has no size to check
    /// beforehand, and `yes |` never ends).
    pub max_stream_bytes: u64,
    /// Most records one file may give (events of an evtx, lines of a text log, events and
    /// facts of anything else): the work budget that bounds a hostile or endless file.
    pub max_records: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_entries: 100_000,
            max_total_bytes: 4 << 30,
            max_ratio: 500,
            max_depth: 3,
            max_stream_bytes: 256 << 20,
            max_records: 20_000_000,
        }
    }
}

/// True when the bytes start like a zip archive (local file header or empty archive).
pub fn looks_like_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Unpacking state shared over every archive of one run.
#[derive(Debug)]
pub struct Unpacker {
    limits: InputLimits,
    unpacked: u64,
}

impl Unpacker {
    /// A fresh unpacker with these limits.
    pub fn new(limits: InputLimits) -> Unpacker {
        Unpacker { limits, unpacked: 0 }
    }

    /// Reads every file entry of the archive at `path` (display path) into memory.
    pub fn unpack<R: Read + Seek>(
        &mut self,
        mut reader: R,
        path: &str,
        depth: u8,
        inputs: &mut Vec<Input>,
        notices: &mut Vec<Notice>,
    ) {
        if depth >= self.limits.max_depth {
            let reason = format!(
                "archive nested deeper than {} levels; not opened",
                self.limits.max_depth
            );
            notices.push(Notice::new(Severity::Error, path, reason));
            return;
        }
        let mut archive = match zip::ZipArchive::new(&mut reader) {
            Ok(archive) => archive,
            Err(err) => {
                self.salvage(&mut reader, path, depth, &err.to_string(), inputs, notices);
                return;
            }
        };
        if archive.len() > self.limits.max_entries {
            let reason = format!(
                "archive has {} entries, more than the limit of {}; only the first {} are read",
                archive.len(),
                self.limits.max_entries,
                self.limits.max_entries
            );
            notices.push(Notice::new(Severity::Damaged, path, reason));
        }
        for index in 0..archive.len().min(self.limits.max_entries) {
            self.unpack_entry(&mut archive, index, path, depth, inputs, notices);
        }
    }

    /// A zip without its central directory (cut off in an upload or a copy): the entries
    /// before the damage are read from their local headers, in order, and the loss is said.
    fn salvage<R: Read + Seek>(
        &mut self,
        reader: &mut R,
        path: &str,
        depth: u8,
        error: &str,
        inputs: &mut Vec<Input>,
        notices: &mut Vec<Notice>,
    ) {
        let mut recovered = 0usize;
        let mut stopped = None;
        if reader.seek(std::io::SeekFrom::Start(0)).is_ok() {
            while recovered < self.limits.max_entries {
                let entry = match zip::read::read_zipfile_from_stream(reader) {
                    Ok(Some(entry)) => entry,
                    Ok(None) => break,
                    Err(err) => {
                        stopped = Some(err.to_string());
                        break;
                    }
                };
                match self.read_entry(entry, path) {
                    Entry::Directory => {}
                    Entry::Refused(notice) => notices.push(notice),
                    Entry::Broken(notice) => {
                        stopped = Some(notice.to_string());
                        break;
                    }
                    Entry::Data(data, entry_path) => {
                        recovered += 1;
                        self.push(data, entry_path, depth, inputs, notices);
                    }
                }
            }
        }
        let (severity, reason) = if recovered == 0 {
            (Severity::Error, format!("not a readable zip archive: {error}"))
        } else {
            let after = stopped
                .map(|s| format!("; reading stopped at: {s}"))
                .unwrap_or_default();
            (
                Severity::Damaged,
                format!(
                    "zip archive without its central directory (cut off?): {recovered} entries read from their local headers, any after them are lost{after}"
                ),
            )
        };
        notices.push(Notice::new(severity, path, reason));
    }

    fn unpack_entry<R: Read + Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        index: usize,
        path: &str,
        depth: u8,
        inputs: &mut Vec<Input>,
        notices: &mut Vec<Notice>,
    ) {
        let entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(err) => {
                let place = format!("entry {index}");
                notices.push(Notice::new(Severity::Error, path, format!("unreadable entry: {err}")).at(place));
                return;
            }
        };
        match self.read_entry(entry, path) {
            Entry::Directory => {}
            Entry::Refused(notice) | Entry::Broken(notice) => notices.push(notice),
            Entry::Data(data, entry_path) => self.push(data, entry_path, depth, inputs, notices),
        }
    }

    /// Checks one entry (name, encryption, links, sizes) and reads its bytes.
    fn read_entry<R: Read>(&mut self, entry: zip::read::ZipFile<'_, R>, path: &str) -> Entry {
        if entry.is_dir() {
            return Entry::Directory;
        }
        let name = entry_name(entry.name_raw(), entry.name());
        let entry_path = format!("{path}!{name}");
        let refused = |reason: String| Entry::Refused(Notice::new(Severity::Error, entry_path.as_str(), reason));
        if let Err(reason) = check_entry_name(&name) {
            return refused(reason.to_string());
        }
        if entry.encrypted() {
            return refused("entry is encrypted; not read".to_string());
        }
        if entry.is_symlink() {
            return refused("entry is a symbolic link; not followed".to_string());
        }
        let declared = entry.size();
        if let Err(reason) = self.check_size(declared, entry.compressed_size()) {
            return refused(reason.to_string());
        }
        let mut data = Vec::with_capacity(usize::try_from(declared).unwrap_or(0).min(1 << 26));
        if let Err(err) = entry.take(declared.saturating_add(1)).read_to_end(&mut data) {
            return Entry::Broken(Notice::new(
                Severity::Error,
                entry_path.as_str(),
                format!("cannot unpack: {err}"),
            ));
        }
        if data.len() as u64 > declared {
            let reason = "entry holds more data than its header declares; refused as a possible zip bomb";
            return Entry::Broken(Notice::new(Severity::Error, entry_path.as_str(), reason));
        }
        self.unpacked += data.len() as u64;
        Entry::Data(data, entry_path)
    }

    fn check_size(&self, declared: u64, compressed: u64) -> Result<(), Refused> {
        if self.unpacked.saturating_add(declared) > self.limits.max_total_bytes {
            return Err(Refused::TotalSize(self.limits.max_total_bytes));
        }
        let ratio = declared / compressed.max(1);
        if declared > 16 << 20 && ratio > self.limits.max_ratio {
            return Err(Refused::Ratio {
                ratio,
                limit: self.limits.max_ratio,
            });
        }
        Ok(())
    }

    fn push(
        &mut self,
        data: Vec<u8>,
        entry_path: String,
        depth: u8,
        inputs: &mut Vec<Input>,
        notices: &mut Vec<Notice>,
    ) {
        if looks_like_zip(&data) {
            let cursor = std::io::Cursor::new(data);
            self.unpack(cursor, &entry_path, depth + 1, inputs, notices);
            return;
        }
        let size = data.len() as u64;
        inputs.push(Input::new(
            Arc::from(entry_path),
            Content::Memory(Arc::from(data)),
            size,
        ));
    }
}

/// What reading one entry gave.
enum Entry {
    Directory,
    /// Not read, with the reason; the next entries are still read.
    Refused(Notice),
    /// Its bytes could not be read; in a zip read from local headers, nothing after it can be.
    Broken(Notice),
    /// Its bytes and display path.
    Data(Vec<u8>, String),
}

/// Why an archive entry is not unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum Refused {
    #[error("unpacking it would pass the limit of {0} bytes unpacked from archives")]
    TotalSize(u64),
    #[error("compression ratio {ratio}:1 is above the limit of {limit}:1; refused as a possible zip bomb")]
    Ratio { ratio: u64, limit: u64 },
}

/// An entry's name: UTF-8 when its bytes are UTF-8 (the zip's UTF-8 flag, or plain ASCII),
/// else Shift_JIS (CP932) when they decode cleanly as such: Explorer on a Japanese Windows
/// writes entry names in the ANSI code page without the flag. Otherwise the zip crate's own
/// reading (CP437).
fn entry_name(raw: &[u8], decoded: &str) -> String {
    if let Ok(utf8) = std::str::from_utf8(raw) {
        return utf8.to_string();
    }
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(raw);
    if errors {
        decoded.to_string()
    } else {
        text.into_owned()
    }
}

/// Refuses entry names that climb out of the archive or are absolute.
fn check_entry_name(name: &str) -> Result<(), &'static str> {
    let unified = name.replace('\\', "/");
    if unified.starts_with('/') || unified.as_bytes().get(1) == Some(&b':') {
        return Err("entry name is an absolute path; refused");
    }
    if unified.split('/').any(|part| part == "..") {
        return Err("entry name contains '..'; refused");
    }
    if name.contains('\0') {
        return Err("entry name contains a NUL character; refused");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_entry_name;

    #[test]
    fn entry_names_that_escape_are_refused() {
        let cases = [
            ("logs/System.evtx", true),
            ("CBS.log", true),
            ("a..b/CBS.log", true),
            ("../CBS.log", false),
            ("logs/../../etc/passwd", false),
            ("logs\\..\\x", false),
            ("/etc/passwd", false),
            ("\\Windows\\x", false),
            ("C:/Windows/x", false),
        ];
        for (name, ok) in cases {
            assert_eq!(check_entry_name(name).is_ok(), ok, "{name}");
        }
    }
}
