//! Pulls structure out of a CBS / DISM / Panther entry's message: CSI counters and their UTC
//! stamps, HRESULTs in their several spellings, `[SR]` results, the CheckSur summary counts,
//! DISM session markers and command lines, CBS session clients, and the firmware type that
//! Windows Setup detected. Facts and sources: `windows-knowledge.md` sections 1 and 2.

use jiff::civil::DateTime;

use crate::model::servicing_fields as f;
use crate::model::{Fields, FirmwareMode};

/// What one entry's message says beyond its text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Structure {
    /// Named values found in the message.
    pub fields: Fields,
    /// The UTC time the message states for itself (CSI `@` stamp, `Universal Time is:`).
    pub utc: Option<DateTime>,
    /// The entry opens a servicing session (TrustedInstaller starting, a DISM session).
    pub session_start: bool,
    /// Only the values a later stage reads are kept (`Readers::Signals`).
    only_read: bool,
}

impl Structure {
    fn push(&mut self, name: &str, value: impl AsRef<str>) {
        if self.keeps(name) {
            self.fields.push_unique(name, value.as_ref());
        }
    }

    /// Whether a value called `name` is kept (a reader skips finding one that is not).
    fn keeps(&self, name: &str) -> bool {
        !self.only_read || f::READ.contains(&name)
    }
}

/// Extracts the structure of one entry (its message including continuation lines), adding to
/// `fields` (which may already hold values of the line's head).
pub fn extract(source: &str, message: &str, fields: Fields) -> Structure {
    extract_for(source, message, fields, Readers::All)
}

/// Which readers run on an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Every reader, every value (`timeline`).
    All,
    /// Every reader, keeping only the values a later stage reads
    /// ([`servicing_fields::READ`](crate::model::servicing_fields::READ)): what `analyze`
    /// needs, without the CSI counter of every line.
    Signals,
    /// Only what the clock reads: the UTC stamps and the session starts (a line kept is read
    /// again with [`Readers::Signals`]).
    Clock,
}

/// [`extract`] with only `readers`.
pub fn extract_for(source: &str, message: &str, fields: Fields, readers: Readers) -> Structure {
    read_entry(source, message, fields, readers, Breaks::Split)
}

/// [`extract_for`] of a message on one line (no line break in it): the common entry of a big
/// log, read without a search for breaks.
pub fn extract_one_line_for(source: &str, line: &str, fields: Fields, readers: Readers) -> Structure {
    debug_assert!(!line.contains('\n'), "one line");
    read_entry(source, line, fields, readers, Breaks::None)
}

/// Whether a message may hold line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Breaks {
    Split,
    None,
}

fn read_entry(source: &str, message: &str, fields: Fields, readers: Readers, breaks: Breaks) -> Structure {
    let mut found = Structure {
        fields,
        utc: None,
        session_start: false,
        only_read: readers == Readers::Signals,
    };
    let body = if source == "CSI" {
        csi_counter(message, &mut found, readers)
    } else {
        message
    };
    match breaks {
        Breaks::None => extract_line(trim_carriage_returns(body), &mut found, readers),
        Breaks::Split => {
            for line in super::lines(body) {
                extract_line(trim_carriage_returns(line), &mut found, readers);
            }
        }
    }
    found
}

/// `line` without the `\r`s at its end (`trim_end_matches('\r')`, a byte at a time).
fn trim_carriage_returns(line: &str) -> &str {
    let end = line
        .as_bytes()
        .iter()
        .rposition(|b| *b != b'\r')
        .map_or(0, |last| last + 1);
    line.get(..end).unwrap_or(line)
}

/// The reader that a marker on a line calls for.
#[derive(Debug, Clone, Copy)]
enum Reader {
    Hresults,
    Sfc,
    Dism,
    CbsSession,
    UniversalTime,
    Firmware,
    SessionStart,
}

