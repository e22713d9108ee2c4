//! Big servicing logs (a CbsPersist set of hundreds of MB, a CBS.log that grew for years) are
//! read a block at a time, so memory stays bounded by the block, not by the file: the file is
//! mapped once, each block (a window of the map) ends before an entry's first line, is read in
//! line ranges on every core while the hash takes in its bytes, and its pages are given back
//! once read; the readers' findings are joined in order. A kept line's message stays where it
//! lies in the map (see [`MessageText`](crate::model::MessageText)). The result equals what
//! [`super::parse`] gives for the whole file (a test compares).

use std::io::{self, Read};
use std::ops::Deref;
use std::sync::Arc;

use memmap2::Mmap;

use sha2::{Digest, Sha256};

use crate::input::encoding::{self, Decoded, TextEncoding};
use crate::model::range_in;
use crate::parse::{ParsedFile, ReadOptions};

use super::{fill, kind_of, parse_line, read_text_parts, within_budget, Entries};

/// Servicing logs at least this large (UTF-8, on disk) are streamed.
pub const STREAM_BYTES: u64 = crate::input::content::MAP_BYTES;

/// How much is read at a time (a block grows past it only for an entry longer than that).
const BLOCK_BYTES: usize = 16 << 20;

/// Reads a UTF-8 servicing log of `size` bytes, `file`, block by block, with the SHA-256 (hex)
/// of every byte; at most `options.max_records` lines are read as entries, the rest is only
/// hashed. The file is mapped once; each block's pages are read in when its turn comes and
/// given back once it is parsed and hashed (the pages of about two blocks are what the
/// process holds). A file that cannot be mapped whole (no room for it in a 32-bit address
/// space) is read a block at a time into memory instead.
pub fn parse(
    path: &Arc<str>,
    size: u64,
    encoding: TextEncoding,
    file: &std::fs::File,
    options: ReadOptions,
) -> io::Result<ParsedFile> {
    match Mapped::new(file) {
        Ok(mut mapped) => parse_windows(path, size, encoding, &mut mapped, options, BLOCK_BYTES),
        Err(_) => parse_in_blocks(path, size, encoding, &mut &*file, options, BLOCK_BYTES),
    }
}

/// [`parse`] from any reader, in blocks of `block_bytes` (the fuzz target compares it with the
/// whole-file reader on small blocks).
pub(crate) fn parse_in_blocks(
    path: &Arc<str>,
    size: u64,
    encoding: TextEncoding,
    source: &mut (dyn Read + Send),
    options: ReadOptions,
    block_bytes: usize,
) -> io::Result<ParsedFile> {
    let mut buffered = Buffered {
        source,
        buf: Vec::new(),
        buf_start: 0,
        eof: false,
    };
    parse_windows(path, size, encoding, &mut buffered, options, block_bytes)
}

/// The blocks of one log, each ending before an entry's first line (a block grows past
/// `block_bytes` only for an entry longer than that), parsed while they are hashed and the
/// next is fetched.
fn parse_windows(
    path: &Arc<str>,
    size: u64,
    encoding: TextEncoding,
    source: &mut (dyn Source + Send),
    options: ReadOptions,
    block_bytes: usize,
) -> io::Result<ParsedFile> {
    let map = source.map().cloned();
    let mut stream = Stream::new(path, encoding, map.clone(), options);
    let mut hasher = Sha256::new();
    // What the blocks found, joined; the last block's findings wait to join the rest while the
    // next block is parsed.
    let (mut found, mut unjoined) = (Entries::default(), Vec::new());
    let (mut start, mut want) = (0u64, block_bytes);
    let mut window = source.at(start, want)?;
    loop {
        let eof = window.len() < want;
        // Whole entries now; the rest waits for the bytes that complete it.
        let cut = if eof {
            window.len()
        } else {
            match last_entry_start(&window) {
                Some(cut) => cut,
                None => {
                    want = want.saturating_mul(2);
                    window = source.at(start, want)?;
                    continue;
                }
            }
        };
        let block = &window[..cut];
        let next_start = start + cut as u64;
        let (parts, next) = rayon::join(
            || {
                // While this block is hashed and the next one read in (the longer side of
                // the two), what the last one found joins the rest and the blocks before give
                // their pages back.
                let last = std::mem::take(&mut unjoined);
                found = Entries::join_all(std::iter::once(std::mem::take(&mut found)).chain(last));
                give_back(map.as_deref(), start);
                stream.block(block)
            },
            || {
                hasher.update(block);
                (!eof).then(|| source.at(next_start, block_bytes))
            },
        );
        unjoined = parts;
        let Some(next) = next else {
            give_back(map.as_deref(), next_start);
            break;
        };
        window = next?;
        (start, want) = (next_start, block_bytes);
    }
    let mut parsed = stream.finish(size, Entries::join_all(std::iter::once(found).chain(unjoined)));
    parsed.sha256 = Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect());
    Ok(parsed)
}

