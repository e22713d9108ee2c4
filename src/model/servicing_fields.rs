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
}