/// The markers the readers below look for, each with its reader, found in one pass over a line
/// (Aho-Corasick): a line with none of them costs one scan instead of a substring search per
/// marker.
const MARKERS: &[(&str, Reader)] = &[
    ("[HRESULT = ", Reader::Hresults),
    ("(hr:", Reader::Hresults),
    ("HRESULT=", Reader::Hresults),
    ("hr=", Reader::Hresults),
    ("hrStatus: ", Reader::Hresults),
    ("[SR]", Reader::Sfc),
    ("Hashes for file member", Reader::Sfc),
    ("<----- ", Reader::Dism),
    ("Executing command line: ", Reader::Dism),
    ("information: OS Version=", Reader::Dism),
    ("Reboot required=", Reader::Dism),
    ("PID=", Reader::Dism),
    ("Session: ", Reader::CbsSession),
    ("Universal Time is: ", Reader::UniversalTime),
    ("Callback_BootEnvironmentDetect:FirmwareType ", Reader::Firmware),
    (f::TRUSTED_INSTALLER_START, Reader::SessionStart),
];

/// The readers a line calls for, as bits (one per [`Reader`]). No marker overlaps another
/// (a test checks), so the leftmost-first search, which skips over a match, misses none.
#[derive(Debug, Clone, Copy)]
struct Seen(u32);

/// One pass over a line for all of a list of markers, leftmost first.
enum MarkerSearch {
    /// The vector searcher alone, where the CPU has one: a match of it is a match, with no
    /// automaton to confirm it (a tenth of the reading of a big log less).
    Vector(aho_corasick::packed::Searcher),
    /// The automaton, elsewhere.
    Automaton(aho_corasick::AhoCorasick),
}

impl MarkerSearch {
    fn new<T>(markers: &[(&str, T)]) -> Option<MarkerSearch> {
        MarkerSearch::vector(markers).or_else(|| MarkerSearch::automaton(markers))
    }

    fn vector<T>(markers: &[(&str, T)]) -> Option<MarkerSearch> {
        aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(markers.iter().map(|(m, _)| m))
            .build()
            .map(MarkerSearch::Vector)
    }

    fn automaton<T>(markers: &[(&str, T)]) -> Option<MarkerSearch> {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(markers.iter().map(|(m, _)| m))
            .ok()
            .map(MarkerSearch::Automaton)
    }

    /// Folds the index in its list of each marker found on `line`, in order, into `init`.
    fn fold<B>(&self, line: &str, init: B, mut add: impl FnMut(B, usize) -> B) -> B {
        match self {
            MarkerSearch::Vector(searcher) => searcher
                .find_iter(line)
                .fold(init, |acc, m| add(acc, m.pattern().as_usize())),
            MarkerSearch::Automaton(automaton) => automaton
                .find_iter(line)
                .fold(init, |acc, m| add(acc, m.pattern().as_usize())),
        }
    }
}

/// The markers the clock's readers look for (`Readers::Clock`): its UTC stamps and the
/// session starts (a DISM session start is a `<----- ` line).
const CLOCK_MARKERS: &[(&str, Reader)] = &[
    ("Universal Time is: ", Reader::UniversalTime),
    (f::TRUSTED_INSTALLER_START, Reader::SessionStart),
    ("<----- ", Reader::Dism),
];

impl Seen {
    /// The clock's readers a line calls for.
    fn of_clock(line: &str) -> Seen {
        static SEARCH: std::sync::LazyLock<Option<MarkerSearch>> =
            std::sync::LazyLock::new(|| MarkerSearch::new(CLOCK_MARKERS));
        Seen::found(SEARCH.as_ref(), CLOCK_MARKERS, line)
    }

    /// Every reader a line calls for.
    fn of(line: &str) -> Seen {
        static SEARCH: std::sync::LazyLock<Option<MarkerSearch>> =
            std::sync::LazyLock::new(|| MarkerSearch::new(MARKERS));
        Seen::found(SEARCH.as_ref(), MARKERS, line)
    }

    /// The readers whose `markers` `search` finds on `line`.
    fn found(search: Option<&MarkerSearch>, markers: &[(&str, Reader)], line: &str) -> Seen {
        match search {
            Some(search) => Seen(search.fold(line, 0, |bits, marker| {
                markers
                    .get(marker)
                    .map_or(bits, |(_, reader)| bits | 1 << *reader as u32)
            })),
            // The search cannot fail to build for these fixed lists; if it did, every reader
            // runs, as before the prefilter.
            None => Seen(u32::MAX),
        }
    }

