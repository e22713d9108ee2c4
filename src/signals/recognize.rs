//! Event and fact recognition: one small function per provider family.

use crate::model::{Event, Fact, FactKind, FirmwareMode, MachineKey, SourceKind, Verdict, VssListing};

use super::codes::{disk_number, service_key, utf16_hex};
use super::tables::{
    ACTIVATION, ANTIMALWARE_TROUBLE, BACKUP_CATALOG_CORRUPT, BACKUP_FAILURES, BACKUP_FINISHED, DISABLED_WORDS,
    DISK_ERRORS, DISK_SURPRISE_REMOVED, HARMLESS_CAPI2_LEGACY_DRIVER, HARMLESS_EVENTS, HARMLESS_INVALID_PACKAGE,
    HARMLESS_OLD_WRITER_SESSION, HARMLESS_RMMETADATA, HARMLESS_VIRTUAL_FLOPPY, HARMLESS_VSS13_SHUTDOWN,
    MALWARE_PROVIDERS, NTFS_CORRUPTION, PHRASE_EVENTS, PHRASE_PROVIDERS, SERVICE_FAILURES, SHADOW_STORAGE, VSS_ERRORS,
    WIN7_BACKUP_FAILED,
};
use super::{BackupOutcome, Evidence, Signal, SignalKind};
use crate::model::codes::{codes_in_text, parse_code};
use crate::model::servicing_fields as f;

/// A one-line description of an event for evidence: its message as Event Viewer shows it
/// where the message is known, else its fields by name; nothing after the head when there is
/// nothing to show.
pub fn describe(event: &Event) -> String {
    let head = head(event);
    let body = crate::model::messages::one_line(event, ", ");
    if body.is_empty() {
        head
    } else {
        format!("{head}: {body}")
    }
}

/// [`describe`] with the Japanese message, for a recorded event whose Japanese template is
/// known (a pasted message keeps its own words).
pub fn describe_ja(event: &Event) -> Option<String> {
    if event.message.is_some() {
        return None;
    }
    let body = crate::model::messages::render_in(event, "ja")?;
    Some(format!("{}: {body}", head(event)))
}

/// `Provider id`, as evidence lines start.
fn head(event: &Event) -> String {
    match event.event_id {
        Some(id) => format!("{} {id}", event.provider),
        None => event.provider.to_string(),
    }
}

/// The evidence of a signal read from `event`: where, when, and the event in words.
pub(crate) fn evidence_of(event: &Event) -> Evidence {
    Evidence {
        certainty: Some(event.certainty),
        text_ja: describe_ja(event),
        ..Evidence::new(&event.origin, Some(event.time), describe(event))
    }
}

/// The signals of one event.
pub fn event(event: &Event) -> impl Iterator<Item = Signal<'_>> {
    kinds(event).into_iter().map(move |kind| Signal::of_event(event, kind))
}

/// What one event says, before it is made a signal with its evidence.
pub(super) fn kinds(event: &Event) -> Vec<SignalKind> {
    match event.source {
        SourceKind::Evtx | SourceKind::Paste => {
            // Providers match case-insensitively (tables §0): lowered once per event.
            let provider = event.provider.to_ascii_lowercase();
            let mut kinds = evtx(event, &provider);
            if !kinds.iter().any(|k| matches!(k, SignalKind::Harmless { .. })) {
                kinds.extend(
                    phrases(event, &provider)
                        .into_iter()
                        .map(|id| SignalKind::Phrase { id: id.to_string() }),
                );
            }
            kinds
        }
        SourceKind::Cbs | SourceKind::Dism | SourceKind::Panther => servicing(event),
        _ => Vec::new(),
    }
}

