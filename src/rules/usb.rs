//! USB001 usb-connection.

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::repair::{step, CHKDSK_CAUTION};
use super::score::codes_for;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

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
        bi(
            "a disk was surprise removed (disk 157): it dropped off its bus",
            "ディスクが突然取り外された (disk 157): バスから消えた",
        ),
        &removals,
    );
    if removals.is_empty() {
        s.missing(
            0.1,
            bi(
                "a disk surprise removal (disk 157, Windows 8 and later)",
                "ディスクの突然の取り外し (disk 157、Windows 8 以降)",
            ),
        );
    }
    if gone {
        s.add(
            0.15,
            bi(
                "backups failed because their device was gone or not ready",
                "デバイスが存在しない、または準備ができていないためにバックアップが失敗した",
            ),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::UsbConnection), since, None);
    Some(s)
}

/// USB001: registered in `RULES`.
pub const USB001: Rule = Rule {
    code: "USB001",
    cause: Cause::UsbConnection,
    title: "The backup disk drops off its USB connection",
    explanation: Explanation {
        detects: "disk 157 (\"Disk N has been surprise removed\", Windows 8 and later: a disk Windows treats as fixed, such as a USB hard disk, vanished from its bus) and backup failures with the device gone or not ready (0x8007048F, 0x80070015, 0x80070037) after it.",
        why: "a run that loses its target mid-way fails and can leave a damaged backup set; the disk itself may be fine.",
        check: "the cable, hub and port (front ports and unpowered hubs often cannot power a 2.5\" disk), the enclosure's power supply, USB selective suspend and the disk's own health. Disk 157 on the backup's own VHD while it is mounted is harmless and not counted.",
    },
    references: &[
        "Microsoft NTDebugging blog: Event ID 157 \"Disk # has been surprise removed\" (https://blogs.msdn.microsoft.com/ntdebugging/2013/12/27/event-id-157-disk-has-been-surprise-removed/)",
        "Microsoft Learn: System Error Codes 0-499 (ERROR_NOT_READY 21, ERROR_DEV_NOT_EXIST 55) and 1000-1299 (ERROR_DEVICE_NOT_CONNECTED 1167) (https://learn.microsoft.com/windows/win32/debug/system-error-codes)",
    ],
    repair: &[
        step("Connect the backup disk directly to a rear USB port of the PC (no hub), with its own power supply if it has one, and try another cable", None, false, Risk::Low, None),
        step("Turn off USB selective suspend for the active power plan", Some("powercfg /SETACVALUEINDEX SCHEME_CURRENT 2a737441-1930-4402-8d77-b2bebba308a3 48e6b7a6-50f5-4782-a5d4-53bb8f07e226 0 & powercfg /SETACTIVE SCHEME_CURRENT"), true, Risk::Low, None),
        step("Check the disk's file system (read-only) and its health before trusting it again", Some("chkdsk X: /scan"), true, Risk::Low, Some(CHKDSK_CAUTION)),
    ],
    needs: &[LogKind::System, LogKind::Backup],
    check: usb_connection,
};

#[cfg(test)]
mod tests {
    use super::USB001;
    use crate::rules::testing::{confidence, CaseBuilder};

    #[test]
    fn a_disk_that_dropped_off_and_failures_with_the_device_gone() {
        let removed = CaseBuilder::new().event(
            "2024-03-01T20:10:00Z",
            "disk",
            157,
            &[("%1", "\\Device\\Harddisk2\\DR2"), ("%2", "2")],
        );
        let both = confidence(&USB001, &removed.failure("2024-03-01T20:11:00Z", "0x8007048F").build());
        assert!(both >= 0.5, "{both}");
        let code_only = confidence(
            &USB001,
            &CaseBuilder::new().failure("2024-03-01T20:11:00Z", "0x8007048F").build(),
        );
        assert!(code_only > 0.0 && code_only < both, "{code_only} < {both}");
        assert_eq!(
            confidence(
                &USB001,
                &CaseBuilder::new().failure("2024-03-01T20:11:00Z", "0x80070070").build()
            ),
            0.0
        );
    }
}