/// The bytes of a log from an offset on.
trait Source {
    /// `len` bytes from `start` on (fewer only where the input ends), owned, so that the next
    /// window can be fetched while this one is read.
    fn at(&mut self, start: u64, len: usize) -> io::Result<Window>;

    /// The map every window is a range of, if they are.
    fn map(&self) -> Option<&Arc<Mmap>> {
        None
    }
}

/// Some bytes of a log: a range of its map, or a copy.
enum Window {
    Mapped(Arc<Mmap>, std::ops::Range<usize>),
    Copied(Arc<[u8]>),
}

impl Deref for Window {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Window::Mapped(map, range) => map.get(range.clone()).unwrap_or_default(),
            Window::Copied(bytes) => bytes,
        }
    }
}

/// A file, mapped once; each window's pages read in when it is asked for and given back
/// once it is read.
struct Mapped {
    map: Arc<Mmap>,
}

impl Mapped {
    #[allow(unsafe_code)]
    fn new(file: &std::fs::File) -> io::Result<Mapped> {
        // SAFETY: as for `input::content`'s whole-file maps: read-only, of a collected copy
        // of a log; a file truncated by another process while mapped could fault reads, the
        // documented risk of every mmap-based reader.
        let map = unsafe { memmap2::Mmap::map(file)? };
        Ok(Mapped { map: Arc::new(map) })
    }
}

/// The byte range `start..end` of `map`, clamped to it.
fn clamped(map: &Mmap, start: u64, end: u64) -> std::ops::Range<usize> {
    let clamp = |at: u64| usize::try_from(at).map_or(map.len(), |at| at.min(map.len()));
    clamp(start)..clamp(end)
}

impl Source for Mapped {
    fn at(&mut self, start: u64, len: usize) -> io::Result<Window> {
        let range = clamped(&self.map, start, start.saturating_add(len as u64));
        // Read in at once on Linux (elsewhere, or where the kernel cannot, the pages fault in
        // as they are read).
        #[cfg(target_os = "linux")]
        let _ = self
            .map
            .advise_range(memmap2::Advice::PopulateRead, range.start, range.len());
        Ok(Window::Mapped(Arc::clone(&self.map), range))
    }

    fn map(&self) -> Option<&Arc<Mmap>> {
        Some(&self.map)
    }
}

/// Every byte of `map` (when the blocks are ranges of one) before `end` is read: its pages
/// are given back with `madvise` where there is one (Unix). Elsewhere (Windows) they stay
/// mapped: clean pages of a file, which the system takes back from the working set when it
/// needs them.
#[allow(unsafe_code)]
fn give_back(map: Option<&Mmap>, end: u64) {
    #[cfg(unix)]
    if let Some(map) = map {
        // From the start each time: reading the first page of a block again (the last one
        // given back rounds up to it) maps the whole page-cache folio around it, pages of
        // the block before too.
        let range = clamped(map, 0, end);
        // SAFETY: the map is a read-only map of a file: dropping its pages changes no byte of
        // it (the next read of one reads the file again), so no slice of it, held or not,
        // sees a change. Only the process's memory is given back; on failure it is not.
        let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, range.start, range.len()) };
    }
    #[cfg(not(unix))]
    let _ = (map, end);
}

/// Any reader, through a buffer that keeps the bytes from the last offset asked for.
struct Buffered<'r> {
    source: &'r mut (dyn Read + Send),
    buf: Vec<u8>,
    /// The offset of `buf[0]`.
    buf_start: u64,
    eof: bool,
}

impl Source for Buffered<'_> {
    fn at(&mut self, start: u64, len: usize) -> io::Result<Window> {
        let skip = usize::try_from(start.saturating_sub(self.buf_start)).unwrap_or(usize::MAX);
        self.buf.drain(..skip.min(self.buf.len()));
        self.buf_start = start;
        while self.buf.len() < len && !self.eof {
            let want = (len - self.buf.len()) as u64;
            let read = (&mut *self.source).take(want).read_to_end(&mut self.buf)?;
            self.eof = read == 0;
        }
        Ok(Window::Copied(Arc::from(&self.buf[..len.min(self.buf.len())])))
    }
}