    fn calls(self, reader: Reader) -> bool {
        self.0 & (1 << reader as u32) != 0
    }
}

fn extract_line(line: &str, found: &mut Structure, readers: Readers) {
    let seen = match readers {
        Readers::All | Readers::Signals => Seen::of(line),
        Readers::Clock => Seen::of_clock(line),
    };
    if seen.calls(Reader::Hresults) {
        hresults(line, found);
    }
    if seen.calls(Reader::Sfc) {
        sfc_result(line, found);
    }
    if readers != Readers::Clock {
        checksur(line, found);
    }
    if seen.calls(Reader::Dism) {
        dism(line, found);
    }
    if seen.calls(Reader::CbsSession) {
        cbs_session(line, found);
    }
    found.session_start |= seen.calls(Reader::SessionStart);
    if let Some(rest) = seen
        .calls(Reader::UniversalTime)
        .then(|| after(line, "Universal Time is: "))
        .flatten()
    {
        found.utc = parse_dotted_utc(rest);
    }
    let firmware = "Callback_BootEnvironmentDetect:FirmwareType ";
    if let Some(rest) = seen.calls(Reader::Firmware).then(|| after(line, firmware)).flatten() {
        let code = rest.trim_end_matches('.').trim();
        found.push("firmware_type", code);
        match code {
            "1" => found.push(f::FIRMWARE, FirmwareMode::Bios.as_str()),
            "2" => found.push(f::FIRMWARE, FirmwareMode::Uefi.as_str()),
            _ => {}
        }
    }
}

/// The text after the first `marker` in `line`.
fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    find(line, marker).and_then(|at| line.get(at + marker.len()..))
}

/// Whether `line` holds `needle`.
fn holds(line: &str, needle: &str) -> bool {
    find(line, needle).is_some()
}

/// Where `needle` first starts in `line`: the `memchr` of its first byte, then a compare. A
/// line is short; `str::find` and `memmem::find` build a searcher on every call, which cost
/// more than the search.
fn find(line: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (line.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    memchr::memchr_iter(first, hay).find(|&at| hay.get(at..).is_some_and(|rest| rest.starts_with(needle)))
}

/// `0000001a@2023/5/17:15:45:59.599 rest` -> counter and UTC stamp; returns the rest. The
/// clock's readers take the stamp alone.
fn csi_counter<'a>(message: &'a str, found: &mut Structure, readers: Readers) -> &'a str {
    let counter = message.get(..8).filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit()));
    let Some(counter) = counter else {
        return message;
    };
    if readers == Readers::All {
        found.push("csi_counter", counter);
    }
    let rest = &message[8..];
    if let Some(stamp) = rest.strip_prefix('@') {
        let end = stamp.find(' ').unwrap_or(stamp.len());
        found.utc = parse_csi_stamp(&stamp[..end]);
        return stamp[end..].trim_start();
    }
    rest.trim_start()
}

/// `2023/5/17:15:45:59.599` (not zero padded).
fn parse_csi_stamp(stamp: &str) -> Option<DateTime> {
    let (date, time) = stamp.split_once(':')?;
    let mut date_parts = date.split('/');
    let year = date_parts.next()?.parse().ok()?;
    let month = date_parts.next()?.parse().ok()?;
    let day = date_parts.next()?.parse().ok()?;
    let (hms, millis) = time.split_once('.').unwrap_or((time, "0"));
    let mut time_parts = hms.split(':');
    let hour = time_parts.next()?.parse().ok()?;
    let minute = time_parts.next()?.parse().ok()?;
    let second = time_parts.next()?.parse().ok()?;
    let millis: i32 = millis.get(..3.min(millis.len()))?.parse().ok()?;
    DateTime::new(year, month, day, hour, minute, second, millis * 1_000_000).ok()
}