/// The phrases an event states: by its id where the id alone says it (a recorded event has
/// no message text), and in the lines of a pasted message.
fn phrases(event: &Event, provider: &str) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = PHRASE_EVENTS
        .iter()
        .filter(|(p, id, _)| *p == provider && Some(*id) == event.event_id)
        .map(|(_, _, phrase)| *phrase)
        .collect();
    // A recorded event has no message: its texts are its field values, read in order as the
    // message shows them (VSS 12289's routine in %1 and its hr in %2 end up on one line), for
    // the providers whose phrases live there.
    let recorded = if PHRASE_PROVIDERS.contains(&provider) {
        let values: Vec<&str> = event.fields.iter().map(|(_, value)| value).collect();
        values.join(" ")
    } else {
        String::new()
    };
    let message = event.message.as_deref().unwrap_or_default();
    for line in [recorded.as_str(), message].into_iter().flat_map(str::lines) {
        for id in crate::parse::paste::phrases::find(line) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

fn evtx(event: &Event, provider: &str) -> Vec<SignalKind> {
    let Some(id) = event.event_id else {
        return Vec::new();
    };
    if provider == "vss" && id == 13 && first_code(event) == Some(0x8007_045b) {
        return vec![SignalKind::Harmless {
            reason: HARMLESS_VSS13_SHUTDOWN,
        }];
    }
    if let Some(reason) = harmless_by_content(event, provider, id) {
        return vec![SignalKind::Harmless { reason }];
    }
    if let Some((_, _, reason)) = HARMLESS_EVENTS.iter().find(|(p, i, _)| *p == provider && *i == id) {
        if !(id == 98 && event.field("CorruptionActionState").is_some_and(|s| s != "0")) {
            return vec![SignalKind::Harmless { reason }];
        }
    }
    match provider {
        "microsoft-windows-backup" => backup(event, id),
        p if (p, id) == WIN7_BACKUP_FAILED => vec![SignalKind::Backup {
            outcome: BackupOutcome::Failed,
            code: first_code(event),
            inner: None,
        }],
        "service control manager" => scm(event, id),
        "vss" if VSS_ERRORS.contains(&id) => vec![SignalKind::VssError {
            id,
            code: first_code(event),
        }],
        "volsnap" if SHADOW_STORAGE.contains(&id) => vec![SignalKind::ShadowStorage { id }],
        "disk" if DISK_ERRORS.contains(&id) => {
            vec![SignalKind::DiskError {
                id,
                device: event.field("%1").unwrap_or_default().to_string(),
            }]
        }
        "disk" if id == DISK_SURPRISE_REMOVED => vec![SignalKind::DiskRemoved {
            disk: event.fields.iter().find_map(|(_, value)| disk_number(value)),
        }],
        "ntfs" | "microsoft-windows-ntfs" if NTFS_CORRUPTION.contains(&id) || id == 98 => {
            vec![SignalKind::FileSystemCorrupt { id }]
        }
        p if MALWARE_PROVIDERS.contains(&p) && (id == 1116 || id == 1117) => {
            let threat = event
                .field("Threat Name")
                .or_else(|| event.field("%8"))
                .unwrap_or_default();
            vec![SignalKind::Malware {
                threat: threat.to_string(),
                removed: id == 1117,
            }]
        }
        p if MALWARE_PROVIDERS.contains(&p) => ANTIMALWARE_TROUBLE
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, trouble)| SignalKind::AntimalwareTrouble { id, trouble: *trouble })
            .collect(),
        "microsoft-windows-security-spp" if ACTIVATION.contains(&id) => vec![SignalKind::Activation { id }],
        "eventlog" if id == 6008 => {
            let reported = format!(
                "{} {}",
                event.field("%2").unwrap_or_default(),
                event.field("%1").unwrap_or_default()
            );
            vec![SignalKind::UnexpectedShutdown {
                reported: reported.replace('\u{200e}', ""),
            }]
        }
        "microsoft-windows-kernel-general" if id == 12 => {
            let mut kinds = vec![SignalKind::Boot];
            kinds.extend(os_version(event).map(|version| SignalKind::OsVersion {
                version,
                computer: event.computer.as_deref().unwrap_or_default().to_string(),
            }));
            kinds
        }
        "microsoft-windows-capi2" if id == 513 => vec![SignalKind::SystemWriterError],
        "microsoft-windows-kernel-boot" if id == 30 => vec![SignalKind::CurrentFirmware {
            mode: FirmwareMode::Uefi,
        }],
        "msiinstaller" if id == 1038 => {
            vec![SignalKind::RebootPending {
                what: event.field("%1").unwrap_or("an installation").to_string(),
            }]
        }
        "microsoft-windows-wininit" | "chkdsk" if id == 1001 || id == 26212 || id == 26226 => {
            let report = event.field("%1").unwrap_or_default();
            let fixed = report.contains("made corrections") || report.contains("replaced bad clusters");
            vec![SignalKind::Chkdsk { fixed }]
        }
        _ => Vec::new(),
    }
}

