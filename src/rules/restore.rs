//! BOOT001 firmware-boot-mode-mismatch, BOOT002 broken-security-descriptors-after-restore.

use crate::diagnose::{milestones_of, Analysis, MilestoneKind};
use crate::signals::SignalKind;

use super::Assessment;

/// Windows was installed (Panther `FirmwareType`) in one boot mode and boots in the other now
/// (bcdedit `winload.efi`/`.exe`, msinfo32 BIOS Mode, Kernel-Boot 30).
pub fn firmware_boot_mode_mismatch(a: &Analysis<'_>) -> Option<Assessment> {
    let installed = a.select(|k| matches!(k, SignalKind::InstalledFirmware { .. }));
    let current = a.select(|k| matches!(k, SignalKind::CurrentFirmware { .. }));
    let (was, now) = (installed.last()?, current.last()?);
    let (SignalKind::InstalledFirmware { mode: was_mode }, SignalKind::CurrentFirmware { mode: now_mode }) =
        (&was.kind, &now.kind)
    else {
        return None;
    };
    if was_mode == now_mode {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.45,
        format!("Windows was installed in {was_mode} mode but boots in {now_mode} mode now"),
        [*was, *now],
    );
    if milestones_of(a).iter().any(|m| m.kind == MilestoneKind::ImageRestored) {
        s.support(
            0.15,
            "an image was restored on this machine (the logs jump back)",
            std::iter::empty(),
        );
    }
    let since = now.time;
    s.explain(a, &[], since, None);
    s.cap(0.8);
    Some(s)
}

/// An image restored onto a machine whose boot mode or activation changed since the image
/// was taken: services and files carry security descriptors that no longer fit (seed story
/// 001: services found disabled, system image creation failing until chkdsk and SFC).
pub fn broken_security_descriptors_after_restore(a: &Analysis<'_>) -> Option<Assessment> {
    let history = milestones_of(a);
    let mut s = Assessment::default();
    let restore = match history.iter().find(|m| m.kind == MilestoneKind::ImageRestored) {
        Some(restore) => {
            s.points_for_milestone(
                0.3,
                "a system image was restored (the logs jump back to the image's time)",
                restore,
            );
            restore
        }
        None => {
            // A build going back is a restore or a removed update: weaker evidence.
            let back = history.iter().find(|m| m.kind == MilestoneKind::BuildWentBack)?;
            s.points_for_milestone(0.2, back.summary.clone(), back);
            back
        }
    };
    let changed = history
        .iter()
        .filter(|m| matches!(m.kind, MilestoneKind::BootModeChanged | MilestoneKind::Reactivated));
    let mut any_change = false;
    for change in changed {
        any_change = true;
        s.points_for_milestone(0.15, format!("and then: {}", change.summary), change);
    }
    if !any_change {
        s.missing(0.15, "a boot-mode change or re-activation around the restore");
    }
    s.explain(a, &[], restore.at(), None);
    s.cap(0.85);
    Some(s)
}

impl Assessment {
    fn points_for_milestone(&mut self, weight: f64, reason: impl Into<String>, milestone: &crate::diagnose::Milestone) {
        let signals: Vec<crate::signals::Signal> = milestone
            .evidence
            .iter()
            .map(|e| crate::signals::Signal {
                kind: SignalKind::Boot,
                time: milestone.at(),
                evidence: e.clone(),
            })
            .collect();
        self.support(weight, reason, signals.iter());
    }
}
