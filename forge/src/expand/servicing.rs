//! The CBS.log, dism.log and setupact.log lines of servicing sessions, SFC and DISM runs and
//! Windows Setup, in the shapes of `windows-knowledge.md` sections 1 and 2 (real lines from
//! Windows 7 to 11 logs).

use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};

use crate::scenario::{DismResult, Firmware, Os, SfcResult};
use crate::text::servicing::{csi_stamp, universal_time, ServicingLine, ServicingLog};

/// A run of lines starting at one local time; each line can be a few seconds later.
#[derive(Debug)]
pub struct Lines {
    log: ServicingLog,
    local: DateTime,
    utc: Timestamp,
    csi: u32,
    /// The lines so far.
    pub lines: Vec<ServicingLine>,
}

impl Lines {
    /// Lines of `log` starting at `local` (= `utc`).
    pub fn new(log: ServicingLog, local: DateTime, utc: Timestamp) -> Lines {
        Lines {
            log,
            local,
            utc,
            csi: 0,
            lines: Vec::new(),
        }
    }

    /// Moves the clock on.
    pub fn wait(&mut self, seconds: i64) {
        let step = SignedDuration::from_secs(seconds);
        self.local = self.local.checked_add(step).unwrap_or(self.local);
        self.utc = self.utc.checked_add(step).unwrap_or(self.utc);
    }

    /// Adds a line.
    pub fn line(&mut self, level: &'static str, source: &'static str, message: impl Into<String>) {
        self.lines.push(ServicingLine {
            log: self.log,
            local: self.local,
            level,
            source,
            message: message.into(),
        });
    }

    /// Adds a CSI line with the next counter (and the UTC stamp when `stamped`).
    pub fn csi(&mut self, level: &'static str, stamped: bool, message: &str) {
        self.csi += 1;
        let counter = if stamped {
            csi_stamp(self.csi, self.utc)
        } else {
            format!("{:08x}", self.csi)
        };
        self.line(level, "CSI", format!("{counter} {message}"));
    }

    /// Adds a line to `log` (a run that writes to two logs, as DISM does).
    pub fn other(&mut self, log: ServicingLog, level: &'static str, source: &'static str, message: impl Into<String>) {
        self.lines.push(ServicingLine {
            log,
            local: self.local,
            level,
            source,
            message: message.into(),
        });
    }

    /// The current UTC time.
    pub fn utc(&self) -> Timestamp {
        self.utc
    }
}

fn stack_version(os: Os) -> &'static str {
    match os {
        Os::Windows7 => "6.1.7601.17514",
        Os::Windows10 => "10.0.19041.3570",
        Os::Windows11 => "10.0.22621.3527",
    }
}

/// A TrustedInstaller session: start-up, the UTC anchor, the session line of `client`, and
/// the harmless `CBS_E_INVALID_PACKAGE` applicability lines Windows Update leaves.
pub fn session(lines: &mut Lines, os: Os, client: &str, noise_lines: usize) {
    lines.line("Info", "CBS", "TI: --- Initializing Trusted Installer ---");
    lines.line("Info", "CBS", "Starting TrustedInstaller initialization.");
    lines.line("Info", "CBS", "Ending TrustedInstaller initialization.");
    lines.line("Info", "CBS", "Starting the TrustedInstaller main loop.");
    lines.line("Info", "CBS", "TrustedInstaller service starts successfully.");
    lines.line("Info", "CBS", universal_time(lines.utc()));
    lines.line("Info", "CBS", format!("Loaded Servicing Stack v{} with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_{}_none_0ee2d3bb2c1b6b5e\\cbscore.dll", stack_version(os), stack_version(os)));
    lines.csi(
        "Info",
        true,
        &format!(
            "WcpInitialize: wcp.dll version {} (WinBuild.160101.0800)",
            stack_version(os)
        ),
    );
    let session = format!(
        "{}_{}",
        30_000_000 + lines.utc().as_second() % 1_000_000,
        1_000_000_000 + lines.utc().subsec_millisecond() as i64 * 1_000_000
    );
    let suffix = if os.is_modern() {
        ", external staging directory: (null), external registry directory: (null)"
    } else {
        ""
    };
    lines.line(
        "Info",
        "CBS",
        format!("Session: {session} initialized by client {client}{suffix}."),
    );
    for i in 0..noise_lines {
        lines.wait(i64::from(i % 3 == 0));
        lines.line(
            "Info",
            "CBS",
            "Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]",
        );
        lines.line("Info", "CBS", "Read out cached package applicability for package: Package_for_KB2999226~31bf3856ad364e35~amd64~~6.1.1.1, ApplicableState: 112, CurrentState:112");
    }
}

