//! The names of the values the servicing reader (CBS, DISM, Panther) extracts from a line, and
//! the words of its `[SR]` results: written by `parse::servicing`, read by `signals`, and shown
//! as they are in `timeline` JSON. One definition, so the two stages cannot drift apart.

/// The `[SR]` result of an SFC line (`cannot-repair`, `transaction-repaired`, ...).
pub const SR: &str = "sr";
/// The member file an `[SR]` line names.
pub const SR_FILE: &str = "sr_file";
/// The path an `[SR]` line names.
pub const SR_PATH: &str = "sr_path";
/// An HRESULT stated on the line (several on one line are repeated).
pub const HRESULT: &str = "hresult";
/// The symbolic name next to an HRESULT (`CBS_E_INVALID_PACKAGE`).
pub const HRESULT_NAME: &str = "hresult_name";
/// The `CheckSur: hrStatus` of a DISM summary.
pub const CHECKSUR_STATUS: &str = "checksur_status";
/// The DISM summary's "Total Detected Corruption".
pub const CHECKSUR_DETECTED: &str = "checksur_detected";
/// The DISM summary's "Total Repaired Corruption".
pub const CHECKSUR_REPAIRED: &str = "checksur_repaired";
/// `yes` or `no`, from dism.log's "Reboot required=".
pub const REBOOT_REQUIRED: &str = "reboot_required";
/// The firmware Windows Setup saw (`BIOS`, `UEFI`).
pub const FIRMWARE: &str = "firmware";

/// The names of the values a later stage reads (the signals, and the file an SFC signal
/// names): a line kept for the diagnosis or the clock keeps only these, `timeline` all.
pub const READ: &[&str] = &[
    SR,
    SR_FILE,
    SR_PATH,
    HRESULT,
    HRESULT_NAME,
    CHECKSUR_STATUS,
    CHECKSUR_DETECTED,
    CHECKSUR_REPAIRED,
    REBOOT_REQUIRED,
    FIRMWARE,
];

/// Whether `name` = `value` is a value a signal reads: an `[SR]` result of [`sr::READ`], a
/// failing HRESULT (severity bit set; `S_OK` and other success codes say nothing), a DISM
/// summary count, a reboot flag, a firmware type. `analyze` keeps a line as an event only when
/// it states one (or opens a servicing session, which the clock reads); every other line is
/// tallied. A test holds `signals` to it.
pub fn is_evidence(name: &str, value: &str) -> bool {
    match name {
        SR => sr::READ.contains(&value),
        HRESULT | CHECKSUR_STATUS => value
            .strip_prefix("0x")
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .is_some_and(|code| code & 0x8000_0000 != 0),
        CHECKSUR_DETECTED | CHECKSUR_REPAIRED | REBOOT_REQUIRED | FIRMWARE => true,
        _ => false,
    }
}

/// CBS.log: the Windows Modules Installer starts a servicing session (the reader lists the
/// session starts of a log for the clock, which pairs them with the System log's installer
/// starts).
pub const TRUSTED_INSTALLER_START: &str = "TI: --- Initializing Trusted Installer ---";
/// dism.log: a DISM session starts.
pub const DISM_SESSION_START: &str = "<----- Starting Dism.exe session ----->";

/// `[SR]` results the signals read.
pub mod sr {
    /// "Cannot repair member file".
    pub const CANNOT_REPAIR: &str = "cannot-repair";
    /// "Could not reproject corrupted file".
    pub const CANNOT_REPROJECT: &str = "cannot-reproject";
    /// "Unable to repair".
    pub const UNABLE_TO_REPAIR: &str = "unable-to-repair";
    /// "have been successfully repaired" (the transaction).
    pub const TRANSACTION_REPAIRED: &str = "transaction-repaired";
    /// "A reboot is required to complete this operation".
    pub const REBOOT_REQUIRED: &str = "reboot-required";

    /// The results a signal reads (the others, `hash-mismatch`, `verify-begin`, ..., only
    /// narrate the scan).
    pub const READ: &[&str] = &[
        CANNOT_REPAIR,
        CANNOT_REPROJECT,
        UNABLE_TO_REPAIR,
        TRANSACTION_REPAIRED,
        REBOOT_REQUIRED,
    ];
}

#[cfg(test)]
mod tests {
    use super::{is_evidence, sr, CHECKSUR_STATUS, FIRMWARE, HRESULT, SR};

    #[test]
    fn failures_and_read_results_are_evidence_successes_and_narration_are_not() {
        let cases = [
            (SR, sr::CANNOT_REPAIR, true),
            (SR, "hash-mismatch", false),
            (HRESULT, "0x800f081f", true),
            (HRESULT, "0x00000000", false),
            (HRESULT, "0x00000bc9", false),
            (CHECKSUR_STATUS, "0x80070bc9", true),
            (FIRMWARE, "UEFI", true),
            ("csi_counter", "000001c9", false),
        ];
        for (name, value, evidence) in cases {
            assert_eq!(is_evidence(name, value), evidence, "{name} = {value}");
        }
    }
}