/// Harmless events told apart by what they say, not only by provider and id (reasons and
/// sources in `tables`).
fn harmless_by_content(event: &Event, provider: &str, id: u32) -> Option<&'static str> {
    let mentions = |needle: &str| {
        event
            .fields
            .iter()
            .any(|(_, value)| value.to_ascii_lowercase().contains(needle))
    };
    match (provider, id) {
        ("vss", 12289) if first_code(event) == Some(0x8004_2409) => Some(HARMLESS_OLD_WRITER_SESSION),
        ("vss", 12289) if mentions("generic_floppy") => Some(HARMLESS_VIRTUAL_FLOPPY),
        ("microsoft-windows-capi2", 513) if mentions("addlegacydriverfiles") => Some(HARMLESS_CAPI2_LEGACY_DRIVER),
        ("microsoft-windows-backup", _) if mentions("$extend\\$rmmetadata") => Some(HARMLESS_RMMETADATA),
        _ => None,
    }
}

/// Kernel-General 12's `MajorVersion`, `MinorVersion`, `BuildVersion` and `QfeVersion`.
fn os_version(event: &Event) -> Option<[u32; 4]> {
    let part = |name: &str| event.field(name)?.trim().parse().ok();
    Some([
        part("MajorVersion")?,
        part("MinorVersion")?,
        part("BuildVersion")?,
        part("QfeVersion")?,
    ])
}

fn first_code(event: &Event) -> Option<u32> {
    event
        .fields
        .iter()
        .filter(|(name, _)| *name != "Binary")
        .find_map(|(_, value)| {
            let lower = value.to_ascii_lowercase();
            lower.contains("0x").then(|| parse_code(value)).flatten()
        })
        .or_else(|| message_codes(event).first().copied())
}

fn backup(event: &Event, id: u32) -> Vec<SignalKind> {
    if id == BACKUP_CATALOG_CORRUPT {
        // The disk is the message's %1, the first data value whatever its name.
        let target = event.fields.iter().map(|(_, value)| value).next().unwrap_or_default();
        return vec![SignalKind::CatalogCorrupt {
            target: target.to_string(),
        }];
    }
    if BACKUP_FINISHED.contains(&id) {
        // 4 and 14 report the finished operation; their HRESULT says how it went.
        let code = event
            .field("HRESULT")
            .and_then(parse_code)
            .or_else(|| message_codes(event).first().copied())
            .filter(|c| *c != 0);
        let outcome = if code.is_some() {
            BackupOutcome::Failed
        } else {
            BackupOutcome::Succeeded
        };
        return vec![SignalKind::Backup {
            outcome,
            code,
            inner: None,
        }];
    }
    let Some((_, field)) = BACKUP_FAILURES.iter().find(|(i, _)| *i == id) else {
        return Vec::new();
    };
    // A pasted copy in another language has no named fields: its message still states the code.
    let stated = message_codes(event);
    let code = match (field, id) {
        (Some(name), _) => event
            .field(name)
            .and_then(parse_code)
            .or_else(|| stated.first().copied()),
        (None, 50) => Some(0x8007_0070),
        _ => stated.first().copied(),
    };
    vec![SignalKind::Backup {
        outcome: BackupOutcome::Failed,
        code,
        inner: stated.into_iter().find(|c| Some(*c) != code),
    }]
}

/// The codes a pasted event's message states.
fn message_codes(event: &Event) -> Vec<u32> {
    event.message.as_deref().map(codes_in_text).unwrap_or_default()
}

