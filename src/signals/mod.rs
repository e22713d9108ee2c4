//! Fourth stage: single facts recognised in the case, each pointing at its evidence. A signal
//! is what a support engineer would underline while reading the logs ("wbengine was set to
//! disabled", "backup failed with 0x80070422", "disk 0 reported a bad block"); rules combine
//! them. Recognition tables are plain data (`tables`), each entry citing its source.

mod codes;
mod reads;
mod recognize;
pub mod tables;
mod vhd;

use jiff::Timestamp;
use serde::Serialize;

use crate::case::Case;
use crate::model::{Event, EventTime, Origin, TimeKeys};

pub use codes::service_key;
pub use reads::{judge, read_options, reads, wants};
#[cfg(test)]
pub(crate) use recognize::evidence_of;

/// Where a signal comes from: the file and place, when it happened (as written), and the
/// words that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// `file#record` or `file:line`.
    pub location: String,
    /// The event or line, summarised.
    pub text: String,
    /// The event's time; `None` for untimed facts.
    pub time: Option<EventTime>,
    /// How sure the source is (recorded, pasted, inferred, reported); `None` for facts.
    pub certainty: Option<crate::model::Certainty>,
    /// The event as a Japanese Event Viewer shows it, where its Japanese message is known.
    pub text_ja: Option<String>,
}

impl Evidence {
    /// Evidence at `origin`, happened at `time`.
    pub fn new(origin: &Origin, time: Option<EventTime>, text: impl Into<String>) -> Evidence {
        Evidence {
            location: origin.to_string(),
            text: text.into(),
            time,
            certainty: None,
            text_ja: None,
        }
    }

    /// Its text in `lang`.
    pub fn text_in(&self, lang: crate::model::Lang) -> &str {
        match (lang, &self.text_ja) {
            (crate::model::Lang::Ja, Some(ja)) => ja,
            _ => &self.text,
        }
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("location", &self.location)?;
        map.serialize_entry("text", &self.text)?;
        TimeKeys(self.time.as_ref()).write(&mut map)?;
        if let Some(certainty) = self.certainty {
            map.serialize_entry("certainty", &certainty)?;
        }
        map.end()
    }
}

/// How a backup ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackupOutcome {
    /// Finished successfully.
    Succeeded,
    /// Failed (with the code, when the event gives one).
    Failed,
}

