//! The backup's own virtual disk. Windows Backup writes a system image into a VHD(X) under
//! `WindowsImageBackup` on the target and mounts it while it writes (VHDMP 1 "The VHD .. has come
//! online (surfaced) as disk number N", 2 "removed (unsurfaced)"). Disk retries (153) against
//! that disk while it is mounted come from the mount, not from a failing disk (Microsoft Japan
//! support blog askcorejp, Disk 153/157 during Windows Server Backup; docs/research/causes.md,
//! harmless look-alikes). Without the VHDMP log the disk cannot be told apart, and nothing changes.

use jiff::{SignedDuration, Timestamp};

use crate::model::Event;

use super::codes::disk_number;
use super::{Signal, SignalKind};

/// Why a disk retry on the backup's VHD is harmless.
pub const REASON: &str = "disk 153 (I/O retried) or 157 (surprise removed) on the backup's own VHD while Windows Backup had it mounted (VHDMP 1/2): the mount's retries, not a failing disk (Microsoft Japan support blog askcorejp on Disk 153/157 during Windows Server Backup)";

/// How long a mount is taken to last when its unmount was not logged.
const OPEN_MOUNT: SignedDuration = SignedDuration::from_hours(12);

/// A backup VHD mounted as a disk number from one time to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mount {
    disk: u32,
    from: Timestamp,
    until: Option<Timestamp>,
}

/// Marks the disk retries that fall on a mounted backup VHD as harmless.
pub fn mark_backup_vhd_retries(events: &[Event], signals: &mut [Signal]) {
    let mounts = backup_mounts(events);
    if mounts.is_empty() {
        return;
    }
    for signal in signals.iter_mut() {
        let disk = match &signal.kind {
            SignalKind::DiskError { id: 153, device } => disk_number(device),
            SignalKind::DiskRemoved { disk } => *disk,
            _ => None,
        };
        let (Some(disk), Some(time)) = (disk, signal.time) else {
            continue;
        };
        if mounts.iter().any(|m| m.disk == disk && m.covers(time)) {
            signal.kind = SignalKind::Harmless { reason: REASON };
        }
    }
}

impl Mount {
    fn covers(&self, time: Timestamp) -> bool {
        let slack = SignedDuration::from_mins(1);
        let start = self.from.saturating_sub(slack).unwrap_or(self.from);
        let end = self
            .until
            .unwrap_or_else(|| self.from.saturating_add(OPEN_MOUNT).unwrap_or(self.from));
        time >= start && time <= end.saturating_add(slack).unwrap_or(end)
    }
}

/// A VHDMP event: a virtual disk mounted or unmounted.
pub fn is_mount_event(event: &Event) -> bool {
    event.provider.eq_ignore_ascii_case("Microsoft-Windows-VHDMP")
}

/// The mounts of VHDs under `WindowsImageBackup`, from VHDMP 1 and 2.
fn backup_mounts(events: &[Event]) -> Vec<Mount> {
    use rayon::prelude::*;
    let mut mounts: Vec<Mount> = Vec::new();
    // Found on every core (a big log's hundred thousand events hold none), then paired in order.
    let mount_events: Vec<&Event> = events.par_iter().filter(|e| is_mount_event(e)).collect();
    for event in mount_events {
        let (Some(time), Some(disk)) = (
            event.time.utc(),
            event.field("VhdDiskNumber").and_then(|n| n.trim().parse().ok()),
        ) else {
            continue;
        };
        let backup = event
            .field("VhdFileName")
            .is_some_and(|f| f.to_ascii_lowercase().contains("windowsimagebackup"));
        match event.event_id {
            Some(1) if backup => mounts.push(Mount {
                disk,
                from: time,
                until: None,
            }),
            Some(2) => {
                if let Some(open) = mounts.iter_mut().rev().find(|m| m.disk == disk && m.until.is_none()) {
                    open.until = Some(time);
                }
            }
            _ => {}
        }
    }
    mounts
}