fn scm(event: &Event, id: u32) -> Vec<SignalKind> {
    if id == 7040 {
        let Some(service) = event
            .field("param4")
            .or_else(|| event.field("param1").and_then(service_key))
        else {
            return Vec::new();
        };
        let new = event.field("param3").unwrap_or_default().trim();
        let disabled = DISABLED_WORDS.iter().any(|w| new.eq_ignore_ascii_case(w));
        return vec![SignalKind::ServiceStartType {
            service: service.to_string(),
            disabled,
        }];
    }
    if !SERVICE_FAILURES.contains(&id) {
        return Vec::new();
    }
    let service = event
        .field("Binary")
        .and_then(utf16_hex)
        .filter(|key| !key.is_empty())
        .or_else(|| event.field("param1").and_then(service_key).map(str::to_string));
    let error_field = if id == 7001 { "param3" } else { "param2" };
    let error = event.field(error_field).and_then(parse_code);
    vec![SignalKind::ServiceFailed { service, error }]
}

/// The servicing values `servicing` reads the first of (and every `hresult`): a kept line
/// keeps them (`servicing_fields::READ`, a test holds the two together).
const SERVICING_FIRST: [&str; 7] = [
    f::SR,
    f::CHECKSUR_DETECTED,
    f::CHECKSUR_REPAIRED,
    f::CHECKSUR_STATUS,
    f::REBOOT_REQUIRED,
    f::HRESULT_NAME,
    f::FIRMWARE,
];

fn servicing(event: &Event) -> Vec<SignalKind> {
    // The fields read here, in one pass (the first of each name, every HRESULT): a big log
    // keeps a hundred thousand of these lines, each recognised when read and again here.
    let mut first: [Option<&str>; 7] = [None; 7];
    let mut codes: Vec<u32> = Vec::new();
    for (name, value) in event.fields.iter() {
        if name == f::HRESULT {
            codes.extend(parse_code(value));
        } else if let Some(slot) = SERVICING_FIRST.iter().position(|read| *read == name) {
            first[slot].get_or_insert(value);
        }
    }
    let [sr, detected, repaired, status, reboot_required, hresult_name, firmware] = first;
    let mut out = Vec::new();
    match sr {
        Some(f::sr::CANNOT_REPAIR | f::sr::CANNOT_REPROJECT | f::sr::UNABLE_TO_REPAIR) => {
            out.push(SignalKind::SfcCannotRepair);
        }
        Some(f::sr::TRANSACTION_REPAIRED) => out.push(SignalKind::SfcRepaired),
        Some(f::sr::REBOOT_REQUIRED) => out.push(SignalKind::SfcRebootRequired),
        _ => {}
    }
    let count = |value: Option<&str>| value.and_then(|v| v.parse::<u32>().ok());
    if let Some(detected) = count(detected) {
        out.push(SignalKind::CheckSur {
            detected: Some(detected),
            repaired: None,
        });
    }
    if let Some(repaired) = count(repaired) {
        out.push(SignalKind::CheckSur {
            detected: None,
            repaired: Some(repaired),
        });
    }
    let status = status.and_then(parse_code);
    // 0x800f081f source missing; 0x800f0906 download failure and 0x800f0907 policy: the repair
    // source could not be reached either (windows-knowledge.md 2.3).
    let source_codes = [0x800f_081f, 0x800f_0906, 0x800f_0907];
    let source_failed = codes.iter().any(|c| source_codes.contains(c)) && event.level <= crate::model::Level::Error;
    if source_failed || status.is_some_and(|c| source_codes.contains(&c)) {
        out.push(SignalKind::SourceMissing);
    }
    if codes.contains(&0x8007_0bc9) || status == Some(0x8007_0bc9) || reboot_required == Some("yes") {
        out.push(SignalKind::RebootPending {
            what: "a component store repair".into(),
        });
    }
    if hresult_name == Some("CBS_E_INVALID_PACKAGE") {
        out.push(SignalKind::Harmless {
            reason: HARMLESS_INVALID_PACKAGE,
        });
    }
    if let Some(mode) = firmware.and_then(FirmwareMode::parse) {
        out.push(SignalKind::InstalledFirmware { mode });
    }
    out
}