/// How many U+FFFD are written in `bytes`.
fn written_fffd(bytes: &[u8]) -> usize {
    memchr::memmem::find_iter(bytes, "\u{FFFD}".as_bytes()).count()
}

/// The offset of the last complete line of `bytes` that opens an entry (a line followed by a
/// line break); `None` when no line but the first does.
fn last_entry_start(bytes: &[u8]) -> Option<usize> {
    let mut end = memchr::memrchr(b'\n', bytes)?;
    while let Some(newline) = memchr::memrchr(b'\n', &bytes[..end]) {
        let line = std::str::from_utf8(&bytes[newline + 1..end]).ok();
        if line.is_some_and(|l| parse_line(l.strip_suffix('\r').unwrap_or(l)).is_some()) {
            return Some(newline + 1);
        }
        end = newline;
    }
    None
}

/// Where the reading of a log's blocks stands: the line the next block starts on, what its
/// encoding replaced, whether the work budget stopped it.
struct Stream<'p> {
    path: &'p Arc<str>,
    encoding: TextEncoding,
    /// The map the blocks are ranges of, if they are.
    map: Option<Arc<Mmap>>,
    options: ReadOptions,
    next_line: u64,
    /// U+FFFD made of malformed bytes, and U+FFFD written as such in well-formed blocks: the
    /// whole-file reader counts both once any byte is malformed. Those written are counted
    /// then, in the ranges of the map the well-formed blocks were (most logs have no malformed
    /// byte: no search of every byte for them), or as read for blocks not in a map.
    replaced: usize,
    written_fffd: usize,
    well_formed: Vec<std::ops::Range<usize>>,
    malformed: bool,
    stopped: bool,
}