/// One corrupt file: name, owning component, version.
const CORRUPT: (&str, &str) = ("vssapi.dll", "Microsoft-Windows-VssApi");

fn member(os: Os, name: &str) -> String {
    let n = name.encode_utf16().count();
    if os.is_modern() {
        format!("[l:{n}]'{name}'")
    } else {
        format!("[l:{}{{{n}}}]\"{name}\"", 2 * n)
    }
}

/// An `sfc /scannow` run in CBS.log with the outcome asked for.
pub fn sfc(lines: &mut Lines, os: Os, result: SfcResult) {
    let (file, component) = CORRUPT;
    let version = stack_version(os);
    lines.csi("Info", false, "[SR] Verifying 100 components");
    lines.csi("Info", false, "[SR] Beginning Verify and Repair transaction");
    lines.wait(4);
    if result != SfcResult::Clean {
        lines.csi("Info", false, &format!("Hashes for file member {} do not match.\r\n Expected: {{l:32 ml:33 b:5d1c8e2f0a9b7c6d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d}}.\r\n Actual: {{l:32 b:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0}}.", member(os, file)));
    }
    match result {
        SfcResult::Clean => {}
        SfcResult::CannotRepair => {
            lines.csi("Info", false, &format!("[SR] Cannot repair member file {} of {component}, version {version}, arch amd64, nonSxS, pkt {{l:8 b:31bf3856ad364e35}} in the store, hash mismatch", member(os, file)));
            lines.csi("Info", false, &format!("[SR] Could not reproject corrupted file \\??\\C:\\Windows\\System32\\\\{file}; source file in store is also corrupted"));
        }
        SfcResult::Repaired | SfcResult::RebootRequired => {
            lines.csi(
                "Info",
                false,
                &format!("[SR] Repairing file \\??\\C:\\Windows\\System32\\\\{file} from store"),
            );
        }
    }
    lines.wait(6);
    lines.csi("Info", false, "[SR] Verify complete");
    match result {
        SfcResult::Repaired => {
            lines.csi("Info", false, "[SR] Repairing 1 components");
            lines.csi("Info", false, "[SR] Beginning Verify and Repair transaction");
            lines.csi("Info", false, "[SR] Repair complete");
            lines.csi("Info", false, "[SR] Committing transaction");
            lines.csi("Info", false, "[SR] Verify and Repair Transaction completed. All files and registry keys listed in this transaction  have been successfully repaired");
        }
        SfcResult::RebootRequired => {
            lines.csi("Info", false, "[SR] Repairing 1 components");
            lines.csi("Info", false, "[SR] Unable to complete Verify and Repair transaction because some of the files that need to be repaired are in use. A reboot is required to complete this operation.");
        }
        SfcResult::Clean | SfcResult::CannotRepair => {}
    }
}

