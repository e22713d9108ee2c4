//! Opens rotated CBS logs packed as `CbsPersist_*.cab` (MSZIP or LZX cabinets) in memory and
//! reads each member that is a servicing log.

use std::io::{Cursor, Read};
use std::sync::Arc;

use crate::input::{encoding, sniff, Input};
use crate::model::{Notice, Severity};

use crate::parse::{servicing, ParsedFile, ReadOptions};

mod layout;

/// Largest cabinet member read (CBS rotates its log at about 50 MB; this leaves room).
const MAX_MEMBER_BYTES: u64 = 1 << 30;

/// Reads every servicing log inside a cabinet.
pub fn parse(input: &Input, options: ReadOptions) -> Vec<ParsedFile> {
    match read_members(input, options) {
        Ok(files) => files,
        Err(reason) => {
            let mut failed = ParsedFile::new(input, None, None);
            failed.notices.push(Notice::new(Severity::Error, &*input.path, reason));
            vec![failed]
        }
    }
}

fn read_members(input: &Input, options: ReadOptions) -> Result<Vec<ParsedFile>, String> {
    let bytes = input.content.bytes().map_err(|e| format!("cannot read: {e}"))?;
    layout::check(&bytes).map_err(|e| format!("damaged cabinet: {e}"))?;
    let mut cabinet = cab::Cabinet::new(Cursor::new(&bytes[..])).map_err(|e| format!("not a readable cabinet: {e}"))?;
    let names: Vec<(String, u64)> = cabinet
        .folder_entries()
        .flat_map(|folder| {
            folder
                .file_entries()
                .map(|f| (f.name().to_string(), u64::from(f.uncompressed_size())))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut files = Vec::with_capacity(names.len());
    for (name, declared) in names {
        let member_path: Arc<str> = Arc::from(format!("{}!{name}", input.path));
        files.push(read_member(&mut cabinet, &name, declared, member_path, options));
    }
    Ok(files)
}

fn read_member<R: Read + std::io::Seek>(
    cabinet: &mut cab::Cabinet<R>,
    name: &str,
    declared: u64,
    path: Arc<str>,
    options: ReadOptions,
) -> ParsedFile {
    let member = Input::new(Arc::clone(&path), super::empty_content(), declared);
    let failed = |reason: String| {
        let mut parsed = ParsedFile::new(&member, None, None);
        parsed.notices.push(Notice::new(Severity::Error, &*path, reason));
        parsed
    };
    if declared > MAX_MEMBER_BYTES {
        return failed(format!(
            "member of {declared} bytes is larger than the {MAX_MEMBER_BYTES}-byte limit"
        ));
    }
    let mut data = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    let read = cabinet
        .read_file(name)
        .and_then(|reader| reader.take(declared).read_to_end(&mut data));
    if let Err(err) = read {
        return failed(format!("cannot unpack cabinet member: {err}"));
    }
    match sniff::sniff(&data[..data.len().min(sniff::SNIFF_BYTES)]) {
        sniff::Sniffed::Text(sniff::TextKind::Servicing, enc) => {
            servicing::parse(&path, data.len() as u64, &encoding::decode_as(&data, enc), options)
        }
        other => {
            let mut skipped = ParsedFile::new(&member, None, None);
            skipped.skipped = Some(match other {
                sniff::Sniffed::Skip(reason) => reason,
                _ => "cabinet member is not a servicing log".to_string(),
            });
            skipped
        }
    }
}