/// What a signal says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "signal", rename_all = "kebab-case")]
pub enum SignalKind {
    /// A backup job ended.
    Backup {
        /// How.
        outcome: BackupOutcome,
        /// The HRESULT, when failed.
        code: Option<u32>,
        /// The inner code ("Additional information", "Detailed error"), when stated.
        inner: Option<u32>,
    },
    /// A service's start type was set (SCM 7040).
    ServiceStartType {
        /// Service key name.
        service: String,
        /// True when set to disabled.
        disabled: bool,
    },
    /// A service could not start or stopped with an error (SCM 7000/7001/7023/7024).
    ServiceFailed {
        /// Service key name, when known.
        service: Option<String>,
        /// Win32 error (1058 = disabled), when given.
        error: Option<u32>,
    },
    /// A VSS error event.
    VssError {
        /// Event id.
        id: u32,
        /// The hr in it.
        code: Option<u32>,
    },
    /// A VSS writer in a state other than stable (`vssadmin list writers`).
    WriterState {
        /// Writer name.
        writer: String,
        /// `VSS_WRITER_STATE` number.
        state: u8,
        /// Last error words.
        error: String,
    },
    /// Windows Backup found the backup catalog on the target disk corrupt (Backup 3).
    CatalogCorrupt {
        /// The backup disk, as the event names it.
        target: String,
    },
    /// `vssadmin list writers` listed no writer at all.
    NoWriters,
    /// `vssadmin list providers` lists a provider that is not Microsoft's.
    ThirdPartyProvider {
        /// Its name as printed.
        name: String,
    },
    /// The backup target cannot hold the backup (a FAT32 or exFAT volume, a volume included
    /// in the backup).
    TargetUnsuitable {
        /// Why, in words.
        why: String,
    },
    /// The user names the System Reserved partition (in Disk Management's words).
    SystemReservedNamed,
    /// `vssadmin list writers` listed the other writers but not the System Writer (Windows
    /// Vista and later always have it): it could not enumerate the files it must report.
    SystemWriterMissing,
    /// The System Writer failed while Cryptographic Services listed its files (CAPI2 513 other
    /// than the harmless AddLegacyDriverFiles).
    SystemWriterError,
    /// Shadow copies were deleted or aborted for lack of storage (volsnap 25/33/35/36).
    ShadowStorage {
        /// Event id.
        id: u32,
    },
    /// A disk reported an I/O problem (disk 7/11/51/153/154).
    DiskError {
        /// Event id.
        id: u32,
        /// Device (`\Device\Harddisk0\DR0`).
        device: String,
    },
    /// A disk was surprise removed (disk 157): it dropped off its bus.
    DiskRemoved {
        /// The disk number, when the event gives it.
        disk: Option<u32>,
    },
    /// The file system reported corruption (Ntfs 55/137, 98 when it says repair is needed).
    FileSystemCorrupt {
        /// Event id.
        id: u32,
    },
    /// SFC could not repair a file (`[SR] Cannot repair member file`, `Could not reproject`):
    /// the file is its event's ([`Signal::sfc_file`]; a damaged system logs one such line per
    /// file and scan, hundreds of thousands, so the name is not copied into each signal).
    SfcCannotRepair,
    /// SFC repaired files.
    SfcRepaired,
    /// SFC needs a reboot to finish.
    SfcRebootRequired,
    /// A line of a DISM /ScanHealth or /RestoreHealth summary (CheckSur): the corruption it
    /// detected, or the corruption it repaired.
    CheckSur {
        /// `Total Detected Corruption`, on its line.
        detected: Option<u32>,
        /// `Total Repaired Corruption`, on its line.
        repaired: Option<u32>,
    },
    /// The repair source was missing (0x800f081f in DISM/CBS).
    SourceMissing,
    /// A reboot is pending (0x80070bc9, `Reboot required=yes`, MsiInstaller 1038).
    RebootPending {
        /// What waits for it.
        what: String,
    },
    /// Antimalware detected a threat.
    Malware {
        /// Threat name.
        threat: String,
        /// True for the remediation event (1117).
        removed: bool,
    },
    /// Antimalware could not remove a threat, could not update, or was turned off.
    AntimalwareTrouble {
        /// Event id.
        id: u32,
        /// What went wrong.
        trouble: tables::AntimalwareTrouble,
    },
    /// Software protection saw a hardware change or (re)installed a product key, or failed to
    /// activate.
    Activation {
        /// Event id.
        id: u32,
    },
    /// The operating system started.
    Boot,
    /// The version the operating system started with (Kernel-General 12: major, minor, build
    /// and the kernel's QFE revision, which grows with updates).
    OsVersion {
        /// `[major, minor, build, qfe]`.
        version: [u32; 4],
        /// The computer's name (a case may hold several machines' logs).
        computer: String,
    },
    /// The previous shutdown was unexpected (EventLog 6008), with the time it reports.
    UnexpectedShutdown {
        /// The reported shutdown time as written (date, time).
        reported: String,
    },
    /// A boot-time chkdsk report.
    Chkdsk {
        /// True when it made corrections.
        fixed: bool,
    },
    /// Windows was installed in this firmware mode (Panther `FirmwareType`).
    InstalledFirmware {
        /// `BIOS` or `UEFI`.
        mode: crate::model::FirmwareMode,
    },
    /// The machine boots in this firmware mode now (bcdedit, msinfo32, Kernel-Boot 30).
    CurrentFirmware {
        /// `BIOS` or `UEFI`.
        mode: crate::model::FirmwareMode,
    },
    /// A sentence that names a cause by itself (`parse::paste::phrases`), in a pasted text or
    /// a pasted event's message, or stated by a recorded event's id.
    Phrase {
        /// The phrase's id (`esp-lock`, `target-not-found`).
        id: String,
    },
    /// The current boot entry has Windows' automatic recovery turned off (bcdedit
    /// `recoveryenabled No`, `bootstatuspolicy IgnoreAllFailures`): what ransomware sets to
    /// keep a victim from recovering (MITRE ATT&CK T1490), and what some admins set by hand.
    BootRecoveryOff {
        /// The bcdedit setting and its value.
        setting: String,
    },
    /// An event known to be harmless, named so users stop chasing it.
    Harmless {
        /// Why it is harmless, with the source (one of the catalogue's texts: a log full of
        /// harmless lines shares them rather than copying one per line).
        reason: &'static str,
    },
}

/// One recognised fact, read from an event of the case (`'e`) or from an untimed fact.
#[derive(Debug, Clone)]
pub struct Signal<'e> {
    /// What it says.
    pub kind: SignalKind,
    /// When (UTC), for timed sources.
    pub time: Option<Timestamp>,
    /// Where it was read.
    cited: Cited<'e>,
}