/// `2022-06-18 16:31:54.029`.
fn parse_dotted_utc(text: &str) -> Option<DateTime> {
    let text = text.trim();
    let (whole, millis) = text.split_once('.').unwrap_or((text, "0"));
    let base: DateTime = whole.replace(' ', "T").parse().ok()?;
    let millis: i64 = millis.get(..3.min(millis.len()))?.parse().ok()?;
    base.checked_add(jiff::SignedDuration::from_millis(millis)).ok()
}

/// Every HRESULT spelling of CBS and DISM lines, normalized to `0x` + 8 lower-case digits.
fn hresults(line: &str, found: &mut Structure) {
    if let Some(rest) = after(line, "[HRESULT = ") {
        let (code, name) = rest
            .split_once(']')
            .map_or((rest, None), |(inside, _)| match inside.split_once(" - ") {
                Some((code, name)) => (code, Some(name)),
                None => (inside, None),
            });
        if let Some(code) = normalize_hresult(code) {
            found.push(f::HRESULT, code);
            if let Some(name) = name {
                found.push(f::HRESULT_NAME, name.trim());
            }
        }
    }
    for marker in ["(hr:", "HRESULT=", "hr=", "hrStatus: "] {
        let mut rest = line;
        while let Some(tail) = after(rest, marker) {
            let end = tail
                .bytes()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(tail.len());
            if let Some(code) = normalize_hresult(&tail[..end]) {
                let name = if marker == "hrStatus: " {
                    f::CHECKSUR_STATUS
                } else {
                    f::HRESULT
                };
                found.push(name, code);
            }
            rest = tail;
        }
    }
}

/// `0x800f081f`, `0X800F081F`, `800f081f` (DISM's "HRESULT=80070307"), `0x0`.
pub fn normalize_hresult(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let bare = digits.len() == text.len();
    if digits.is_empty() || digits.len() > 8 || (bare && digits.len() != 8) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok().map(|v| format!("{v:#010x}"))
}

/// The `[SR]` results (KB 928228) and the CSI hash-mismatch lines that precede them, in the
/// order they name a line's result.
const SFC_RESULTS: &[(&str, &str)] = &[
    ("Cannot repair member file", f::sr::CANNOT_REPAIR),
    ("Could not reproject corrupted file", f::sr::CANNOT_REPROJECT),
    ("Unable to repair", f::sr::UNABLE_TO_REPAIR),
    (
        "A reboot is required to complete this operation",
        f::sr::REBOOT_REQUIRED,
    ),
    ("have been successfully repaired", f::sr::TRANSACTION_REPAIRED),
    ("Repaired file", "repaired"),
    ("Repairing file", "repairing"),
    ("Repairing corrupted file", "repairing"),
    ("This component was referenced by", "referenced-by"),
    ("Beginning Verify and Repair transaction", "verify-begin"),
    ("Verify complete", "verify-complete"),
    ("Repair complete", "repair-complete"),
    ("Hashes for file member", "hash-mismatch"),
];

/// An `[SR]` line's result, its file and component.
fn sfc_result(line: &str, found: &mut Structure) {
    // The first of the list the line holds: all found in one pass (no phrase overlaps
    // another, a test checks, so none hides one).
    static SEARCH: std::sync::LazyLock<Option<MarkerSearch>> =
        std::sync::LazyLock::new(|| MarkerSearch::new(SFC_RESULTS));
    let first = match SEARCH.as_ref() {
        Some(search) => SFC_RESULTS.get(search.fold(line, usize::MAX, usize::min)),
        None => SFC_RESULTS.iter().find(|(needle, _)| holds(line, needle)),
    };
    let Some((_, result)) = first else {
        return;
    };
    found.push(f::SR, *result);
    let key = if *result == "referenced-by" {
        "sr_package"
    } else {
        f::SR_FILE
    };
    if let Some(name) = found.keeps(key).then(|| quoted_member(line)).flatten() {
        found.push(key, name);
    }
    let component = found.keeps("sr_component").then(|| after(line, "' of ")).flatten();
    if let Some(component) = component.and_then(|rest| rest.split(',').next()) {
        found.push("sr_component", component.trim());
    }
    if matches!(*result, f::sr::CANNOT_REPROJECT | "repairing") {
        if let Some(path) = after(line, " file ").and_then(|rest| rest.split(';').next()) {
            let path = path.trim_end_matches(" from store").trim();
            found.push(f::SR_PATH, path);
        }
    }
}