/// A `DISM /Online /Cleanup-Image /RestoreHealth` run: dism.log session and the CheckSur
/// summary in CBS.log.
pub fn restore_health(lines: &mut Lines, os: Os, result: DismResult) {
    let (major, minor, build) = os.version();
    let dism = ServicingLog::Dism;
    lines.other(
        dism,
        "Info",
        "DISM",
        "DISM.EXE: <----- Starting Dism.exe session ----->",
    );
    lines.other(dism, "Info", "DISM", format!("DISM.EXE: Host machine information: OS Version={major}.{minor}.{build}, Running architecture=amd64, Number of processors=8"));
    lines.other(
        dism,
        "Info",
        "DISM",
        "DISM.EXE: Executing command line: dism  /online /cleanup-image /restorehealth",
    );
    lines.other(
        dism,
        "Info",
        "DISM",
        "DISM Manager: PID=7312 TID=6620 physical location path: C:\\ - CDISMManager::CreateImageSession",
    );
    lines.wait(20);
    let (detected, repaired, code) = match result {
        DismResult::Clean => (0, 0, "0x0"),
        DismResult::Repaired => (1, 1, "0x0"),
        DismResult::SourceMissing => (1, 0, "0x800f081f"),
        DismResult::RebootPending => (0, 0, "0x80070bc9"),
    };
    if result == DismResult::RebootPending {
        lines.line("Error", "CBS", "Failed to create CSI transaction with id: StoreCorruptionRepair. A pending repair transaction already exists, reboot is required [HRESULT = 0x80070bc9 - ERROR_FAIL_REBOOT_REQUIRED]");
    }
    lines.line("Info", "CBS", "=================================");
    lines.line("Info", "CBS", "Checking System Update Readiness.");
    if detected > 0 {
        lines.line("Info", "CBS", format!("(p)\tCSI Payload Corrupt\t{}\t\t\tamd64_microsoft-windows-vssapi_31bf3856ad364e35_{}_none_4b2d6e1f0c9a8b7d\\vssapi.dll", if repaired > 0 { "(Fixed)" } else { "(n)" }, stack_version(os)));
    }
    for line in [
        "Summary:".to_string(),
        "Operation: Detect and Repair ".to_string(),
        format!("Operation result: {code}"),
        "Last Successful Step: Entire operation completes.".to_string(),
        format!("Total Detected Corruption:\t{detected}"),
        "\tCBS Manifest Corruption:\t0".to_string(),
        "\tCBS Metadata Corruption:\t0".to_string(),
        "\tCSI Manifest Corruption:\t0".to_string(),
        "\tCSI Metadata Corruption:\t0".to_string(),
        format!("\tCSI Payload Corruption:\t{detected}"),
        format!("Total Repaired Corruption:\t{repaired}"),
        format!("\tCSI Payload Repaired:\t{repaired}"),
        "Total Operation Time: 148 seconds.".to_string(),
    ] {
        lines.line("Info", "CBS", line);
    }
    let status = match result {
        DismResult::SourceMissing => "0x800f081f [CBS_E_SOURCE_MISSING]",
        DismResult::RebootPending => "0x80070bc9 [ERROR_FAIL_REBOOT_REQUIRED]",
        _ => "0x0 [S_OK]",
    };
    lines.line(
        "Info",
        "CBS",
        format!("CheckSur: hrStatus: {status}, download results: <none>"),
    );
    if result == DismResult::SourceMissing {
        lines.other(dism, "Info", "DISM", "DISM Package Manager: PID=7312 TID=6620  Error in operation: source for package or file not found, ResolveSource() unsuccessful. (CBS HRESULT=0x800f081f) - CCbsConUIHandler::Error");
        lines.other(dism, "Error", "DISM", "DISM Package Manager: PID=7312 TID=6620 Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)");
    }
    let reboot = if result == DismResult::RebootPending {
        "yes"
    } else {
        "no"
    };
    lines.other(
        dism,
        "Info",
        "DISM",
        format!("DISM.EXE: Image session has been closed. Reboot required={reboot}."),
    );
    lines.other(dism, "Info", "DISM", "DISM.EXE: <----- Ending Dism.exe session ----->");
}

/// Windows Setup in setupact.log (WinPE, with message ids), reporting the firmware type.
pub fn setup(lines: &mut Lines, firmware: Firmware) {
    let code = match firmware {
        Firmware::Bios => 1,
        Firmware::Uefi => 2,
    };
    lines.line(
        "Info",
        "IBS",
        "InstallWindows:Successfully loaded resource language [ja-jp]",
    );
    lines.line(
        "Info       [0x0601c1]",
        "IBS",
        "InstallWindows:Install Path = X:\\Sources",
    );
    lines.line("Info       [0x0601c2]", "IBS", "InstallWindows:Setup Phase = 2");
    lines.line(
        "Info",
        "IBS",
        format!("Callback_BootEnvironmentDetect:FirmwareType {code}."),
    );
}
