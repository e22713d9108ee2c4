//! Closed sets that travel from the readers to the signals as types, not words: the firmware
//! boot mode and what an `sfc` or `dism` run concluded.

use std::fmt;

use serde::Serialize;

/// How the machine boots (or booted when Windows was installed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FirmwareMode {
    /// Legacy BIOS (msinfo32 "Legacy", Panther `FirmwareType 1`, `winload.exe`).
    #[serde(rename = "BIOS")]
    Bios,
    /// UEFI (Panther `FirmwareType 2`, `winload.efi`, Kernel-Boot 30).
    #[serde(rename = "UEFI")]
    Uefi,
}

impl FirmwareMode {
    /// Reads `UEFI`, `BIOS` or `Legacy` (any case; msinfo32 says "Legacy" for BIOS).
    pub fn parse(text: &str) -> Option<FirmwareMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "uefi" => Some(FirmwareMode::Uefi),
            "bios" | "legacy" => Some(FirmwareMode::Bios),
            _ => None,
        }
    }

    /// `BIOS` or `UEFI`.
    pub fn as_str(self) -> &'static str {
        match self {
            FirmwareMode::Bios => "BIOS",
            FirmwareMode::Uefi => "UEFI",
        }
    }
}

impl fmt::Display for FirmwareMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a saved `sfc /scannow` or `dism /RestoreHealth` run concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No integrity violation, no component store corruption.
    Clean,
    /// Found corruption and repaired it.
    Repaired,
    /// DISM /ScanHealth: the component store is corrupt and can be repaired.
    Repairable,
    /// Found corrupt files it could not repair.
    CannotRepair,
    /// Could not run at all.
    CouldNotRun,
    /// A repair waits for a reboot.
    RebootRequired,
    /// DISM found no repair source.
    SourceMissing,
    /// Failed with an error code and no words we know.
    Failed,
}

impl Verdict {
    /// The stable word used in output (`cannot-repair`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Repaired => "repaired",
            Verdict::Repairable => "repairable",
            Verdict::CannotRepair => "cannot-repair",
            Verdict::CouldNotRun => "could-not-run",
            Verdict::RebootRequired => "reboot-required",
            Verdict::SourceMissing => "source-missing",
            Verdict::Failed => "failed",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::FirmwareMode;

    #[test]
    fn firmware_modes_in_the_words_tools_print() {
        assert_eq!(FirmwareMode::parse("UEFI"), Some(FirmwareMode::Uefi));
        assert_eq!(FirmwareMode::parse("Legacy"), Some(FirmwareMode::Bios));
        assert_eq!(FirmwareMode::parse(" bios "), Some(FirmwareMode::Bios));
        assert_eq!(FirmwareMode::parse("unknown"), None);
    }
}