/// The name in `[l:10]'dnsapi.dll'` (or `"..."` in older logs).
fn quoted_member(line: &str) -> Option<&str> {
    let at = find(line, "[l:")?;
    let rest = &line[at..];
    let close = rest.find(']')?;
    let rest = &rest[close + 1..];
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = &rest[1..];
    inner.find(quote).map(|end| &inner[..end])
}

/// The DISM /ScanHealth and /RestoreHealth summary ("CheckSur") block.
fn checksur(line: &str, found: &mut Structure) {
    const KEYS: &[(&str, &str)] = &[
        ("Operation: ", "checksur_operation"),
        ("Operation result: ", "checksur_result"),
        ("Last Successful Step: ", "checksur_last_step"),
        ("Total Detected Corruption:", f::CHECKSUR_DETECTED),
        ("CBS Manifest Corruption:", "checksur_cbs_manifest_corruption"),
        ("CBS Metadata Corruption:", "checksur_cbs_metadata_corruption"),
        ("CSI Manifest Corruption:", "checksur_csi_manifest_corruption"),
        ("CSI Metadata Corruption:", "checksur_csi_metadata_corruption"),
        ("CSI Payload Corruption:", "checksur_csi_payload_corruption"),
        ("Total Repaired Corruption:", f::CHECKSUR_REPAIRED),
        ("CBS Manifest Repaired:", "checksur_cbs_manifest_repaired"),
        ("CSI Manifest Repaired:", "checksur_csi_manifest_repaired"),
        ("CSI Payload Repaired:", "checksur_csi_payload_repaired"),
        ("Total Operation Time: ", "checksur_seconds"),
        ("Repair failed: ", "checksur_repair_failed"),
    ];
    let trimmed = line.trim();
    // Every line below starts with one of these: most lines are dismissed by their first byte.
    let Some(first) = trimmed.as_bytes().first().copied() else {
        return;
    };
    if !matches!(first, b'C' | b'O' | b'L' | b'T' | b'R' | b'(') {
        return;
    }
    if trimmed == "Checking System Update Readiness." {
        found.push("checksur", "begin");
        return;
    }
    // The first byte first: a compare in place before a call to compare the rest.
    let key = KEYS
        .iter()
        .find(|(key, _)| key.as_bytes().first() == Some(&first) && trimmed.starts_with(key));
    if let Some((key, name)) = key {
        let value = trimmed[key.len()..].trim();
        let value = if *name == "checksur_seconds" {
            value.trim_end_matches(" seconds.")
        } else {
            value
        };
        let value = if *name == "checksur_result" {
            normalize_hresult(value).unwrap_or_else(|| value.to_string())
        } else {
            value.to_string()
        };
        found.push(name, value);
        return;
    }
    if let Some(item) = trimmed.strip_prefix("(p)").or_else(|| trimmed.strip_prefix("(f)")) {
        let parts: Vec<&str> = item.split('\t').map(str::trim).filter(|p| !p.is_empty()).collect();
        if let (Some(kind), Some(path)) = (parts.first(), parts.last()) {
            found.push("checksur_item", format!("{kind}: {path}"));
        }
    }
}

