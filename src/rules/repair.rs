//! Repair steps and the cautions several rules share.

use super::{RepairStep, Risk};

/// A repair step (const, for the rule tables).
pub const fn step(
    action: &'static str,
    command: Option<&'static str>,
    admin: bool,
    risk: Risk,
    caution: Option<&'static str>,
) -> RepairStep {
    RepairStep {
        action,
        command,
        admin,
        risk,
        caution,
    }
}

/// chkdsk /r on an SSD: once, after a backup.
pub const CHKDSK_CAUTION: &str = "chkdsk /r reads every sector and rewrites bad ones; on an SSD each repeated run spends spare blocks and shortens its life: run it once, back up first, and replace a disk that keeps growing bad sectors";
/// DISM offline or behind WSUS needs a matching source.
pub const RESTOREHEALTH_CAUTION: &str = "offline or behind WSUS, give a matching source: /Source:wim:X:\\sources\\install.wim:N /LimitAccess from media of the same build, edition and language";
