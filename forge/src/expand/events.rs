//! The evtx events Windows writes for each happening, built from the layouts in
//! `docs/research/event-catalog.md` (providers, ids, qualifiers, levels, field names and order).

use jiff::Timestamp;

use crate::evtx::{EventData, EvtxEvent, Provider};
use crate::scenario::{Language, Os, StartType};

use super::windows::{self, Service};

/// The event logs a bundle can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Log {
    /// `System`.
    System,
    /// `Application`.
    Application,
    /// `Microsoft-Windows-Backup` (operational).
    Backup,
    /// `Microsoft-Windows-Windows Defender/Operational`.
    Defender,
}

impl Log {
    /// The channel name written in each event.
    pub fn channel(self) -> &'static str {
        match self {
            Log::System => "System",
            Log::Application => "Application",
            Log::Backup => "Microsoft-Windows-Backup",
            Log::Defender => "Microsoft-Windows-Windows Defender/Operational",
        }
    }
}

/// What every event of one machine shares.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Computer name.
    pub computer: String,
    /// Windows release.
    pub os: Os,
    /// UI language.
    pub language: Language,
}

/// An event and the log it goes to.
pub type LogEvent = (Log, EvtxEvent);

const CLASSIC_KEYWORDS: u64 = 0x0080_0000_0000_0000;
const SCM_KEYWORDS: u64 = 0x8080_0000_0000_0000;

impl Machine {
    #[allow(clippy::too_many_arguments)]
    fn event(
        &self,
        log: Log,
        provider: Provider,
        id: u16,
        qualifiers: Option<u16>,
        level: u8,
        keywords: u64,
        time: Timestamp,
        data: EventData,
    ) -> LogEvent {
        let event = EvtxEvent {
            provider,
            event_id: id,
            qualifiers,
            version: 0,
            level,
            task: 0,
            opcode: 0,
            keywords,
            time,
            process_id: 4 + u32::from(id % 7) * 4,
            thread_id: 64 + u32::from(id % 13) * 4,
            channel: log.channel().to_string(),
            computer: self.computer.clone(),
            user_sid: None,
            data,
        };
        (log, event)
    }

    fn unnamed(strings: &[&str], binary: Option<Vec<u8>>) -> EventData {
        let data = EventData::unnamed(strings.iter().copied());
        match binary {
            Some(binary) => data.with_binary(binary),
            None => data,
        }
    }

    fn named(fields: &[(&str, String)]) -> EventData {
        EventData::named(fields.iter().map(|(n, v)| (*n, v.clone())))
    }

    /// SCM 7036: a service entered the running or stopped state (Binary `<key>/<state>`).
    pub fn service_state(&self, time: Timestamp, service: Service, running: bool) -> LogEvent {
        let (words, state) = windows::state_words(running, self.language);
        let binary = utf16(&format!("{}/{state}", service.key));
        let data = EventData::named([("param1", service.display), ("param2", words)]).with_binary(binary);
        self.event(
            Log::System,
            windows::scm(),
            7036,
            Some(16384),
            4,
            SCM_KEYWORDS,
            time,
            data,
        )
    }

    /// SCM 7040: a service's start type changed (param4 = key name).
    pub fn start_type_changed(&self, time: Timestamp, service: Service, from: StartType, to: StartType) -> LogEvent {
        let data = Self::named(&[
            ("param1", service.display.to_string()),
            ("param2", windows::start_type_words(from, self.language).to_string()),
            ("param3", windows::start_type_words(to, self.language).to_string()),
            ("param4", service.key.to_string()),
        ]);
        self.event(
            Log::System,
            windows::scm(),
            7040,
            Some(16384),
            4,
            SCM_KEYWORDS,
            time,
            data,
        )
    }

    /// SCM 7000: a service failed to start (`%%1058`: disabled).
    pub fn service_start_failed(&self, time: Timestamp, service: Service, error: u32) -> LogEvent {
        let data = Self::named(&[
            ("param1", service.display.to_string()),
            ("param2", format!("%%{error}")),
        ])
        .with_binary(utf16(service.key));
        self.event(
            Log::System,
            windows::scm(),
            7000,
            Some(49152),
            2,
            SCM_KEYWORDS,
            time,
            data,
        )
    }