/// DISM session markers, command lines, host and image versions, component and PID.
fn dism(line: &str, found: &mut Structure) {
    if holds(line, f::DISM_SESSION_START) {
        found.push("dism_session", "start");
        found.session_start = true;
    } else if holds(line, "<----- Ending Dism.exe session ----->") {
        found.push("dism_session", "end");
    }
    if let Some(command) = after(line, "Executing command line: ") {
        found.push("command_line", command.trim());
    }
    if let Some(info) = after(line, "Host machine information: OS Version=") {
        found.push("host_os_version", info.split(',').next().unwrap_or_default().trim());
    }
    if let Some(info) = after(line, "Target image information: OS Version=") {
        found.push("image_os_version", info.split(',').next().unwrap_or_default().trim());
    }
    if let Some(flag) = after(line, "Reboot required=") {
        found.push(f::REBOOT_REQUIRED, flag.trim_end_matches('.').trim());
    }
    if let Some(at) = find(line, "PID=") {
        let component = line[..at].trim().trim_end_matches(':').trim();
        if !component.is_empty() && component.len() < 40 {
            found.push("dism_component", component);
        }
        let pid: String = line[at + 4..].chars().take_while(char::is_ascii_digit).collect();
        if !pid.is_empty() {
            found.push("pid", pid);
        }
    }
}

/// `Session: 30994543_1234 initialized by client WindowsUpdateAgent[, external staging ...]`.
fn cbs_session(line: &str, found: &mut Structure) {
    let wanted = found.keeps("cbs_session") || found.keeps("cbs_client");
    let Some(rest) = wanted.then(|| after(line, "Session: ")).flatten() else {
        return;
    };
    let Some((id, client)) = rest.split_once(" initialized by client ") else {
        return;
    };
    found.push("cbs_session", id.trim());
    let client = client
        .split(", external")
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    found.push("cbs_client", client.trim());
}

#[cfg(test)]
mod tests {
    use super::{extract, extract_for, normalize_hresult, MarkerSearch, Readers, CLOCK_MARKERS, MARKERS, SFC_RESULTS};
    use crate::model::Fields;

    #[test]
    fn the_vector_search_finds_what_the_automaton_finds() {
        let (Some(vector), Some(automaton)) = (MarkerSearch::vector(MARKERS), MarkerSearch::automaton(MARKERS)) else {
            panic!("both searches build on this machine");
        };
        assert!(matches!(vector, MarkerSearch::Vector(_)));
        let found = |search: &MarkerSearch, line: &str| {
            search.fold(line, Vec::new(), |mut markers, marker| {
                markers.push(marker);
                markers
            })
        };
        let mut lines = vec![
            String::new(),
            "hr=".to_string(),
            "no marker on this line at all".to_string(),
        ];
        for (at, (marker, _)) in MARKERS.iter().enumerate() {
            let (next, _) = MARKERS[(at + 5) % MARKERS.len()];
            lines.push((*marker).to_string());
            lines.push(format!("{marker}0x800f081f"));
            lines.push(format!(
                "Info CBS {marker} then {next} and {marker} again, {}",
                "x".repeat(at * 7)
            ));
        }
        for line in &lines {
            let (by_vector, by_automaton) = (found(&vector, line), found(&automaton, line));
            assert_eq!(by_vector, by_automaton, "{line:?}");
        }
        let both = format!("{} and {}", MARKERS[0].0, MARKERS[5].0);
        assert_eq!(found(&vector, &both), [0, 5], "a line with two markers gives both");
    }

    #[test]
    fn the_clock_markers_call_the_readers_all_markers_call() {
        for (marker, reader) in CLOCK_MARKERS {
            let all = MARKERS.iter().find(|(m, _)| m == marker);
            assert_eq!(all.map(|(_, r)| *r as u32), Some(*reader as u32), "{marker:?}");
        }
    }

