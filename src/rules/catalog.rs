//! The rule registry: codes sorted, each with its cause, explanation, references and repair.
//! Facts: `shared/knowledge/windows-knowledge.md`, `docs/research/event-catalog.md`,
//! `docs/research/causes.md`, the seed write-ups, and the references listed per rule.

use crate::diagnose::LogKind;

use super::Cause;
use super::{restore, security, services, servicing, storage, vss, RepairStep, Risk, Rule};

const fn step(
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

const CHKDSK_CAUTION: &str = "chkdsk /r reads every sector and rewrites bad ones; on an SSD each repeated run spends spare blocks and shortens its life: run it once, back up first, and replace a disk that keeps growing bad sectors";
const RESTOREHEALTH_CAUTION: &str = "offline or behind WSUS, give a matching source: /Source:wim:X:\\sources\\install.wim:N /LimitAccess from media of the same build, edition and language";

/// Every rule, sorted by code.
pub const RULES: &[Rule] = &[
    Rule {
        code: "BKP001",
        cause: Cause::BackupCatalogCorrupt,
        title: "The backup set on the target is damaged: its catalog is corrupt",
        explanation: "Detects: Microsoft-Windows-Backup 3 (\"Backup catalog on selected backup disk is corrupt. Please choose a different target.\") and the backup failures after it. Why it matters: Windows Backup adds each run to the backup set already on the target; with that set's catalog damaged, every later run to the same disk fails, while the old versions in it may no longer be restorable. What to check: whether the target disk itself has errors (a damaged catalog is often the first sign of a failing disk), which backup set is on it, and whether anything in it must be kept.",
        references: &[
            "Microsoft TechNet: Event ID 3 — Backup Set Integrity (http://technet.microsoft.com/en-us/library/cc734307(v=ws.10).aspx)",
            "Microsoft Learn: wbadmin delete catalog / restore catalog (https://learn.microsoft.com/windows-server/administration/windows-commands/wbadmin-restore-catalog)",
            "libyal winevt-kb: BlbEvents.dll message table, event 3 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
        ],
        repair: &[
            step("Check the target disk's file system first (read-only scan)", Some("chkdsk X: /scan  (X: the backup disk; Windows 7: chkdsk X:)"), true, Risk::Low, Some(CHKDSK_CAUTION)),
            step("Copy anything still needed out of the old backup set, then move the set (the WindowsImageBackup folder and the folder named after the computer) off the disk or delete it", None, true, Risk::High, Some("deleting old backups loses them: keep a copy, or use a new target disk and keep the old one aside")),
            step("Run a new full backup to the cleaned or new target", Some("sdclt  (Backup and Restore > Back up now)"), false, Risk::Low, None),
        ],
        needs: &[LogKind::Backup],
        check: storage::backup_catalog_corrupt,
    },
    Rule {
        code: "BOOT001",
        cause: Cause::FirmwareBootModeMismatch,
        title: "Windows was installed in one firmware boot mode and now boots in the other",
        explanation: "Detects: Windows Setup's setupact.log (Callback_BootEnvironmentDetect:FirmwareType 1 = BIOS, 2 = UEFI) disagreeing with how the machine boots now (bcdedit winload.efi vs winload.exe, msinfo32 BIOS Mode, Kernel-Boot 30 boot metrics). Why it matters: a system switched between BIOS and UEFI after installation, or an image restored across such a switch, runs with a boot configuration and partition layout Windows Backup does not expect; system image creation and restores then fail. What to check: msinfo32 BIOS Mode, the disk's partition style (MBR/GPT), whether the firmware uses CSM, and which image was restored onto which layout.",
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
        check: restore::firmware_boot_mode_mismatch,
    },
    Rule {
        code: "BOOT002",
        cause: Cause::BrokenSecurityDescriptorsAfterRestore,
        title: "A system image was restored across a boot-mode or activation change; security descriptors no longer fit",
        explanation: "Detects: an image restore (EventLog 6008 reporting a last shutdown long before the boot, with no event in between: the logs jump back to the image's time; or, weaker, Kernel-General 12 showing an older OS build than the boot before, when logs from before the restore were collected too) followed by a boot-mode change or a re-activation (Security-SPP 1024/1040 hardware changed, 8198, 1016), and backup failures after it. Why it matters: the restored system carries service and file security descriptors and a license state from another configuration; services end up disabled or unstartable and image backups fail (0x80070422, 0x8007045D). What to check: service start types and their security descriptors (sc sdshow), whether sfc and chkdsk find damage, and whether a clean reinstall is the safer way out.",
        references: &[
            "Microsoft Learn: sc sdshow (https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-R2-and-2012/cc742133(v=ws.11))",
            "Microsoft Learn: sc sdset (https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-r2-and-2012/cc742037(v=ws.11))",
            "Microsoft KB3209092: Event ID 513 when running VSS in Windows Server (a service security descriptor the System Writer cannot read)",
        ],
        repair: &[
            step("Set the services backups need to their default start types", Some("sc config wbengine start= demand & sc config VSS start= demand & sc config swprv start= demand & sc config SDRSVC start= demand"), true, Risk::Low, None),
            step("Check the file system, then the system files", Some("chkdsk C: /r  (then)  sfc /scannow"), true, Risk::Medium, Some(CHKDSK_CAUTION)),
            step("If backups still fail, reinstall Windows in the current boot mode and take a new image; do not restore the old images again", None, true, Risk::High, Some("a reinstall removes installed programs; back up data first")),
        ],
        needs: &[LogKind::System, LogKind::Application, LogKind::Setup, LogKind::BootConfig],
        check: restore::broken_security_descriptors_after_restore,
    },
    Rule {
        code: "DSK001",
        cause: Cause::DiskIoError,
        title: "I/O errors on the source or target disk",
        explanation: "Detects: disk driver errors (disk 7 bad block, 11 controller error, 51 paging error, 154 hardware failure; 153 retries weigh less) and backup failures with I/O codes (0x8007045D ERROR_IO_DEVICE, 0x80070017 CRC error). Why it matters: the backup reads every used block of the source and writes the target; one unreadable sector or a flaky cable or USB enclosure aborts it, typically near the end of a system image. What to check: which disk the events name (\\Device\\HarddiskN), SMART status, cables and USB ports, and whether the errors follow the target or the source.",
        references: &[
            "Microsoft Learn: Data corruption and disk errors troubleshooting guidance (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/troubleshoot-data-corruption-and-disk-errors)",
            "Microsoft Learn: Information about event ID 51 (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/event-id-51-information)",
            "Microsoft Learn: System Error Codes 1000-1299, ERROR_IO_DEVICE 1117 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-)",
            "libyal winevt-kb: IoLogMsg.dll message table, disk events 7, 11, 51 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-iologmsg.dll.md)",
        ],
        repair: &[
            step("Find which disk the errors name and read its SMART status", Some("wmic diskdrive get model,status  (or the vendor's tool)"), true, Risk::Low, None),
            step("Reseat or replace cables; move an external target to another USB port or enclosure", None, false, Risk::Low, None),
            step("Check the file system and recover readable data from bad sectors", Some("chkdsk C: /r"), true, Risk::Medium, Some(CHKDSK_CAUTION)),
            step("Replace a disk whose bad sectors keep growing, after copying its data", None, false, Risk::Medium, None),
        ],
        needs: &[LogKind::System, LogKind::Backup],
        check: storage::disk_io_error,
    },
    Rule {
        code: "DSK002",
        cause: Cause::BadSectorsSource,
        title: "Bad sectors on the system disk the image is read from",
        explanation: "Detects: bad blocks reported on disk 0 (disk 7), Ntfs corruption (55, 137), and boot-time chkdsk replacing bad clusters (Wininit 1001). Why it matters: a system image reads every used cluster of the system volume; unreadable clusters make it fail (0x8007045D) even when the target is healthy. What to check: the chkdsk report in the Application log, SMART reallocated and pending sector counts, and whether the disk is an SSD.",
        references: &[
            "Microsoft Learn: chkdsk, /r and its event log entries (https://learn.microsoft.com/windows-server/administration/windows-commands/chkdsk)",
            "Microsoft Learn: Data corruption and disk errors troubleshooting guidance, Ntfs 55 and 98 (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/troubleshoot-data-corruption-and-disk-errors)",
            "libyal winevt-kb: BlbEvents.dll message table, bad clusters not backed up (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
        ],
        repair: &[
            step("Back up the user's data first, by copying files if images fail", None, false, Risk::Low, None),
            step("Run chkdsk /r once on the system volume (it runs at the next boot)", Some("chkdsk C: /r"), true, Risk::Medium, Some(CHKDSK_CAUTION)),
            step("Then repair system files that sat on bad clusters", Some("sfc /scannow"), true, Risk::Low, None),
            step("Replace the disk if SMART shows reallocated or pending sectors growing", None, false, Risk::Medium, None),
        ],
        needs: &[LogKind::System, LogKind::Application],
        check: storage::bad_sectors_source,
    },
    Rule {
        code: "DSK003",
        cause: Cause::TargetDiskFull,
        title: "The backup target ran out of space",
        explanation: "Detects: backup failures with 0x80070070 (ERROR_DISK_FULL) or 0x80070027 (ERROR_HANDLE_DISK_FULL), or Microsoft-Windows-Backup 50. Why it matters: Windows Backup keeps old versions and images until space runs out; a full target stops every later run. What to check: free space on the target, how many old backup sets and images it holds, and whether other data shares the disk.",
        references: &[
            "Microsoft Learn: System Error Codes 0-499, ERROR_DISK_FULL 112 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-)",
            "libyal winevt-kb: BlbEvents.dll message table, event 50 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-blbevents.dll.md)",
        ],
        repair: &[
            step("Let Windows Backup manage space, or delete old backup sets from Control Panel > Backup and Restore > Manage space", None, true, Risk::Medium, Some("deleting old backups loses them: keep at least one good recent backup")),
            step("Use a larger target disk", None, false, Risk::Low, None),
        ],
        needs: &[LogKind::Backup, LogKind::Application],
        check: storage::target_disk_full,
    },
    Rule {
        code: "SEC001",
        cause: Cause::SecuritySoftwareInterference,
        title: "An unfinished security-software update interferes with shadow copies",
        explanation: "Detects: a security product's installer waiting for a restart (MsiInstaller 1038 naming a security product) followed by backup failures before the next boot. Why it matters: a half-finished update leaves old and new filter drivers loaded; snapshots fail (0x81000019) until the machine restarts. What to check: the security product's own update status and whether it asks for a restart.",
        references: &[
            "libyal winevt-kb: sdengin2.dll message table, 0x810000F3 \"another program is accessing the files\" (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)",
            "Callback Technologies: why driver deinstallation or update requires a restart (https://www.callback.com/kb/articles/2-whydeinstallationorupdaterequirereboot)",
        ],
        repair: &[
            step("Open the security product and finish its update (it may ask to restart a browser or the PC)", None, false, Risk::Low, None),
            step("Restart Windows, then run the backup again", Some("shutdown /r /t 0"), false, Risk::Low, None),
        ],
        needs: &[LogKind::Application, LogKind::System],
        check: security::security_software_interference,
    },
    Rule {
        code: "SEC002",
        cause: Cause::MalwareDamage,
        title: "Malware was detected; it may have damaged boot code, services or system files",
        explanation: "Detects: antimalware detections (Microsoft Security Essentials 1116/1117 in the System log on Windows 7, Defender 1116/1117 in its Operational log later), removals that failed (1008/1118/1119: the threat likely stayed, which weighs more), and weakened protection (2001 signature update failed, 5001 real-time protection off). Why it matters: boot-sector malware and its removal damage the MBR and boot configuration (repairs from WinRE leave no event), other families disable services or replace files; backups and restores fail afterwards. What to check: what the threat family does, what was repaired by hand, and whether services and system files are intact.",
        references: &[
            "Microsoft Learn: Microsoft Defender Antivirus event IDs and error codes (https://learn.microsoft.com/defender-endpoint/troubleshoot-microsoft-defender-antivirus)",
        ],
        repair: &[
            step("Run a full scan with current signatures (offline scan for boot-sector threats)", None, true, Risk::Low, None),
            step("Check and repair system files", Some("sfc /scannow"), true, Risk::Low, None),
            step("Check the start types of the services backups need", Some("sc qc wbengine & sc qc VSS & sc qc RpcSs"), false, Risk::Low, None),
        ],
        needs: &[LogKind::System, LogKind::Defender],
        check: security::malware_damage,
    },
    Rule {
        code: "SVC001",
        cause: Cause::RequiredServiceDisabled,
        title: "A service backups need is disabled",
        explanation: "Detects: Service Control Manager 7040 setting a required service to disabled (param4 holds the language-neutral key: RpcSs, wbengine, VSS, swprv, EventSystem, SENS, SDRSVC, CryptSvc), 7000/7001/7023 failures with error 1058 (disabled) or 1068 (dependency failed), and backups failing with 0x80070422 (HRESULT of 1058). Why it matters: Windows Backup cannot start its engine or create shadow copies while these are disabled. What to check: services.msc start types (RpcSs Automatic; wbengine, VSS, swprv, SDRSVC Manual; EventSystem and SENS Automatic) and what disabled them (cleanup tools, malware, an old image).",
        references: &[
            "Microsoft TechNet: Event ID 7040 — Basic Service Operations (https://technet.microsoft.com/en-us/library/dd349441(v=ws.10).aspx)",
            "Microsoft Learn: Security guidelines for disabling system services in Windows Server (https://learn.microsoft.com/windows-server/security/windows-services/security-guidelines-for-disabling-system-services-in-windows-server)",
            "Microsoft Learn: System Error Codes 1000-1299, ERROR_SERVICE_DISABLED 1058 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-)",
        ],
        repair: &[
            step("Set the services back to their default start types", Some("sc config wbengine start= demand & sc config VSS start= demand & sc config swprv start= demand & sc config SDRSVC start= demand & sc config EventSystem start= auto & sc config SENS start= auto"), true, Risk::Low, Some("RpcSs cannot be changed with sc while Windows runs if it was disabled: set HKLM\\SYSTEM\\CurrentControlSet\\Services\\RpcSs Start=2 from WinRE or regedit")),
            step("Start them and run the backup again", Some("net start vss & net start swprv"), true, Risk::Low, None),
            step("Find out what disabled them (cleanup or tuning tools, malware, a restored image)", None, false, Risk::Low, None),
        ],
        needs: &[LogKind::System, LogKind::Backup],
        check: services::required_service_disabled,
    },
    Rule {
        code: "SYS001",
        cause: Cause::SystemFilesCorrupt,
        title: "Corrupt system files block shadow copies",
        explanation: "Detects: SFC results in CBS.log ([SR] Cannot repair member file, Could not reproject corrupted file), a DISM summary with Total Detected Corruption above 0, VSS failing to load a module (0x8007007e), and backups failing to create a shadow copy (0x81000019). Why it matters: VSS and the backup engine load system DLLs; a corrupt copy makes every snapshot fail. What to check: the files SFC names, whether DISM can repair the component store, and whether a reboot is still pending after repairs.",
        references: &[
            "Microsoft KB929833: Use the System File Checker tool to repair missing or corrupted system files (https://support.microsoft.com/help/929833)",
            "libyal winevt-kb: sdengin2.dll message table, 0x81000019 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)",
        ],
        repair: &[
            step("Repair the component store", Some("DISM /Online /Cleanup-Image /RestoreHealth"), true, Risk::Low, Some(RESTOREHEALTH_CAUTION)),
            step("Repair the system files from it", Some("sfc /scannow"), true, Risk::Low, None),
            step("Restart Windows before running the backup again (repairs of files in use finish at boot)", Some("shutdown /r /t 0"), false, Risk::Low, None),
        ],
        needs: &[LogKind::Cbs, LogKind::Application, LogKind::Backup],
        check: servicing::system_files_corrupt,
    },
    Rule {
        code: "SYS002",
        cause: Cause::DismSourceMissing,
        title: "DISM could not find a repair source (0x800f081f)",
        explanation: "Detects: CBS_E_SOURCE_MISSING 0x800f081f in dism.log or the CheckSur summary of CBS.log. Why it matters: the component store stays corrupt, so SFC cannot repair files and shadow copies keep failing. What to check: whether the PC can reach Windows Update (proxy, WSUS policy 'Specify settings for optional component installation and component repair'), and install media of the same build.",
        references: &[
            "Microsoft Learn: DismRestoreImageHealth, repair sources and LimitAccess (https://learn.microsoft.com/windows-hardware/manufacture/desktop/dism/dismrestoreimagehealth-function)",
            "Microsoft KB929833: Use the System File Checker tool, repair source for DISM (https://support.microsoft.com/help/929833)",
            "Microsoft KB2734782: 0x800F0906, 0x800F081F, 0x800F0907 (https://support.microsoft.com/help/2734782)",
        ],
        repair: &[
            step("Mount install media of the same build, edition and language and point DISM at it", Some("DISM /Online /Cleanup-Image /RestoreHealth /Source:wim:X:\\sources\\install.wim:1 /LimitAccess"), true, Risk::Low, Some(RESTOREHEALTH_CAUTION)),
            step("Then repair the system files and restart", Some("sfc /scannow"), true, Risk::Low, None),
        ],
        needs: &[LogKind::Dism, LogKind::Cbs],
        check: servicing::dism_source_missing,
    },
    Rule {
        code: "SYS003",
        cause: Cause::PendingReboot,
        title: "A pending reboot blocks repairs and shadow copies",
        explanation: "Detects: SFC 'A reboot is required to complete this operation', 0x80070bc9 (ERROR_FAIL_REBOOT_REQUIRED), DISM 'Reboot required=yes', an installer waiting for a restart, with backups failing before the next boot. Why it matters: replaced files take effect only after a restart; until then VSS keeps loading the broken ones. What to check: whether the machine was restarted (not just shut down with Fast Startup) since the repair.",
        references: &[
            "Microsoft Learn: System Error Codes 3000-3999, ERROR_FAIL_REBOOT_REQUIRED 3017 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--1700-3999-)",
            "Microsoft KB929833: Use the System File Checker tool, restart to finish repairs (https://support.microsoft.com/help/929833)",
        ],
        repair: &[step("Restart Windows (a real restart, not a Fast Startup shutdown), then run the backup", Some("shutdown /r /t 0"), false, Risk::Low, None)],
        needs: &[LogKind::Cbs, LogKind::System],
        check: servicing::pending_reboot,
    },
    Rule {
        code: "USB001",
        cause: Cause::UsbConnection,
        title: "The backup disk drops off its USB connection",
        explanation: "Detects: disk 157 (\"Disk N has been surprise removed\", Windows 8 and later: a disk Windows treats as fixed, such as a USB hard disk, vanished from its bus) and backup failures with the device gone or not ready (0x8007048F, 0x80070015, 0x80070037) after it. Why it matters: a run that loses its target mid-way fails and can leave a damaged backup set; the disk itself may be fine. What to check: the cable, hub and port (front ports and unpowered hubs often cannot power a 2.5\" disk), the enclosure's power supply, USB selective suspend and the disk's own health. Disk 157 on the backup's own VHD while it is mounted is harmless and not counted.",
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
        check: storage::usb_connection,
    },
    Rule {
        code: "VSS001",
        cause: Cause::VssWriterFailed,
        title: "A VSS writer is in a failed state",
        explanation: "Detects: vssadmin list writers showing a writer with state [6] to [15] (VSS_WS_FAILED_AT_*) and a last error other than a timeout, with backups failing with writer or shadow copy codes (0x81000019, 0x800423F3/F4). Why it matters: a failed writer makes the snapshot inconsistent or aborts it. What to check: the writer's own service (System Writer = Cryptographic Services; Registry, COM+ REGDB, WMI writers) and the Application log around the failure.",
        references: &[
            "Microsoft Learn: Windows Server Backup may fail because of the SQL Server VSS writer (KB2615182) (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/backup-fails-vss-writer)",
            "Microsoft Learn: VSS_WRITER_STATE enumeration, vss.h (https://learn.microsoft.com/windows/win32/api/vss/ne-vss-vss_writer_state)",
            "Microsoft Learn: In-box VSS writers (https://learn.microsoft.com/windows/win32/vss/in-box-vss-writers)",
        ],
        repair: &[
            step("List the writers and note the failed ones", Some("vssadmin list writers"), true, Risk::Low, None),
            step("Restart the failed writer's service (System Writer: Cryptographic Services) or restart Windows to reset writer states", Some("net stop cryptsvc & net start cryptsvc"), true, Risk::Low, None),
            step("Run the backup again; if the writer fails again, repair system files", Some("sfc /scannow"), true, Risk::Low, None),
        ],
        needs: &[LogKind::VssWriters, LogKind::Application],
        check: vss::vss_writer_failed,
    },
    Rule {
        code: "VSS002",
        cause: Cause::VssWriterTimeout,
        title: "A VSS writer timed out",
        explanation: "Detects: a writer whose last error is a timeout, VSS 12298 (writes could not be held) or volsnap 8 (flush and hold writes timed out). Why it matters: heavy I/O or a slow disk keeps the snapshot from freezing in time; the backup fails or skips the writer. What to check: disk load at backup time, other backup or antivirus software running at the same time.",
        references: &[
            "Microsoft TechNet: Volume Snapshot Driver Integrity, volsnap 8 (http://technet.microsoft.com/en-us/library/dd364896(v=ws.10).aspx)",
            "Microsoft Japan Windows support blog: VSS Event ID 8229 (https://jpwinsup.github.io/blog/2023/04/10/Storage/Management/vss8229)",
            "Microsoft KB826936: Time-out errors occur in Volume Shadow Copy service writers (http://support.microsoft.com/kb/826936)",
        ],
        repair: &[
            step("Run the backup when the disk is idle; pause other backup or scan jobs", None, false, Risk::Low, None),
            step("Restart Windows to reset writer states, then retry", None, false, Risk::Low, None),
        ],
        needs: &[LogKind::VssWriters, LogKind::Application, LogKind::System],
        check: vss::vss_writer_timeout,
    },
    Rule {
        code: "VSS003",
        cause: Cause::RequesterComSecurity,
        title: "VSS 8194 access denied from the requester's COM security",
        explanation: "Detects: VSS 8194 (unexpected error querying for the IVssWriterCallback interface, usually 0x80070005). Why it matters: usually it does not; it is logged by the requester's own process security and is noise while backups succeed. It is a lead only when backups fail with access denied. What to check: whether any backup actually failed, and which requester ran.",
        references: &[
            "libyal winevt-kb: vssvc.exe message table, event 8194 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-vssvc.exe.md)",
            "Microsoft Learn: Security considerations for writers (https://learn.microsoft.com/windows/win32/vss/security-considerations-for-writers)",
            "duplicati issue #3236: VSS error 8194 while backups succeed (https://github.com/duplicati/duplicati/issues/3236)",
        ],
        repair: &[step("Nothing to repair while backups succeed; if they fail with access denied, run the requester elevated", None, false, Risk::Low, None)],
        needs: &[LogKind::Application],
        check: vss::requester_com_security,
    },
    Rule {
        code: "VSS004",
        cause: Cause::VssComRegistrationBroken,
        title: "VSS COM classes are not registered or cannot start",
        explanation: "Detects: VSS 22 (a critical component is not registered), 32 (the coordinator class is not registered), 12292 (a provider's COM class cannot be created), 8193 with REGDB_E_CLASSNOTREG. Why it matters: without its COM registration VSS cannot create a snapshot at all. What to check: recent uninstalls of backup or storage software, and the registration of the Microsoft Software Shadow Copy Provider.",
        references: &[
            "libyal winevt-kb: vssvc.exe message table, events 22, 32, 12292 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-vssvc.exe.md)",
            "Microsoft Learn: Backup fails with VSS event ID 12292 and 11 (KB2009513) (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/backup-fails-event-12292-11)",
        ],
        repair: &[
            step("Repair system files first", Some("sfc /scannow"), true, Risk::Low, None),
            step("Re-register the VSS components (last resort)", Some("cd /d %windir%\\system32 & net stop vss & regsvr32 /s ole32.dll & regsvr32 /s vss_ps.dll & vssvc /register & regsvr32 /s /i swprv.dll & regsvr32 /s /i eventcls.dll & regsvr32 /s es.dll & regsvr32 /s stdprov.dll & regsvr32 /s vssui.dll & regsvr32 /s msxml3.dll & net start vss"), true, Risk::Medium, Some("re-registering is a last resort; run it in an elevated prompt and restart afterwards")),
        ],
        needs: &[LogKind::Application],
        check: vss::vss_com_registration_broken,
    },
    Rule {
        code: "VSS005",
        cause: Cause::ComEventSystemBroken,
        title: "The COM+ Event System is down or damaged; writers vanish",
        explanation: "Detects: VSS 13 for the CEventSystem server, the EventSystem or SENS service disabled or failing, and vssadmin list writers printing no writer at all. Why it matters: writers announce themselves through COM+ events; without them no writer answers and snapshots miss or fail. What to check: EventSystem and SENS start types, and the COM+ catalog (Microsoft Japan blog: all VSS writers vanish).",
        references: &[
            "Microsoft Learn (archive): VSS Writer が全て消失する事象について (https://learn.microsoft.com/archive/blogs/askcorejp/vsswriterallmissing)",
            "Microsoft TechNet: VSS Writer Operations, the EventSystem service (https://docs.microsoft.com/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/ee264195(v=ws.10))",
            "libyal winevt-kb: vssvc.exe message table, event 13 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-vssvc.exe.md)",
        ],
        repair: &[
            step("Set COM+ Event System and SENS to Automatic and start them", Some("sc config EventSystem start= auto & sc config SENS start= auto & net start EventSystem & net start SENS"), true, Risk::Low, None),
            step("Restart Windows and list the writers again", Some("vssadmin list writers"), true, Risk::Low, None),
        ],
        needs: &[LogKind::VssWriters, LogKind::Application, LogKind::System],
        check: vss::com_event_system_broken,
    },
    Rule {
        code: "VSS006",
        cause: Cause::ShadowStorageInsufficient,
        title: "Shadow copy storage is too small or cannot grow",
        explanation: "Detects: volsnap 25, 35, 36 (shadow copies deleted or aborted because the storage could not grow or hit its limit); 33 (oldest copy deleted to stay under the limit) counts little. Why it matters: the snapshot vanishes during the backup, which then fails. What to check: vssadmin list shadowstorage (used and maximum size) and free space on the volume.",
        references: &[
            "libyal winevt-kb: volsnap.sys message table, events 25, 33, 35, 36 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-volsnap.sys.md)",
            "Microsoft Learn: vssadmin resize shadowstorage (https://learn.microsoft.com/windows-server/administration/windows-commands/vssadmin-resize-shadowstorage)",
        ],
        repair: &[
            step("Show the shadow storage use and limit", Some("vssadmin list shadowstorage"), true, Risk::Low, None),
            step("Raise the limit (for example to 10%) and free space on the volume", Some("vssadmin resize shadowstorage /for=C: /on=C: /maxsize=10%"), true, Risk::Medium, Some("raising the limit uses disk space; shrinking it deletes existing shadow copies")),
        ],
        needs: &[LogKind::System],
        check: vss::shadow_storage_insufficient,
    },
];

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn codes_are_unique_sorted_and_every_rule_is_documented() {
        for pair in RULES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} then {}", pair[0].code, pair[1].code);
        }
        for rule in RULES {
            assert!(
                rule.explanation.contains("Detects:") && rule.explanation.contains("Why it matters:"),
                "{}",
                rule.code
            );
            assert!(rule.explanation.contains("What to check:"), "{}", rule.code);
            assert!(
                !rule.references.is_empty() && !rule.repair.is_empty() && !rule.needs.is_empty(),
                "{}",
                rule.code
            );
        }
        let mut causes: Vec<_> = RULES.iter().map(|r| r.cause).collect();
        causes.sort();
        causes.dedup();
        assert_eq!(causes.len(), RULES.len(), "one rule per cause");
    }
}
