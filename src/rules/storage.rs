//! DSK001 disk-io-error, DSK002 bad-sectors-source, DSK003 target-disk-full.

use crate::diagnose::Analysis;
use crate::signals::SignalKind;

use super::score::codes_for;
use super::{Assessment, Cause};

/// The disk driver reported I/O errors (7 bad block, 11 controller error, 51 paging error, 154
/// hardware failure; 153 retries weigh less) and backups failed with an I/O code.
pub fn disk_io_error(a: &Analysis<'_>) -> Option<Assessment> {
    let hard = a.select(|k| {
        matches!(
            k,
            SignalKind::DiskError {
                id: 7 | 11 | 51 | 154,
                ..
            }
        )
    });
    let retried = a.select(|k| matches!(k, SignalKind::DiskError { id: 153, .. }));
    let coded = !a.failures_pointing_to(Cause::DiskIoError, 0.3).is_empty();
    if hard.is_empty() && retried.is_empty() && !coded {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.4,
        format!("the disk driver reported {} I/O error(s)", hard.len()),
        &hard,
    );
    if !retried.is_empty() {
        s.support(
            0.1,
            format!("{} I/O operation(s) had to be retried", retried.len()),
            retried.iter().copied().take(2),
        );
    }
    if hard.is_empty() && retried.is_empty() {
        s.missing(0.1, "disk or Ntfs errors in the System log");
    }
    let since = s.first();
    s.explain(
        a,
        &codes_for(Cause::DiskIoError),
        since.map(|t| t.saturating_sub(jiff::SignedDuration::from_hours(2)).unwrap_or(t)),
        None,
    );
    let fixed = a.select(|k| matches!(k, SignalKind::Chkdsk { fixed: true }));
    if let Some(fix) = fixed.iter().filter_map(|f| f.time).max() {
        if let Some(success) = a.success_after(fix) {
            s.resolved(
                fix,
                format!(
                    "chkdsk made corrections (last on {}) and a backup succeeded on {}",
                    fix.strftime("%Y-%m-%d"),
                    success.strftime("%Y-%m-%d")
                ),
            );
        }
    }
    Some(s)
}

/// Bad blocks on the system disk (disk 7 on `Harddisk0`, Ntfs corruption, chkdsk replacing bad
/// clusters): the source of the image cannot be read.
pub fn bad_sectors_source(a: &Analysis<'_>) -> Option<Assessment> {
    let bad = a.select(|k| matches!(k, SignalKind::DiskError { id: 7, device } if device.contains("Harddisk0")));
    let ntfs = a.select(|k| matches!(k, SignalKind::FileSystemCorrupt { .. }));
    let chkdsk = a.select(|k| matches!(k, SignalKind::Chkdsk { fixed: true }));
    if bad.is_empty() && ntfs.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.35,
        "bad blocks on disk 0, the system disk the image is read from",
        &bad,
    );
    s.support_if(0.2, "the file system on a source volume reported corruption", &ntfs);
    s.support_if(0.2, "chkdsk later replaced bad clusters or made corrections", &chkdsk);
    let since = s.first();
    s.explain(a, &codes_for(Cause::BadSectorsSource), since, None);
    Some(s)
}

/// Windows Backup found the catalog of the backup set on the target corrupt (Backup 3): every
/// run to that target fails until the damaged set is moved away or another target is used
/// (seed story 001: deleting the old backup files cleared the warnings).
pub fn backup_catalog_corrupt(a: &Analysis<'_>) -> Option<Assessment> {
    let reports = a.select(|k| matches!(k, SignalKind::CatalogCorrupt { .. }));
    if reports.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.45,
        "Windows Backup found the backup catalog on the target disk corrupt",
        reports.iter().copied(),
    );
    let first = s.first();
    if s.explain(a, &[], first, None) == 0 {
        s.missing(0.1, "a backup failure after the catalog was found corrupt");
    }
    // A backup that succeeds after the last failure (a new set or another target) resolves it:
    // the one status rule in `score` sees to that.
    Some(s)
}

/// The backup disk drops off its bus (disk 157 surprise removal: a loose cable, a hub or port
/// without enough power, USB selective suspend) and the run fails with the device gone.
pub fn usb_connection(a: &Analysis<'_>) -> Option<Assessment> {
    let removals = a.select(|k| matches!(k, SignalKind::DiskRemoved { .. }));
    // A device gone or not ready (0x8007048F, 0x80070015, 0x80070037 in the code table).
    let gone = !a.failures_pointing_to(Cause::UsbConnection, 0.35).is_empty();
    if removals.is_empty() && !gone {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.3,
        "a disk was surprise removed (disk 157): it dropped off its bus",
        &removals,
    );
    if removals.is_empty() {
        s.missing(0.1, "a disk surprise removal (disk 157, Windows 8 and later)");
    }
    if gone {
        s.support(
            0.15,
            "backups failed because their device was gone or not ready",
            std::iter::empty(),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::UsbConnection), since, None);
    Some(s)
}

/// Backups failed for lack of space on the target (0x80070070 ERROR_DISK_FULL, Backup 50).
pub fn target_disk_full(a: &Analysis<'_>) -> Option<Assessment> {
    if a.failures_pointing_to(Cause::TargetDiskFull, 0.5).is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.3,
        "the backup reported that the target has no space left",
        std::iter::empty(),
    );
    s.explain(a, &codes_for(Cause::TargetDiskFull), None, None);
    Some(s)
}
