//! BOOT001 firmware-boot-mode-mismatch, BOOT002 broken-security-descriptors-after-restore.

use crate::history::{Analysis, LogKind, MilestoneKind};
use crate::signals::SignalKind;

use super::repair::{step, CHKDSK_CAUTION};
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

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
        bi(
            format!("Windows was installed in {was_mode} mode but boots in {now_mode} mode now"),
            format!("Windows は {was_mode} モードでインストールされたが、現在は {now_mode} モードで起動している"),
        ),
        [*was, *now],
    );
    if a.milestones.iter().any(|m| m.kind == MilestoneKind::ImageRestored) {
        s.add(
            0.15,
            bi(
                "an image was restored on this machine (the logs jump back)",
                "このコンピューターでイメージが復元された (ログの時刻が過去に戻っている)",
            ),
        );
    }
    let since = now.time;
    s.explain(a, &[], since, None);
    s.cap(0.8);
    Some(s)
}

/// BOOT001: registered in `RULES`.
pub const BOOT001: Rule = Rule {
    code: "BOOT001",
    cause: Cause::FirmwareBootModeMismatch,
    title: "Windows was installed in one firmware boot mode and now boots in the other",
    explanation: Explanation {
        detects: "Windows Setup's setupact.log (Callback_BootEnvironmentDetect:FirmwareType 1 = BIOS, 2 = UEFI) disagreeing with how the machine boots now (bcdedit winload.efi vs winload.exe, msinfo32 BIOS Mode, Kernel-Boot 30 boot metrics).",
        why: "a system switched between BIOS and UEFI after installation, or an image restored across such a switch, runs with a boot configuration and partition layout Windows Backup does not expect; system image creation and restores then fail.",
        check: "msinfo32 BIOS Mode, the disk's partition style (MBR/GPT), whether the firmware uses CSM, and which image was restored onto which layout.",
    },
    references: &[
        "Microsoft Learn: FIRMWARE_TYPE enumeration, winnt.h (https://learn.microsoft.com/windows/win32/api/winnt/ne-winnt-firmware_type)",
        "Microsoft Learn: BCD System Store Settings for UEFI (https://learn.microsoft.com/windows-hardware/manufacture/desktop/bcd-system-store-settings-for-uefi)",
        "Microsoft Learn: MBR2GPT.EXE (https://learn.microsoft.com/windows/deployment/mbr-to-gpt)",
    ],
    repair: &[
        step("Confirm the current boot mode and the system disk's partition style", Some("msinfo32 & diskpart (list disk: a * in the Gpt column means GPT)"), true, Risk::Low, None),
        step("Boot in the mode Windows was installed in (enable or disable CSM/Legacy in the firmware) before taking a new image", None, false, Risk::Medium, Some("changing the boot mode of an installed Windows can make it unbootable; note the current settings first")),
        step("If the system must stay in UEFI mode, convert the disk with MBR2GPT (Windows 10 1703+) or reinstall in UEFI mode, then create a fresh system image", Some("mbr2gpt /validate /allowFullOS"), true, Risk::High, Some("back up first; Windows 7 has no MBR2GPT")),
    ],
    needs: &[LogKind::Setup, LogKind::BootConfig],
    check: firmware_boot_mode_mismatch,
};

/// An image restored onto a machine whose boot mode or activation changed since the image
/// was taken: services and files carry security descriptors that no longer fit (seed story
/// 001: services found disabled, system image creation failing until chkdsk and SFC).
pub fn broken_security_descriptors_after_restore(a: &Analysis<'_>) -> Option<Assessment> {
    let history = &a.milestones;
    let mut s = Assessment::default();
    let restore = match history.iter().find(|m| m.kind == MilestoneKind::ImageRestored) {
        Some(restore) => {
            s.support(
                0.3,
                bi(
                    "a system image was restored (the logs jump back to the image's time)",
                    "システム イメージが復元された (ログがイメージの作成時点まで戻っている)",
                ),
                [restore],
            );
            restore
        }
        None => {
            // A build going back is a restore or a removed update: weaker evidence.
            let back = history.iter().find(|m| m.kind == MilestoneKind::BuildWentBack)?;
            s.support(0.2, bi(back.summary.clone(), back.summary_ja.clone()), [back]);
            back
        }
    };
    let changed = history
        .iter()
        .filter(|m| matches!(m.kind, MilestoneKind::BootModeChanged | MilestoneKind::Reactivated));
    let mut any_change = false;
    for change in changed {
        any_change = true;
        s.support(
            0.15,
            bi(
                format!("and then: {}", change.summary),
                format!("その後: {}", change.summary_ja),
            ),
            [change],
        );
    }
    if !any_change {
        s.missing(
            0.15,
            bi(
                "a boot-mode change or re-activation around the restore",
                "復元の前後のブート モードの変更またはライセンス認証のやり直し",
            ),
        );
    }
    s.explain(a, &[], restore.at(), None);
    s.cap(0.85);
    Some(s)
}