/// The signals of one untimed fact.
pub fn fact<'e>(fact: &Fact) -> Vec<Signal<'e>> {
    let mut kinds = extra_fact_signals(&fact.kind);
    let kind = match &fact.kind {
        FactKind::BackupStatement {
            failed, code, inner, ..
        } => Some(SignalKind::Backup {
            outcome: if *failed {
                BackupOutcome::Failed
            } else {
                BackupOutcome::Succeeded
            },
            code: *code,
            inner: *inner,
        }),
        FactKind::VssWriter(w) if w.state != 1 && w.state != 5 => Some(SignalKind::WriterState {
            writer: w.name.clone(),
            state: w.state,
            error: w.last_error.clone(),
        }),
        FactKind::VssListing(VssListing::NoWriters) => Some(SignalKind::NoWriters),
        FactKind::VssListing(VssListing::Error { code, .. }) => Some(SignalKind::VssError { id: 0, code: *code }),
        FactKind::Machine {
            key: MachineKey::FirmwareMode,
            value,
            ..
        } => FirmwareMode::parse(value).map(|mode| SignalKind::CurrentFirmware { mode }),
        FactKind::ConsoleVerdict { verdict, .. } => match verdict {
            Verdict::CannotRepair => Some(SignalKind::SfcCannotRepair),
            Verdict::Repaired => Some(SignalKind::SfcRepaired),
            Verdict::RebootRequired => Some(SignalKind::SfcRebootRequired),
            Verdict::SourceMissing => Some(SignalKind::SourceMissing),
            Verdict::Repairable => Some(SignalKind::CheckSur {
                detected: Some(1),
                repaired: None,
            }),
            Verdict::Clean | Verdict::CouldNotRun | Verdict::Failed => None,
        },
        _ => None,
    };
    kinds.extend(kind);
    let text = match &fact.kind {
        FactKind::VssWriter(w) => format!("writer '{}': [{}] {} / {}", w.name, w.state, w.state_text, w.last_error),
        FactKind::Machine { key, value, .. } => format!("{}: {value}", key.as_str()),
        FactKind::ConsoleVerdict { tool, verdict, .. } => format!("{tool} console output: {verdict}"),
        FactKind::BackupStatement { text, .. } => text.clone(),
        FactKind::VssProvider(p) => format!("VSS provider '{}' ({}, {})", p.name, p.provider_type, p.provider_id),
        FactKind::Mention { what, value } => format!("{what}: {value}"),
        other => format!("{other:?}"),
    };
    kinds
        .into_iter()
        .map(|kind| Signal::with_evidence(kind, None, Evidence::new(&fact.origin, None, text.clone())))
        .collect()
}

