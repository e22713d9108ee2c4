//! BOOT001 firmware-boot-mode-mismatch.

use crate::history::{Analysis, LogKind, MilestoneKind};
use crate::signals::SignalKind;

use super::repair::step;
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

#[cfg(test)]
mod tests {
    use super::BOOT001;
    use crate::model::{FactKind, MachineKey};
    use crate::rules::testing::{confidence, CaseBuilder};

    #[test]
    fn a_setup_line_is_needed_to_say_how_windows_was_installed() {
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
    }
}
