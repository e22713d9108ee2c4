//! Which recorded events a later stage reads. `analyze` keeps those and tallies the rest (how
//! many, when, on which computer, and the installer starts the clock pairs: `model::Census`):
//! an event kept is one that gives a signal, marks the backup's own virtual disk, or names a
//! computer's Windows version; `inputs` keeps only the last kind. Deciding by asking
//! `recognize` itself keeps the two from drifting apart.

use crate::case::computers;
use crate::model::Event;
use crate::parse::{Judged, Keep, ReadOptions};

use super::tables::{HARMLESS_EVENTS, MALWARE_PROVIDERS, PHRASE_EVENTS, PHRASE_PROVIDERS, WIN7_BACKUP_FAILED};
use super::{recognize, vhd};

/// What a reader keeping `keep` does with `event`: keeps it when a later stage reads it, counts
/// it when its only signal names it harmless (and nothing else reads it), tallies it otherwise.
/// `recognize` is asked once.
pub fn judge(event: &Event, keep: Keep) -> Judged {
    let kept = |read: bool| if read { Judged::Keep } else { Judged::Tally };
    match keep {
        Keep::Everything => Judged::Keep,
        Keep::Clock => kept(read_by_case(event)),
        Keep::Evidence if read_by_case(event) || vhd::is_mount_event(event) => Judged::Keep,
        Keep::Evidence => match recognize::kinds(event).as_slice() {
            [] => Judged::Tally,
            [super::SignalKind::Harmless { reason }] => Judged::Harmless(reason),
            _ => Judged::Keep,
        },
    }
}

/// Whether a reader keeping `keep` keeps `event` (whole, or as a harmless count).
pub fn reads(event: &Event, keep: Keep) -> bool {
    judge(event, keep) != Judged::Tally
}

/// How the readers read for a command keeping `keep`, at most `max_records` per file.
pub fn read_options(max_records: u64, keep: Keep) -> ReadOptions {
    ReadOptions {
        max_records,
        keep,
        judges: judge,
        wants,
    }
}

/// The computer list takes each computer's Windows version from its boots.
fn read_by_case(event: &Event) -> bool {
    computers::os_version(event).is_some()
}

/// The providers `recognize` reads events of (lowercase), besides those its tables name.
const READ_PROVIDERS: &[&str] = &[
    "microsoft-windows-backup",
    "service control manager",
    "vss",
    "volsnap",
    "disk",
    "ntfs",
    "microsoft-windows-ntfs",
    "microsoft-windows-security-spp",
    "eventlog",
    "microsoft-windows-kernel-general",
    "microsoft-windows-capi2",
    "microsoft-windows-kernel-boot",
    "msiinstaller",
    "microsoft-windows-wininit",
    "chkdsk",
    "microsoft-windows-vhdmp",
];

/// Whether an event of `provider` with `id` may be kept, or is read whole by the census
/// (the installer starts the clock pairs), under `keep`: when not, a reader may stop reading
/// it after its `System` section. A superset of [`reads`], by provider (and, for the clock
/// alone, by id); a test holds the two together on every corpus and fixture event.
pub fn wants(provider: &str, id: Option<u32>, keep: Keep) -> bool {
    let census = provider == "Service Control Manager" && id == Some(7036);
    let boots = provider.eq_ignore_ascii_case("Microsoft-Windows-Kernel-General") && id == Some(12);
    match keep {
        Keep::Everything => true,
        Keep::Clock => census || boots,
        Keep::Evidence => census || boots || evidence_provider(provider),
    }
}

/// A provider (any case) whose events may give a signal or mark the backup's virtual disk.
/// Asked once per record, so it compares in place rather than lowercasing a copy.
fn evidence_provider(provider: &str) -> bool {
    let named = |p: &&str| p.eq_ignore_ascii_case(provider);
    READ_PROVIDERS.iter().any(named)
        || MALWARE_PROVIDERS.iter().any(named)
        || PHRASE_PROVIDERS.iter().any(named)
        || [WIN7_BACKUP_FAILED.0].iter().any(named)
        || HARMLESS_EVENTS.iter().map(|(p, _, _)| p).any(named)
        || PHRASE_EVENTS.iter().map(|(p, _, _)| p).any(named)
}