/// What a fact says about the target, the provider or the partitions, beside its own signal.
fn extra_fact_signals(kind: &FactKind) -> Vec<SignalKind> {
    match kind {
        FactKind::VssProvider(p) if !p.name.to_ascii_lowercase().contains("microsoft") => {
            vec![SignalKind::ThirdPartyProvider { name: p.name.clone() }]
        }
        FactKind::Mention { what, value } if what == "file-system" => vec![SignalKind::TargetUnsuitable {
            why: format!("a {value} volume: Windows Backup writes system images only to NTFS"),
        }],
        FactKind::Mention { what, .. } if what == "partition" => vec![SignalKind::SystemReservedNamed],
        FactKind::Machine {
            key: key @ (MachineKey::RecoveryEnabled | MachineKey::BootStatusPolicy),
            value,
            ..
        } if value.eq_ignore_ascii_case("no") || value.eq_ignore_ascii_case("IgnoreAllFailures") => {
            vec![SignalKind::BootRecoveryOff {
                setting: format!("{} {value}", key.as_str()),
            }]
        }
        FactKind::Mention { what, value } if what == "phrase" => vec![SignalKind::Phrase { id: value.clone() }],
        FactKind::BackupStatement { text, .. }
            if text
                .to_ascii_lowercase()
                .contains("volume that is included in the backup as a storage location") =>
        {
            vec![SignalKind::TargetUnsuitable {
                why: "the storage location is a volume included in the backup (KB944530)".to_string(),
            }]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::event;
    use crate::model::{Certainty, Event, EventTime, Fields, FieldsFrom, Level, Location, Origin, SourceKind};
    use crate::signals::{BackupOutcome, SignalKind};

    #[test]
    fn a_kept_servicing_line_keeps_every_value_its_signals_read() {
        use crate::model::servicing_fields as f;
        for name in super::SERVICING_FIRST
            .iter()
            .chain([&f::HRESULT, &f::SR_FILE, &f::SR_PATH])
        {
            assert!(f::READ.contains(name), "{name} is read but not kept");
        }
    }

    /// A Japanese Event Viewer copy of Backup 517 without its date: no named fields, the code
    /// only in the message.
    fn pasted_517() -> Event {
        Event {
            time: EventTime::Unknown,
            origin: Origin {
                file: Arc::from("ticket.txt"),
                location: Location::Line(1),
            },
            source: SourceKind::Paste,
            provider: Arc::from("Microsoft-Windows-Backup"),
            event_id: Some(517),
            level: Level::Error,
            channel: None,
            computer: None,
            fields: Fields::new(),
            message: Some(
                "バックアップ操作は、次のエラー コードで失敗しました: '0x8078002A' (…) 追加情報 (0x8007045D)".into(),
            ),
            certainty: Certainty::Pasted,
            fields_from: FieldsFrom::Labels,
        }
    }

    #[test]
    fn an_undated_pasted_event_is_read_like_a_recorded_one() {
        let pasted = pasted_517();
        let signals: Vec<_> = event(&pasted).collect();
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].time, None, "no time: order checks are unknown, not failed");
        assert_eq!(
            signals[0].kind,
            SignalKind::Backup {
                outcome: BackupOutcome::Failed,
                code: Some(0x8078_002a),
                inner: Some(0x8007_045d),
            }
        );
        assert_eq!(signals[0].evidence().time, Some(EventTime::Unknown));
    }

    /// A recorded event with these fields.
    fn recorded(provider: &str, id: u32, fields: &[(&str, &str)]) -> Event {
        let mut event = pasted_517();
        event.time = EventTime::Utc("2024-05-20T10:00:00Z".parse().expect("time"));
        event.provider = Arc::from(provider);
        event.event_id = Some(id);
        event.message = None;
        let mut values = Fields::new();
        for (name, value) in fields {
            values.push(name, value);
        }
        event.fields = values;
        event
    }

    #[test]
    fn each_recognised_event_gives_its_signal() {
        // (provider, id, fields, the signal's name in JSON, or "" for none)
        type Case<'a> = (&'a str, u32, &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case; 12] = [
            (
                "Service Control Manager",
                7040,
                &[("param3", "disabled"), ("param4", "wbengine")],
                "service-start-type",
            ),
            (
                "Service Control Manager",
                7000,
                &[("param1", "Volume Shadow Copy"), ("param2", "%%1058")],
                "service-failed",
            ),
            (
                "Service Control Manager",
                7036,
                &[("param1", "Themes"), ("param2", "running")],
                "",
            ),
            (
                "VSS",
                8193,
                &[("%1", "CoCreateInstance"), ("%2", "0x8007007e")],
                "vss-error",
            ),
            ("VSS", 8224, &[], "harmless"),
            (
                "VSS",
                12289,
                &[("%1", "0x80042409, Writer status is not available")],
                "harmless",
            ),
            ("volsnap", 25, &[("%1", "C:")], "shadow-storage"),
            ("disk", 7, &[("%1", "\\Device\\Harddisk0\\DR0")], "disk-error"),
            ("Disk", 157, &[("%1", "\\Device\\Harddisk2\\DR2")], "disk-removed"),
            ("Microsoft-Windows-Backup", 4, &[("HRESULT", "0x0")], "backup"),
            (
                "Microsoft-Windows-Backup",
                3,
                &[("TargetDeviceName", "E:")],
                "catalog-corrupt",
            ),
            (
                "Microsoft-Windows-Ntfs",
                98,
                &[("CorruptionActionState", "0")],
                "harmless",
            ),
        ];
        for (provider, id, fields, expected) in cases {
            let recorded = recorded(provider, id, fields);
            let names: Vec<String> = event(&recorded)
                .map(|s| {
                    serde_json::to_value(&s.kind)
                        .ok()
                        .and_then(|v| v["signal"].as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect();
            if expected.is_empty() {
                assert!(names.is_empty(), "{provider} {id}: {names:?}");
            } else {
                assert_eq!(
                    names.first().map(String::as_str),
                    Some(expected),
                    "{provider} {id}: {names:?}"
                );
            }
        }
    }
}