/// A signal's evidence: written out for a fact, or made from its event when first cited. A
/// damaged system can log 400,000 signals of which a report cites a few dozen.
#[derive(Debug, Clone)]
enum Cited<'e> {
    // Boxed: a signal holds a pointer until its evidence is made, not the evidence's room.
    Written(Box<Evidence>),
    Event(&'e Event, std::sync::OnceLock<Box<Evidence>>),
}

impl<'e> Signal<'e> {
    /// A signal read from `event`: its time, and its evidence made when cited.
    pub fn of_event(event: &'e Event, kind: SignalKind) -> Signal<'e> {
        Signal {
            kind,
            time: event.time.order_key(),
            cited: Cited::Event(event, std::sync::OnceLock::new()),
        }
    }

    /// A signal whose evidence is written out.
    pub fn with_evidence(kind: SignalKind, time: Option<Timestamp>, evidence: Evidence) -> Signal<'e> {
        Signal {
            kind,
            time,
            cited: Cited::Written(Box::new(evidence)),
        }
    }

    /// The file an `[SR]` line named (the member file, else the path): empty for a signal
    /// not read from a servicing line.
    pub fn sfc_file(&self) -> &str {
        use crate::model::servicing_fields as f;
        match &self.cited {
            Cited::Written(_) => "",
            Cited::Event(event, _) => event
                .field(f::SR_FILE)
                .or_else(|| event.field(f::SR_PATH))
                .unwrap_or_default(),
        }
    }

    /// Where it was read.
    pub fn evidence(&self) -> &Evidence {
        match &self.cited {
            Cited::Written(evidence) => evidence,
            Cited::Event(event, made) => made.get_or_init(|| Box::new(recognize::evidence_of(event))),
        }
    }

    /// Whether its evidence has been made (for the tests: it is made when first cited).
    #[cfg(test)]
    pub fn evidence_made(&self) -> bool {
        match &self.cited {
            Cited::Written(_) => true,
            Cited::Event(_, made) => made.get().is_some(),
        }
    }

    /// When it happened, on the clock the source wrote (`None` for an untimed fact).
    pub fn event_time(&self) -> Option<EventTime> {
        match &self.cited {
            Cited::Written(evidence) => evidence.time,
            Cited::Event(event, _) => Some(event.time),
        }
    }

    /// The instant [`Signal::event_time`] is ordered by, without reading the event: an event's
    /// signal is timed by it (see [`Signal::of_event`]).
    pub fn event_order_key(&self) -> Option<Timestamp> {
        match &self.cited {
            Cited::Written(evidence) => evidence.time.and_then(|t| t.order_key()),
            Cited::Event(..) => self.time,
        }
    }
}

/// Every signal of the case, in timeline order (untimed facts last).
pub fn recognize(case: &Case) -> Vec<Signal<'_>> {
    use rayon::prelude::*;
    // Room for one signal per event (most events give one or none; room not written to is
    // never given memory).
    let mut signals: Vec<Signal> = Vec::with_capacity(case.events.len() + case.facts.len() + 1);
    // Each event on its own, on every core, a batch at a time: the signals of a batch are
    // gathered in parts before they are moved into place, so only a batch's are held twice.
    // `par_extend` keeps the events' order.
    for batch in case.events.chunks(RECOGNITION_BATCH) {
        signals.par_extend(batch.par_iter().flat_map_iter(recognize::event));
    }
    vhd::mark_backup_vhd_retries(&case.events, &mut signals);
    signals.extend(case.facts.iter().flat_map(recognize::fact));
    signals.extend(system_writer_missing(case));
    signals
}

/// Events recognised at a time (see [`recognize`]).
const RECOGNITION_BATCH: usize = 1 << 15;

/// Fewest writers a listing must show to be taken as complete (a healthy Windows 7 lists about
/// ten; a cut-off paste must not read as a missing System Writer).
const COMPLETE_LISTING: usize = 5;

/// A complete writer listing without the System Writer (Microsoft NTDebugging blog, "Missing
/// System Writer Case Explained"; KB2009272).
fn system_writer_missing<'e>(case: &Case) -> Option<Signal<'e>> {
    let writers: Vec<(&crate::model::Fact, &str)> = case
        .facts
        .iter()
        .filter_map(|f| match &f.kind {
            crate::model::FactKind::VssWriter(w) => Some((f, w.name.as_str())),
            _ => None,
        })
        .collect();
    if writers.len() < COMPLETE_LISTING
        || writers
            .iter()
            .any(|(_, name)| name.eq_ignore_ascii_case("System Writer"))
    {
        return None;
    }
    let (first, _) = writers[0];
    let text = format!("{} writers listed, the System Writer not among them", writers.len());
    Some(Signal::with_evidence(
        SignalKind::SystemWriterMissing,
        None,
        Evidence::new(&first.origin, None, text),
    ))
}