    /// EventLog 6005 (service started) and 6009 (OS version banner) at boot.
    pub fn eventlog_started(&self, time: Timestamp) -> Vec<LogEvent> {
        let (major, minor, build) = self.os.version();
        let version = format!("{major}.{minor:02}.");
        let (sp, qfe) = if self.os.is_modern() {
            (" ", "0")
        } else {
            ("Service Pack 1", "17514")
        };
        let build = build.to_string();
        vec![
            self.event(
                Log::System,
                windows::eventlog(),
                6005,
                Some(32768),
                4,
                CLASSIC_KEYWORDS,
                time,
                Self::unnamed(&[""], None),
            ),
            self.event(
                Log::System,
                windows::eventlog(),
                6009,
                Some(32768),
                4,
                CLASSIC_KEYWORDS,
                time,
                Self::unnamed(&[&version, &build, sp, "Multiprocessor Free", qfe], None),
            ),
        ]
    }

    /// EventLog 6006: the event log service stopped (clean shutdown).
    pub fn eventlog_stopped(&self, time: Timestamp) -> LogEvent {
        self.event(
            Log::System,
            windows::eventlog(),
            6006,
            Some(32768),
            4,
            CLASSIC_KEYWORDS,
            time,
            Self::unnamed(&[""], None),
        )
    }