impl<'p> Stream<'p> {
    fn new(path: &'p Arc<str>, encoding: TextEncoding, map: Option<Arc<Mmap>>, options: ReadOptions) -> Stream<'p> {
        Stream {
            path,
            encoding,
            map,
            options,
            next_line: 1,
            replaced: 0,
            written_fffd: 0,
            well_formed: Vec::new(),
            malformed: false,
            stopped: false,
        }
    }

    /// Reads one block: whole entries, the first of the file's when `next_line` is 1. What its
    /// line ranges' readers found, in order.
    fn block(&mut self, bytes: &[u8]) -> Vec<Entries> {
        if self.stopped || bytes.is_empty() {
            return Vec::new();
        }
        // The byte-order mark is only at the start of the file.
        let as_encoded = if self.next_line == 1 {
            self.encoding
        } else {
            TextEncoding::Utf8
        };
        let decoded = encoding::decode_as(bytes, as_encoded);
        if matches!(decoded.text, std::borrow::Cow::Owned(_)) {
            self.malformed = true;
            self.replaced += decoded.replaced;
        } else {
            match self.map.as_deref().and_then(|map| range_in(map, bytes)) {
                Some(range) => match self.well_formed.last_mut() {
                    Some(last) if last.end == range.start => last.end = range.end,
                    _ => self.well_formed.push(range),
                },
                None => self.written_fffd += written_fffd(bytes),
            }
        }
        let left = self.options.max_records.saturating_sub(self.next_line - 1);
        let (text, stopped) = within_budget(&decoded.text, left);
        let parts = read_text_parts(self.path, self.next_line, text, self.map.as_ref(), self.options);
        // The block's last line is the empty one after its final line break: the next block
        // starts on it.
        self.next_line = parts.iter().map(|part| part.last_line).max().unwrap_or_default();
        self.stopped = stopped;
        parts
    }

    /// The file read: what its blocks `found`, joined.
    fn finish(self, size: u64, found: Entries) -> ParsedFile {
        let written = |map: &Mmap| {
            let mut count = self.written_fffd;
            for range in &self.well_formed {
                count += written_fffd(map.get(range.clone()).unwrap_or_default());
                give_back(Some(map), range.end as u64);
            }
            count
        };
        let decoded = Decoded {
            text: "".into(),
            encoding: self.encoding,
            replaced: match (&self.map, self.malformed) {
                (_, false) => 0,
                (Some(map), true) => self.replaced + written(map),
                (None, true) => self.replaced + self.written_fffd,
            },
        };
        let kind = Some(kind_of(&found.sources));
        let mut parsed = ParsedFile::new_text(self.path, size, kind, &decoded);
        fill(&mut parsed, found, self.stopped.then_some(self.options.max_records));
        parsed
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{last_entry_start, parse_in_blocks};
    use crate::input::encoding::{decode_as, TextEncoding};
    use crate::model::MessageText;
    use crate::parse::Keep;

    /// Entries with continuation lines, CSI stamps and a clock change, past several blocks.
    fn log(entries: usize) -> String {
        let mut text = String::from("\u{feff}");
        for i in 0..entries {
            let hour = if i < entries / 2 { 4 } else { 9 };
            text.push_str(&format!(
                "2024-05-10 13:{:02}:{:02}, Info                  CSI    {i:08x}@2024/5/10:{hour}:{:02}:{:02}.000 entry {i} {}\r\n",
                (i / 60) % 60,
                i % 60,
                (i / 60) % 60,
                i % 60,
                "x".repeat(i % 300)
            ));
            if i % 5 == 0 {
                text.push_str("    continued [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]\r\n");
            }
        }
        text
    }

    /// `bytes` read from a temporary file's map in blocks of `block` bytes, and the map.
    fn read_mapped(
        bytes: &[u8],
        options: crate::parse::ReadOptions,
        block: usize,
    ) -> (crate::parse::ParsedFile, Arc<memmap2::Mmap>) {
        let mut file = tempfile::tempfile().expect("temp file");
        std::io::Write::write_all(&mut file, bytes).expect("write");
        let mut mapped = super::Mapped::new(&file).expect("map");
        let map = Arc::clone(&mapped.map);
        let path: Arc<str> = Arc::from("CBS.log");
        let parsed = super::parse_windows(
            &path,
            bytes.len() as u64,
            TextEncoding::Utf8Bom,
            &mut mapped,
            options,
            block,
        );
        (parsed.expect("read"), map)
    }

    fn report(parsed: &crate::parse::ParsedFile) -> String {
        format!(
            "{:?} {} {:?} {:?} {:?} {:?} {:?}",
            parsed.kind,
            parsed.records,
            parsed
                .events
                .iter()
                .map(|e| (&e.origin, e.time, &e.message))
                .collect::<Vec<_>>(),
            parsed.tally.count(),
            parsed.anchors,
            parsed.notices,
            parsed.encoding
        )
    }

    #[test]
    fn a_streamed_log_reads_as_the_whole_log_reads() {
        let text = log(6_000);
        let block = 64 << 10;
        assert!(text.len() > 10 * block, "{} bytes", text.len());
        let path: Arc<str> = Arc::from("CBS.log");
        for (keep, max_records) in [(Keep::Evidence, u64::MAX), (Keep::Everything, 5_000)] {
            let options = crate::signals::read_options(max_records, keep);
            let whole = crate::parse::servicing::parse(
                &path,
                text.len() as u64,
                &decode_as(text.as_bytes(), TextEncoding::Utf8Bom),
                options,
            );
            let streamed = parse_in_blocks(
                &path,
                text.len() as u64,
                TextEncoding::Utf8Bom,
                &mut text.as_bytes(),
                options,
                block,
            )
            .expect("read");
            assert_eq!(report(&streamed), report(&whole), "{keep:?}");
            let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(streamed.sha256, Some(hex), "every byte is hashed, past the budget too");
            // The same from the file's map, a window at a time (windows start off the page
            // boundaries).
            let (from_file, _) = read_mapped(text.as_bytes(), options, block + 123);
            assert_eq!(report(&from_file), report(&whole), "{keep:?}, mapped");
            // A kept line's message is left in the map; an entry of several lines is joined.
            let (mut left, mut copied) = (0, 0);
            for event in &from_file.events {
                match &event.message {
                    Some(MessageText::Mapped(_)) => left += 1,
                    Some(MessageText::Owned(joined)) => {
                        assert!(joined.contains('\n'), "{joined}");
                        copied += 1;
                    }
                    None => panic!("a log line has a message"),
                }
            }
            // Every line is kept with `Everything`; `Evidence` keeps the continued entries.
            let least_left = if matches!(keep, Keep::Everything) { 1_000 } else { 0 };
            assert!(
                left >= least_left && copied > 500,
                "{left} left in the map, {copied} copied"
            );
            assert_eq!(from_file.sha256, streamed.sha256);
            assert!(whole.anchors.len() == 2 && whole.records > 3_000, "{}", whole.records);
        }
    }

    #[test]
    fn written_replacement_characters_count_once_a_later_block_is_malformed() {
        // U+FFFD written as such early on, a malformed byte near the end: the whole-file reader
        // counts both, and so does the streamed one, from its map or not.
        let mut bytes = log(3_000).into_bytes();
        let early = bytes.len() / 10;
        bytes.splice(early..early, "\u{FFFD}\u{FFFD}\u{FFFD}".bytes());
        let late = bytes.len() - 500;
        bytes.splice(late..late, [0xff_u8]);
        let path: Arc<str> = Arc::from("CBS.log");
        let options = crate::signals::read_options(u64::MAX, Keep::Evidence);
        let whole = crate::parse::servicing::parse(
            &path,
            bytes.len() as u64,
            &decode_as(&bytes, TextEncoding::Utf8Bom),
            options,
        );
        let replaced = |parsed: &crate::parse::ParsedFile| {
            parsed
                .notices
                .iter()
                .find(|n| n.reason.contains("replaced by U+FFFD"))
                .map(|n| n.reason.clone())
        };
        assert_eq!(
            replaced(&whole).as_deref(),
            Some("4 malformed utf-8-bom byte sequence(s) replaced by U+FFFD")
        );
        let streamed = parse_in_blocks(
            &path,
            bytes.len() as u64,
            TextEncoding::Utf8Bom,
            &mut &bytes[..],
            options,
            64 << 10,
        )
        .expect("read");
        assert_eq!(replaced(&streamed), replaced(&whole), "read block by block");
        let (from_map, _) = read_mapped(&bytes, options, 64 << 10);
        assert_eq!(replaced(&from_map), replaced(&whole), "read from the map");
        // Without the malformed byte, written ones are not replacements.
        let mut clean = bytes.clone();
        clean.remove(late);
        let (clean_map, _) = read_mapped(&clean, options, 64 << 10);
        assert_eq!(replaced(&clean_map), None);
    }

    /// How many pages of `bytes` are mapped into this process (`/proc/self/pagemap`).
    #[cfg(target_os = "linux")]
    fn resident_pages(bytes: &[u8]) -> usize {
        use std::io::{Read, Seek, SeekFrom};
        const PAGE: usize = 4096;
        let first = bytes.as_ptr() as usize / PAGE;
        let last = (bytes.as_ptr() as usize + bytes.len()).div_ceil(PAGE);
        let mut pagemap = std::fs::File::open("/proc/self/pagemap").expect("pagemap");
        pagemap.seek(SeekFrom::Start(first as u64 * 8)).expect("seek");
        let mut entries = vec![0u8; (last - first) * 8];
        pagemap.read_exact(&mut entries).expect("read");
        entries
            .chunks_exact(8)
            .filter(|entry| entry.get(7).is_some_and(|high| high & 0x80 != 0))
            .count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_mapped_log_gives_its_pages_back_once_read() {
        let text = log(6_000);
        let options = crate::signals::read_options(u64::MAX, Keep::Everything);
        let (parsed, map) = read_mapped(text.as_bytes(), options, 64 << 10);
        assert_eq!(parsed.records, 6_000);
        let pages = map.len().div_ceil(4096);
        assert!(pages > 300, "{pages} pages");
        assert_eq!(
            resident_pages(&map),
            0,
            "of {pages} pages, none is left mapped once read"
        );
        // A message read later maps its page again.
        let message = parsed
            .events
            .iter()
            .find_map(|e| e.message.as_ref().filter(|m| matches!(m, MessageText::Mapped(_))))
            .expect("a line left in the map");
        assert!(!message.is_empty() && resident_pages(&map) > 0);
    }

    #[test]
    fn a_block_ends_before_the_last_complete_entry() {
        let text = "2024-05-10 13:00:00, Info CBS a\n  more\n2024-05-10 13:00:01, Info CBS b\n2024-05-10 13:0";
        let cut = last_entry_start(text.as_bytes()).expect("cut");
        assert_eq!(&text[cut..], "2024-05-10 13:00:01, Info CBS b\n2024-05-10 13:0");
        assert_eq!(last_entry_start(b"2024-05-10 13:00:00, Info CBS a\n  more\n"), None);
    }
}