    #[test]
    fn no_marker_overlaps_another_of_its_list() {
        // A match never hides another, so a line's one pass finds every marker on it.
        fn pairs<T: Sync>(list: &'static [(&'static str, T)]) -> impl Iterator<Item = (&'static str, &'static str)> {
            list.iter()
                .flat_map(move |(a, _)| list.iter().map(move |(b, _)| (*a, *b)))
        }
        let markers = pairs(MARKERS).chain(pairs(SFC_RESULTS));
        for (a, b) in markers.filter(|(a, b)| a != b) {
            assert!(!a.contains(b), "{a:?} holds {b:?}");
            // Nor does one end with the start of another (the clock's fewer markers find on a
            // line what all of them find there).
            assert!(
                (1..a.len().min(b.len())).all(|n| !a.ends_with(&b[..n])),
                "{a:?} ends as {b:?} starts"
            );
        }
    }

    #[test]
    fn the_first_sfc_phrase_of_the_list_names_the_result_wherever_it_stands() {
        // The hash-mismatch phrase comes first on the line but last in the list.
        let line =
            "[SR] Hashes for file member [l:9]'cdd.dll' do not match; Cannot repair member file [l:7]'cdd.dll' of x";
        let read = fields("CSI", line);
        assert_eq!(
            read.first(),
            Some(&("sr".to_string(), "cannot-repair".to_string())),
            "{read:?}"
        );
        let alone = fields("CSI", "Hashes for file member [l:9]'cdd.dll' do not match");
        assert_eq!(
            alone.first(),
            Some(&("sr".to_string(), "hash-mismatch".to_string())),
            "{alone:?}"
        );
        assert!(fields("CSI", "[SR] Beginning Verify and Repair trans")
            .iter()
            .all(|(n, _)| n != "sr"));
    }

    fn fields(source: &str, message: &str) -> Vec<(String, String)> {
        extract(source, message, super::Fields::new())
            .fields
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn extracts_structure_from_real_message_shapes() {
        for (source, message, expected) in real_message_shapes() {
            assert_eq!(fields(source, message), expected, "{message}");
        }
    }

    #[test]
    fn the_signals_readers_keep_the_values_read_as_every_reader_finds_them() {
        use crate::model::servicing_fields::READ;
        let shapes = real_message_shapes()
            .into_iter()
            .map(|(source, message, _)| (source, message));
        let checksur = "Checking System Update Readiness.\n\nSummary:\nOperation result: 0x800f081f\nTotal Detected Corruption:\t3\nTotal Repaired Corruption:\t0";
        let stamped =
            "0000001a@2023/5/17:15:45:59.599 [SR] Cannot repair member file [l:10]'dnsapi.dll' of X, version 1";
        let mut with_values = 0;
        for (source, message) in shapes.chain([("CBS", checksur), ("CSI", stamped)]) {
            let all = extract(source, message, Fields::new());
            let signals = extract_for(source, message, Fields::new(), Readers::Signals);
            let read: Fields = all.fields.iter().filter(|(name, _)| READ.contains(name)).collect();
            with_values += usize::from(!read.is_empty());
            assert_eq!(signals.fields, read, "{message}");
            assert_eq!(
                (signals.utc, signals.session_start),
                (all.utc, all.session_start),
                "{message}"
            );
        }
        assert!(with_values >= 10, "{with_values} shapes state a value read");
    }

    type Shape<'a> = (&'a str, &'a str, Vec<(String, String)>);

    /// Messages of real CBS, DISM and Panther lines, with the values every reader finds.
    fn real_message_shapes() -> Vec<Shape<'static>> {
        vec![
            (
                "CBS",
                "Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]",
                pairs(&[("hresult", "0x800f0805"), ("hresult_name", "CBS_E_INVALID_PACKAGE")]),
            ),
            ("CBS", "Failed to OpenPackage using worker session [HRESULT = 0x800f0805]", pairs(&[("hresult", "0x800f0805")])),
            (
                "DISM",
                "DISM Package Manager: PID=5372 TID=12244 Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)",
                pairs(&[("hresult", "0x800f081f"), ("dism_component", "DISM Package Manager"), ("pid", "5372")]),
            ),
            ("DISM", "DISM Package Manager processed the command line but failed. HRESULT=80070307", pairs(&[("hresult", "0x80070307")])),
            (
                "CSI",
                "00000072 [SR] Cannot repair member file [l:10]'dnsapi.dll' of Microsoft-Windows-DNS-Client-MinWin, version 10.0.22621.1485, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} in the store, hash mismatch",
                pairs(&[
                    ("csi_counter", "00000072"),
                    ("sr", "cannot-repair"),
                    ("sr_file", "dnsapi.dll"),
                    ("sr_component", "Microsoft-Windows-DNS-Client-MinWin"),
                ]),
            ),
            (
                "CSI",
                "0000008a [SR] Could not reproject corrupted file \\??\\C:\\Windows\\Fonts\\\\YuGothB.ttc; source file in store is also corrupted",
                pairs(&[("csi_counter", "0000008a"), ("sr", "cannot-reproject"), ("sr_path", "\\??\\C:\\Windows\\Fonts\\\\YuGothB.ttc")]),
            ),
            (
                "CSI",
                "00000150 [SR] Unable to complete Verify and Repair transaction because some of the files that need to be repaired are in use. A reboot is required to complete this operation.",
                pairs(&[("csi_counter", "00000150"), ("sr", "reboot-required")]),
            ),
            ("CBS", "Total Detected Corruption:\t8", pairs(&[("checksur_detected", "8")])),
            ("CBS", "Operation result: 0x800f081f", pairs(&[("checksur_result", "0x800f081f")])),
            (
                "CBS",
                "CheckSur: hrStatus: 0x800f0906 [CBS_E_DOWNLOAD_FAILURE], download Result: 0x80240438 [Unknown Error]",
                pairs(&[("checksur_status", "0x800f0906")]),
            ),
            (
                "CBS",
                "(p)\tCSI Payload Corrupt\t(n)\t\t\tamd64_microsoft-windows-dns-client-minwin_x\\dnsapi.dll",
                pairs(&[("checksur_item", "CSI Payload Corrupt: amd64_microsoft-windows-dns-client-minwin_x\\dnsapi.dll")]),
            ),
            ("DISM", "DISM.EXE: <----- Starting Dism.exe session ----->", pairs(&[("dism_session", "start")])),
            (
                "DISM",
                "DISM.EXE: Executing command line: dism  /online /cleanup-image /restorehealth",
                pairs(&[("command_line", "dism  /online /cleanup-image /restorehealth")]),
            ),
            (
                "CBS",
                "Session: 31039523_2271340958 initialized by client DISM Package Manager Provider, external staging directory: (null)",
                pairs(&[("cbs_session", "31039523_2271340958"), ("cbs_client", "DISM Package Manager Provider")]),
            ),
            ("IBS", "Callback_BootEnvironmentDetect:FirmwareType 1.", pairs(&[("firmware_type", "1"), ("firmware", "BIOS")])),
        ]
    }

    #[test]
    fn untimed_checksur_continuation_lines_are_read() {
        let message = "Checking System Update Readiness.\n\nSummary:\nOperation: Detect and Repair \r\nOperation result: 0x800f081f\nTotal Detected Corruption:\t3\nRepair failed: Missing replacement payload.";
        let found = fields("CBS", message);
        assert!(found.contains(&("checksur".into(), "begin".into())));
        assert!(found.contains(&("checksur_operation".into(), "Detect and Repair".into())));
        assert!(found.contains(&("checksur_detected".into(), "3".into())));
        assert!(found.contains(&("checksur_repair_failed".into(), "Missing replacement payload.".into())));
    }

    #[test]
    fn utc_stamps_are_read() {
        let csi = extract(
            "CSI",
            "00000001@2022/6/18:16:31:54.076 WcpInitialize",
            super::Fields::new(),
        );
        assert_eq!(
            csi.utc.map(|t| t.to_string()).as_deref(),
            Some("2022-06-18T16:31:54.076")
        );
        let cbs = extract(
            "CBS",
            "Universal Time is: 2015-02-24 02:47:28.286",
            super::Fields::new(),
        );
        assert_eq!(
            cbs.utc.map(|t| t.to_string()).as_deref(),
            Some("2015-02-24T02:47:28.286")
        );
    }

    #[test]
    fn hresults_normalize() {
        assert_eq!(normalize_hresult("0x0").as_deref(), Some("0x00000000"));
        assert_eq!(normalize_hresult("0X800F081F").as_deref(), Some("0x800f081f"));
        assert_eq!(normalize_hresult("80070307").as_deref(), Some("0x80070307"));
        assert_eq!(normalize_hresult("1234"), None);
        assert_eq!(normalize_hresult("0x1234567890"), None);
    }
}