    /// EventLog 6008: the previous shutdown at `then` was unexpected (local date and time words).
    pub fn unexpected_shutdown(&self, time: Timestamp, then_local: jiff::civil::DateTime) -> LogEvent {
        let clock = then_local.strftime("%-I:%M:%S %p").to_string();
        let date = format!(
            "\u{200e}{}/\u{200e}{}/\u{200e}{}",
            then_local.month(),
            then_local.day(),
            then_local.year()
        );
        let data = Self::unnamed(&[&clock, &date, "", "", "0", "", ""], None);
        self.event(
            Log::System,
            windows::eventlog(),
            6008,
            Some(32768),
            2,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }

    /// Kernel-General 12: the operating system started (version fields).
    pub fn os_started(&self, time: Timestamp) -> LogEvent {
        let (major, minor, build) = self.os.version();
        let qfe = if self.os.is_modern() { "3570" } else { "17514" };
        let data = Self::named(&[
            ("MajorVersion", major.to_string()),
            ("MinorVersion", minor.to_string()),
            ("BuildVersion", build.to_string()),
            ("QfeVersion", qfe.to_string()),
            (
                "ServiceVersion",
                if self.os.is_modern() { "0" } else { "1" }.to_string(),
            ),
            ("BootMode", "0".to_string()),
            ("StartTime", time.strftime("%Y-%m-%dT%H:%M:%S%.7fZ").to_string()),
        ]);
        self.event(
            Log::System,
            windows::kernel_general(),
            12,
            None,
            4,
            0x8000_0000_0000_0080,
            time,
            data,
        )
    }

    /// Kernel-General 13: the operating system is shutting down.
    pub fn os_stopping(&self, time: Timestamp) -> LogEvent {
        let data = Self::named(&[("StopTime", time.strftime("%Y-%m-%dT%H:%M:%S%.7fZ").to_string())]);
        self.event(
            Log::System,
            windows::kernel_general(),
            13,
            None,
            4,
            0x8000_0000_0000_0080,
            time,
            data,
        )
    }

    /// Kernel-Boot 27 (boot type) and, on UEFI machines, 30 (firmware boot metrics with
    /// ExitBootServices timings, a UEFI-only concept). Windows 8 and later only.
    pub fn kernel_boot(&self, time: Timestamp, uefi: bool) -> Vec<LogEvent> {
        if !self.os.is_modern() {
            return Vec::new();
        }
        let mut out = vec![self.event(
            Log::System,
            windows::kernel_boot(),
            27,
            None,
            4,
            0x8000_0000_0000_0000,
            time,
            Self::named(&[
                ("BootType", "0".into()),
                ("LoadOptions", " NOEXECUTE=OPTIN  NOVGA".into()),
            ]),
        )];
        if uefi {
            out.push(self.event(
                Log::System,
                windows::kernel_boot(),
                30,
                None,
                4,
                0x8000_0000_0000_0000,
                time,
                Self::named(&[
                    ("ResetEndStart", "1520".into()),
                    ("LoadOSImageStart", "2134".into()),
                    ("StartOSImageStart", "2210".into()),
                    ("ExitBootServicesEntry", "3391".into()),
                    ("ExitBootServicesExit", "3402".into()),
                ]),
            ));
        }
        out
    }

    /// User32 1074: a restart initiated by a process.
    pub fn restart_initiated(&self, time: Timestamp) -> LogEvent {
        let (kind, reason) = match self.language {
            Language::English => ("restart", "Operating System: Upgrade (Planned)"),
            Language::Japanese => ("再起動", "オペレーティング システム: アップグレード (計画済)"),
        };
        let process = format!("C:\\Windows\\system32\\winlogon.exe ({})", self.computer);
        let values = [
            process.as_str(),
            self.computer.as_str(),
            reason,
            "0x80020003",
            kind,
            "",
            "NT AUTHORITY\\SYSTEM",
        ];
        let data = if self.os.is_modern() {
            let names = ["param1", "param2", "param3", "param4", "param5", "param6", "param7"];
            EventData::named(names.iter().copied().zip(values))
        } else {
            Self::unnamed(&values, None)
        };
        self.event(
            Log::System,
            windows::user32(self.os.is_modern()),
            1074,
            Some(32768),
            4,
            SCM_KEYWORDS,
            time,
            data,
        )
    }

    /// VSS 8224: the VSS service shut down after its idle timeout (harmless, very common).
    pub fn vss_idle(&self, time: Timestamp) -> LogEvent {
        self.event(
            Log::Application,
            windows::vss(),
            8224,
            Some(0),
            4,
            CLASSIC_KEYWORDS,
            time,
            Self::unnamed(&[""], None),
        )
    }

    /// VSS 8193: unexpected error calling a routine (`hr` as `0x…, text`).
    pub fn vss_routine_error(&self, time: Timestamp, routine: &str, hr: &str) -> LogEvent {
        let context = "\r\n\r\nOperation:\r\n   Initialize Writer Metadata\r\n\r\nContext:\r\n   Execution Context: Requestor\r\n   Current State: DoSnapshotSet";
        let data = Self::unnamed(&[routine, hr, context], None);
        self.event(
            Log::Application,
            windows::vss(),
            8193,
            Some(0),
            2,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }

    /// VSS 13: a COM server could not be started (`CEventSystem` when the COM+ Event System is down).
    pub fn vss_com_server(&self, time: Timestamp, hr: &str) -> LogEvent {
        let data = Self::unnamed(
            &["{4e14fba2-2e22-11d1-9964-00c04fbbb345}", "CEventSystem", hr, "\r\n"],
            None,
        );
        self.event(
            Log::Application,
            windows::vss(),
            13,
            Some(0),
            2,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }

    /// A VSS error event with the insertion strings its message uses (libyal vssvc.exe): the
    /// CLSID and name for 13/22, the hr for 8194/8193, the context block last.
    pub fn vss_error(&self, time: Timestamp, id: u16, hr: &str) -> LogEvent {
        let context =
            "\r\n\r\nOperation:\r\n   Gathering Writer Data\r\n\r\nContext:\r\n   Execution Context: Requestor";
        let strings: Vec<&str> = match id {
            13 => vec!["{4e14fba2-2e22-11d1-9964-00c04fbbb345}", "CEventSystem", hr, context],
            22 | 12292 => vec![
                "{65ee1dba-8ff4-4a58-ac1c-3470ee2f376a}",
                "Microsoft Software Shadow Copy provider 1.0",
                hr,
                context,
            ],
            8194 | 8229 => vec![hr, context],
            // "Unexpected error %1. hr = %2.": %1 says what VSS was doing.
            12289 if hr.to_ascii_lowercase().starts_with("0x80042409") => {
                vec!["An older active writer session state is being removed", hr, context]
            }
            12289 => vec!["CoCreateInstance", hr, context],
            _ => vec![context],
        };
        let level = 2;
        self.event(
            Log::Application,
            windows::vss(),
            id,
            Some(0),
            level,
            CLASSIC_KEYWORDS,
            time,
            Self::unnamed(&strings, None),
        )
    }

    /// volsnap 36: shadow copies of C: aborted because the storage could not grow (Windows 7
    /// classic layout: device, volume).
    pub fn shadow_storage_aborted(&self, time: Timestamp) -> LogEvent {
        let data = Self::unnamed(&["\\Device\\HarddiskVolumeShadowCopy3", "C:"], None);
        self.event(
            Log::System,
            windows::volsnap(),
            36,
            Some(49158),
            2,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }

    /// Backup operational 1 (started), 4 (succeeded), 14 (completed).
    pub fn backup_succeeded(&self, start: Timestamp, end: Timestamp, target: &str) -> Vec<LogEvent> {
        let template = "{d3dfba0a-55b5-4a27-8c82-55b3a3b1c2d6}".to_string();
        let started = self.event(
            Log::Backup,
            windows::backup(),
            1,
            None,
            4,
            0x8000_0000_0000_0000,
            start,
            Self::named(&[
                ("BackupTemplateID", template.clone()),
                ("SystemStateBackup", "false".into()),
            ]),
        );
        let finished = |id: u16| {
            self.event(
                Log::Backup,
                windows::backup(),
                id,
                None,
                4,
                0x8000_0000_0000_0000,
                end,
                Self::named(&[
                    ("BackupTemplateID", template.clone()),
                    ("HRESULT", "0x0".into()),
                    ("BackupState", "0x0".into()),
                    ("BackupTime", start.strftime("%Y-%m-%dT%H:%M:%S%.7fZ").to_string()),
                    ("BackupTarget", target.to_string()),
                ]),
            )
        };
        vec![started, finished(4), finished(14)]
    }

    /// Backup operational 3 (LOCAL_CATALOG_FAILURE_EVENT, TechNet cc734307): the catalog on
    /// the backup disk is corrupt. The message has one insertion (%1, the disk); its field
    /// name is not documented, so it follows the other Backup events' `BackupTarget`.
    pub fn backup_catalog_corrupt(&self, time: Timestamp, target: &str) -> LogEvent {
        self.event(
            Log::Backup,
            windows::backup(),
            3,
            None,
            2,
            0x8000_0000_0000_0000,
            time,
            Self::named(&[("BackupTarget", target.to_string())]),
        )
    }

    /// CAPI2 513: Cryptographic Services failed in the System Writer's OnIdentity (KB2009272's
    /// "AddCoreCsiFiles : BeginFileEnumeration() failed ... Access is denied").
    pub fn system_writer_denied(&self, time: Timestamp) -> LogEvent {
        self.event(
            Log::Application,
            windows::capi2(),
            513,
            Some(0),
            2,
            0x8080_0000_0000_0000,
            time,
            Self::unnamed(
                &["Details: AddCoreCsiFiles : BeginFileEnumeration() failed. System Error: Access is denied."],
                None,
            ),
        )
    }

    /// Backup operational 5 (failed with an HRESULT) and Application 517 (same, for the UI).
    pub fn backup_failed(
        &self,
        start: Timestamp,
        end: Timestamp,
        code: &str,
        message: &str,
        target: &str,
    ) -> Vec<LogEvent> {
        let backup_time = start.strftime("%Y-%m-%dT%H:%M:%S%.7fZ").to_string();
        let operational = self.event(
            Log::Backup,
            windows::backup(),
            5,
            None,
            2,
            0x8000_0000_0000_0000,
            end,
            Self::named(&[
                ("BackupTemplateID", "{d3dfba0a-55b5-4a27-8c82-55b3a3b1c2d6}".into()),
                ("HRESULT", code.to_string()),
                ("ErrorMessage", message.to_string()),
                ("BackupTime", backup_time.clone()),
                ("BackupTarget", target.to_string()),
            ]),
        );
        let application = self.event(
            Log::Application,
            windows::backup(),
            517,
            None,
            2,
            0x8000_0000_0000_0000,
            end,
            Self::named(&[
                ("BackupTime", backup_time),
                ("ErrorCode", code.to_string()),
                ("ErrorMessage", message.to_string()),
            ]),
        );
        vec![operational, application]
    }

    /// An error event of `provider` with unnamed `data`, in the log that provider writes to
    /// (Microsoft-Windows-Backup: its operational log below id 500, Application from 500 on, as
    /// BlbEvents.dll numbers them); `None` for a provider the forge does not know.
    pub fn error_event(&self, time: Timestamp, provider: &str, id: u16, data: &[String]) -> Option<LogEvent> {
        let (log, provider, qualifiers, keywords) = match provider {
            "Microsoft-Windows-Backup" if id < 500 => (Log::Backup, windows::backup(), None, 0x8000_0000_0000_0000),
            "Microsoft-Windows-Backup" => (Log::Application, windows::backup(), None, 0x8000_0000_0000_0000),
            "volsnap" => (Log::System, windows::volsnap(), Some(49158), CLASSIC_KEYWORDS),
            "VSS" => (Log::Application, windows::vss(), Some(0), CLASSIC_KEYWORDS),
            "Microsoft-Windows-CAPI2" => (Log::Application, windows::capi2(), Some(0), CLASSIC_KEYWORDS),
            _ => return None,
        };
        let strings: Vec<&str> = data.iter().map(String::as_str).collect();
        Some(self.event(
            log,
            provider,
            id,
            qualifiers,
            2,
            keywords,
            time,
            Self::unnamed(&strings, None),
        ))
    }

    /// disk 7: a bad block on `\Device\HarddiskN\DRN`.
    pub fn bad_block(&self, time: Timestamp, disk: u32) -> LogEvent {
        let device = format!("\\Device\\Harddisk{disk}\\DR{disk}");
        self.event(
            Log::System,
            windows::disk(),
            7,
            Some(49156),
            2,
            CLASSIC_KEYWORDS,
            time,
            Self::unnamed(&[&device], None),
        )
    }

    /// disk 157: "Disk N has been surprise removed." The data layout is inferred (device name,
    /// then the number the message shows), like the other classpnp disk events.
    pub fn disk_surprise_removed(&self, time: Timestamp, disk: u32) -> LogEvent {
        let device = format!("\\Device\\Harddisk{disk}\\DR{disk}");
        self.event(
            Log::System,
            windows::disk(),
            157,
            Some(32772),
            3,
            CLASSIC_KEYWORDS,
            time,
            Self::unnamed(&[&device, &disk.to_string()], None),
        )
    }

    /// disk 153: an I/O was retried at an LBA.
    pub fn io_retried(&self, time: Timestamp, disk: u32, lba: u64) -> LogEvent {
        let data = Self::unnamed(
            &[
                &format!("\\Device\\Harddisk{disk}\\DR{disk}"),
                &format!("{lba:#x}"),
                &disk.to_string(),
                "\\Device\\00000024",
            ],
            None,
        );
        self.event(
            Log::System,
            windows::disk(),
            153,
            Some(32772),
            3,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }

    /// A malware detection (1116) and, when removed, the action taken (1117): Microsoft
    /// Security Essentials in the System log on Windows 7 (42 unnamed Data in the order of
    /// Defender's field names), Defender's own log later (named fields). Event catalogue §6.
    pub fn malware(&self, time: Timestamp, threat: &str, path: &str, outcome: MalwareOutcome) -> Vec<LogEvent> {
        let ids: &[u16] = match outcome {
            MalwareOutcome::Detected => &[1116],
            MalwareOutcome::Removed => &[1116, 1117],
            MalwareOutcome::RemovalFailed => &[1116, 1118],
        };
        ids.iter()
            .map(|id| {
                let values = malware_values(self.os.is_modern(), time, threat, path, *id);
                let level = match *id {
                    1116 | 1118 => 3,
                    _ => 4,
                };
                if self.os.is_modern() {
                    let data = EventData::named(MALWARE_FIELDS.iter().copied().zip(values));
                    self.event(
                        Log::Defender,
                        windows::defender(),
                        *id,
                        None,
                        level,
                        0x8000_0000_0000_0000,
                        time,
                        data,
                    )
                } else {
                    let data = EventData::unnamed(values);
                    self.event(
                        Log::System,
                        windows::antimalware(),
                        *id,
                        Some(0),
                        level,
                        CLASSIC_KEYWORDS,
                        time,
                        data,
                    )
                }
            })
            .collect()
    }

    /// SPP 1040 (hardware changed since the previous boot), 8198 (activation failed), 1016
    /// (product key installed again) and 1003 (licensing status): a re-activation.
    pub fn reactivation(&self, time: Timestamp) -> Vec<LogEvent> {
        let app_id = "55c92734-d682-4d71-983e-d6ec3f16059f";
        let sku = "b92e9980-b9d5-4821-9c94-140f632f6312";
        vec![
            self.event(Log::Application, windows::spp(), 1040, Some(16384), 4, CLASSIC_KEYWORDS, time, Self::unnamed(&[app_id, sku], None)),
            self.event(Log::Application, windows::spp(), 8198, Some(49152), 2, CLASSIC_KEYWORDS, time, Self::unnamed(&["hr=0xC004F074"], None)),
            self.event(Log::Application, windows::spp(), 1016, Some(16384), 4, CLASSIC_KEYWORDS, time, Self::unnamed(&[sku, "3f4c5d6e-7a8b-49c0-91d2-e3f405162738"], None)),
            self.event(
                Log::Application,
                windows::spp(),
                1003,
                Some(16384),
                4,
                CLASSIC_KEYWORDS,
                time,
                Self::unnamed(&[app_id, &format!(" 1: {sku}, 1, 1 [(0 [0x00000000, 1, 0], [( 1 0x00000000)(?)( 2 0x00000000 0 0 msft:rm/algorithm/hwid/4.0 0x00000000 0)(?)(?)( 10 0x00000000 msft:rm/algorithm/flags/1.0)(?)])(1 )(2 )]")], None),
            ),
        ]
    }

    /// Wininit 1001: the boot-time chkdsk report (English in every UI language).
    pub fn chkdsk_report(&self, time: Timestamp, fixed: bool) -> LogEvent {
        let verdict = if fixed {
            "Windows replaced bad clusters in file 81152\r\nof name \\Windows\\System32\\vssapi.dll.\r\nWindows has made corrections to the file system.\r\nNo further action is required."
        } else {
            "Windows has scanned the file system and found no problems.\r\nNo further action is required."
        };
        let report = format!("\r\n\r\nChecking file system on C:\r\nThe type of the file system is NTFS.\r\n\r\nA disk check has been scheduled.\r\nWindows will now check the disk.\r\n\r\nCHKDSK is verifying files (stage 1 of 5)...\r\nCHKDSK is verifying free space (stage 4 of 5)...\r\n{verdict}\r\n");
        self.event(
            Log::Application,
            windows::wininit(),
            1001,
            Some(16384),
            4,
            CLASSIC_KEYWORDS,
            time,
            Self::unnamed(&[&report], None),
        )
    }

    /// MsiInstaller 1038: an installation waits for a restart. Layout as in the corpus
    /// (DeepBlueCLI many-events-application.evtx): product, version, language, two restart
    /// codes, manufacturer.
    pub fn restart_pending(&self, time: Timestamp, product: &str) -> LogEvent {
        let data = Self::unnamed(&[product, "12.0.1120", "1041", "1", "2", "Security Vendor"], None);
        self.event(
            Log::Application,
            windows::msi_installer(),
            1038,
            Some(0),
            4,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }

    /// WindowsUpdateClient 19: an update installed.
    pub fn update_installed(&self, time: Timestamp, title: &str) -> LogEvent {
        let data = Self::named(&[
            ("updateTitle", title.to_string()),
            ("updateGuid", "{0b9f7a1c-6c5d-4e3f-8a2b-1c0d9e8f7a6b}".into()),
            ("updateRevisionNumber", "200".into()),
        ]);
        self.event(
            Log::System,
            windows::windows_update(),
            19,
            None,
            4,
            0x8000_0000_0000_0018,
            time,
            data,
        )
    }

    /// System Restore 8194: a restore point was created.
    pub fn restore_point(&self, time: Timestamp, description: &str) -> LogEvent {
        let data = Self::unnamed(&["C:\\Windows\\system32\\svchost.exe -k netsvcs", description], None);
        self.event(
            Log::Application,
            windows::system_restore(),
            8194,
            Some(0),
            4,
            CLASSIC_KEYWORDS,
            time,
            data,
        )
    }
}

/// UTF-16LE bytes (Binary payloads).
fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Defender's 1116/1117 field names, in order (event catalogue §6, verified).
const MALWARE_FIELDS: [&str; 42] = [
    "Product Name",
    "Product Version",
    "Detection ID",
    "Detection Time",
    "Unused",
    "Unused2",
    "Threat ID",
    "Threat Name",
    "Severity ID",
    "Severity Name",
    "Category ID",
    "Category Name",
    "FWLink",
    "Status Code",
    "Status Description",
    "State",
    "Source ID",
    "Source Name",
    "Process Name",
    "Detection User",
    "Unused3",
    "Path",
    "Origin ID",
    "Origin Name",
    "Execution ID",
    "Execution Name",
    "Type ID",
    "Type Name",
    "Pre Execution Status",
    "Action ID",
    "Action Name",
    "Unused4",
    "Error Code",
    "Error Description",
    "Unused5",
    "Post Clean Status",
    "Additional Actions ID",
    "Additional Actions String",
    "Remediation User",
    "Unused6",
    "Security intelligence Version",
    "Engine Version",
];

/// What the antimalware product did about a threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalwareOutcome {
    /// Detected only (1116).
    Detected,
    /// Detected and removed (1116, 1117).
    Removed,
    /// Detected, and the removal failed (1116, 1118).
    RemovalFailed,
}

/// The 42 values of a 1116/1117/1118 event (event catalogue §6); 1118 reports the failed
/// action's error.
fn malware_values(modern: bool, time: Timestamp, threat: &str, path: &str, id: u16) -> Vec<String> {
    let removed = id == 1117;
    let failed = id == 1118;
    let product = if modern {
        "Microsoft Defender Antivirus"
    } else {
        "%%860"
    };
    let action = if removed || failed {
        "Quarantine"
    } else {
        "Not Applicable"
    };
    let mut values = vec![String::new(); 42];
    values[0] = product.into();
    values[1] = if modern {
        "4.18.24030.9".into()
    } else {
        "4.1.522.0".into()
    };
    values[2] = "{7f3c1a2b-9d4e-4f6a-8b1c-2d3e4f5a6b7c}".into();
    values[3] = time.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    values[6] = "2147593562".into();
    values[7] = threat.into();
    values[8] = "5".into();
    values[9] = "Severe".into();
    values[10] = "8".into();
    values[11] = "Trojan".into();
    values[13] = if removed { "3".into() } else { "1".into() };
    values[21] = format!("file:_{path}");
    values[30] = action.into();
    if failed {
        values[32] = "0x80070005".into();
        values[33] = "Access is denied. ".into();
    } else {
        values[32] = "0x00000000".into();
        values[33] = "The operation completed successfully. ".into();
    }
    values[40] = "AV: 1.135.1403.0, AS: 1.135.1403.0, NIS: 0.0.0.0".into();
    values[41] = "AM: 1.1.8904.0, NIS: 0.0.0.0".into();
    values
}