/// BOOT002: registered in `RULES`.
pub const BOOT002: Rule = Rule {
    code: "BOOT002",
    cause: Cause::BrokenSecurityDescriptorsAfterRestore,
    title: "A system image was restored across a boot-mode or activation change; security descriptors no longer fit",
    explanation: Explanation {
        detects: "an image restore (EventLog 6008 reporting a last shutdown long before the boot, with no event in between: the logs jump back to the image's time; or, weaker, Kernel-General 12 showing an older OS build than the boot before, when logs from before the restore were collected too) followed by a boot-mode change or a re-activation (Security-SPP 1024/1040 hardware changed, 8198, 1016), and backup failures after it.",
        why: "the restored system carries service and file security descriptors and a license state from another configuration; services end up disabled or unstartable and image backups fail (0x80070422, 0x8007045D).",
        check: "service start types and their security descriptors (sc sdshow), whether sfc and chkdsk find damage, and whether a clean reinstall is the safer way out.",
    },
    references: &[
        "Microsoft Learn: sc sdshow (https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-R2-and-2012/cc742133(v=ws.11))",
        "Microsoft Learn: sc sdset (https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-r2-and-2012/cc742037(v=ws.11))",
        "Microsoft KB3209092: Event ID 513 when running VSS in Windows Server, a service security descriptor the System Writer cannot read (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/event-id-513-vss-windows-server)",
    ],
    repair: &[
        step("Set the services backups need to their default start types", Some("sc config wbengine start= demand & sc config VSS start= demand & sc config swprv start= demand & sc config SDRSVC start= demand"), true, Risk::Low, None),
        step("Check the file system, then the system files", Some("chkdsk C: /r  (then)  sfc /scannow"), true, Risk::Medium, Some(CHKDSK_CAUTION)),
        step("If backups still fail, reinstall Windows in the current boot mode and take a new image; do not restore the old images again", None, true, Risk::High, Some("a reinstall removes installed programs; back up data first")),
    ],
    needs: &[LogKind::System, LogKind::Application, LogKind::Setup, LogKind::BootConfig],
    check: broken_security_descriptors_after_restore,
};

#[cfg(test)]
mod tests {
    use super::{BOOT001, BOOT002};
    use crate::model::{FactKind, MachineKey};
    use crate::rules::testing::{confidence, CaseBuilder};

    fn version(build: &str) -> [(&'static str, String); 4] {
        [
            ("MajorVersion", "6".to_string()),
            ("MinorVersion", "1".to_string()),
            ("BuildVersion", build.to_string()),
            ("QfeVersion", "0".to_string()),
        ]
    }

    #[test]
    fn a_boot_mode_that_differs_and_a_restore_across_a_reactivation() {
        let uefi = CaseBuilder::new().fact(FactKind::Machine {
            key: MachineKey::FirmwareMode,
            value: "UEFI".into(),
            inferred: true,
        });
        // Windows Setup saw BIOS (Panther FirmwareType 1) but the machine boots UEFI.
        let mismatch = uefi
            .event("2012-05-12T01:00:00Z", "IBS", 0, &[("firmware", "BIOS")])
            .build();
        assert_eq!(
            confidence(&BOOT001, &mismatch),
            0.0,
            "an evtx event is not a setup log line"
        );
        let newer = version("7601");
        let older = version("7600");
        let restored = CaseBuilder::new()
            .event(
                "2012-10-01T00:00:00Z",
                "Microsoft-Windows-Kernel-General",
                12,
                &newer.each_ref().map(|(n, v)| (*n, v.as_str())),
            )
            .event(
                "2012-10-20T01:00:00Z",
                "Microsoft-Windows-Kernel-General",
                12,
                &older.each_ref().map(|(n, v)| (*n, v.as_str())),
            )
            .event(
                "2012-10-20T01:30:00Z",
                "Microsoft-Windows-Security-SPP",
                1040,
                &[("%1", "x")],
            )
            .failure("2013-03-05T11:00:00Z", "0x80070422")
            .build();
        let c = confidence(&BOOT002, &restored);
        assert!(c > 0.0, "a build going back and a re-activation: {c}");
        let no_change = CaseBuilder::new()
            .event(
                "2012-10-01T00:00:00Z",
                "Microsoft-Windows-Kernel-General",
                12,
                &newer.each_ref().map(|(n, v)| (*n, v.as_str())),
            )
            .event(
                "2012-10-20T01:00:00Z",
                "Microsoft-Windows-Kernel-General",
                12,
                &older.each_ref().map(|(n, v)| (*n, v.as_str())),
            )
            .failure("2013-03-05T11:00:00Z", "0x80070422")
            .build();
        assert!(confidence(&BOOT002, &no_change) < c, "the re-activation adds weight");
    }
}
