//! SYS001 system-files-corrupt, SYS002 dism-source-missing, SYS003 pending-reboot.

use jiff::Timestamp;

use crate::history::{Analysis, LogKind};
use crate::signals::{Signal, SignalKind};

use super::repair::{step, RESTOREHEALTH_CAUTION};
use super::score::codes_for;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

/// SFC could not repair files, DISM found component store corruption, or VSS cannot load a
/// module; backups then fail to create a shadow copy.
pub fn system_files_corrupt(a: &Analysis<'_>) -> Option<Assessment> {
    let cannot = a.select(|k| matches!(k, SignalKind::SfcCannotRepair));
    let detected = a.select(|k| matches!(k, SignalKind::CheckSur { detected: Some(n), .. } if *n > 0));
    // VSS failing with a code that names corrupt files (0x8007007E module not found, ...).
    let module = a.vss_errors_pointing_to(Cause::SystemFilesCorrupt, 0.3);
    if cannot.is_empty() && detected.is_empty() && module.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    if !cannot.is_empty() {
        let files = file_names(&cannot);
        s.support(
            0.45,
            bi(
                format!("SFC found corrupt system files it could not repair ({files})"),
                format!("SFC が修復できない破損したシステム ファイルを検出した ({files})"),
            ),
            cannot.iter().copied(),
        );
    }
    s.support_if(
        0.25,
        bi(
            "DISM found component store corruption",
            "DISM がコンポーネント ストアの破損を検出した",
        ),
        &detected,
    );
    s.support_if(
        0.15,
        bi(
            format!(
                "VSS failed with {} (a file it loads is missing or damaged)",
                codes_of(&module)
            ),
            format!(
                "VSS が {} で失敗した (読み込むファイルが見つからないか破損している)",
                codes_of(&module)
            ),
        ),
        &module,
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::SystemFilesCorrupt), since, None);
    let repaired = a.select(|k| {
        matches!(k, SignalKind::SfcRepaired) || matches!(k, SignalKind::CheckSur { repaired: Some(n), .. } if *n > 0)
    });
    if let Some(fix) = repaired
        .iter()
        .filter_map(|r| r.time)
        .find(|t| since.is_none_or(|f| *t > f))
    {
        if let Some(success) = a.success_after(fix) {
            s.resolved(
                fix,
                bi(
                    format!("repaired on {} and a backup succeeded on {}", day(fix), day(success)),
                    format!(
                        "{}に修復され、{}にバックアップが成功した",
                        fix.strftime("%Y年%-m月%-d日"),
                        success.strftime("%Y年%-m月%-d日")
                    ),
                ),
            );
        } else {
            s.against(
                0.0,
                bi(
                    format!("repaired on {}, but no successful backup since", day(fix)),
                    format!(
                        "{}に修復されたが、それ以降に成功したバックアップはない",
                        fix.strftime("%Y年%-m月%-d日")
                    ),
                ),
            );
        }
    }
    Some(s)
}

/// SYS001: registered in `RULES`.
pub const SYS001: Rule = Rule {
    code: "SYS001",
    cause: Cause::SystemFilesCorrupt,
    title: "Corrupt system files block shadow copies",
    explanation: Explanation {
        detects: "SFC results in CBS.log ([SR] Cannot repair member file, Could not reproject corrupted file), a DISM summary with Total Detected Corruption above 0, VSS failing to load a module (0x8007007e), and backups failing to create a shadow copy (0x81000019).",
        why: "VSS and the backup engine load system DLLs; a corrupt copy makes every snapshot fail.",
        check: "the files SFC names, whether DISM can repair the component store, and whether a reboot is still pending after repairs.",
    },
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
    check: system_files_corrupt,
};

/// The names SFC gave, each once, in order (a log can repeat a name 100,000 times: they are
/// gathered in hash sets on every core, and only the few distinct ones sorted).
fn file_names(signals: &[&Signal]) -> String {
    use rayon::prelude::*;
    type Names<'s> = std::collections::HashSet<&'s str, foldhash::fast::FixedState>;
    let files: Names = signals
        .par_iter()
        .filter(|s| matches!(s.kind, SignalKind::SfcCannotRepair))
        .map(|s| {
            let file = s.sfc_file();
            // The name after the last separator (both are ASCII: a byte search finds them).
            memchr::memrchr2(b'\\', b'/', file.as_bytes()).map_or(file, |at| &file[at + 1..])
        })
        .fold(Names::default, |mut names, name| {
            names.insert(name);
            names
        })
        .reduce(Names::default, |mut all, names| {
            all.extend(names);
            all
        });
    let mut files: Vec<&str> = files.into_iter().collect();
    files.sort_unstable();
    files.join(", ")
}

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// DISM could not find a repair source (0x800f081f), so corruption stays.
pub fn dism_source_missing(a: &Analysis<'_>) -> Option<Assessment> {
    let missing = a.select(|k| matches!(k, SignalKind::SourceMissing));
    if missing.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.45,
        bi(
            "DISM /RestoreHealth could not find a repair source (0x800f081f)",
            "DISM /RestoreHealth が修復ソースを見つけられなかった (0x800f081f)",
        ),
        missing.iter().copied(),
    );
    let corrupt = a.select(|k| {
        matches!(
            k,
            SignalKind::SfcCannotRepair
                | SignalKind::CheckSur {
                    detected: Some(1..),
                    ..
                }
        )
    });
    if corrupt.is_empty() {
        s.missing(
            0.1,
            bi(
                "corruption left unrepaired (SFC or DISM summary)",
                "修復されずに残った破損 (SFC または DISM の集計)",
            ),
        );
    } else {
        s.support(
            0.15,
            bi(
                "the corruption it should have repaired is in the logs",
                "修復されるはずだった破損がログに記録されている",
            ),
            corrupt.iter().copied().take(1),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::SystemFilesCorrupt), since, None);
    let later_fix = a.select(|k| {
        matches!(
            k,
            SignalKind::CheckSur {
                repaired: Some(1..),
                ..
            }
        )
    });
    if let Some(fix) = later_fix
        .iter()
        .filter_map(|r| r.time)
        .find(|t| since.is_none_or(|f| *t > f))
    {
        s.resolved(
            fix,
            bi(
                format!("a later DISM run repaired the store on {}", day(fix)),
                format!(
                    "{}に、その後実行した DISM がコンポーネント ストアを修復した",
                    fix.strftime("%Y年%-m月%-d日")
                ),
            ),
        );
    }
    Some(s)
}

/// SYS002: registered in `RULES`.
pub const SYS002: Rule = Rule {
    code: "SYS002",
    cause: Cause::DismSourceMissing,
    title: "DISM could not find a repair source (0x800f081f)",
    explanation: Explanation {
        detects: "CBS_E_SOURCE_MISSING 0x800f081f in dism.log or the CheckSur summary of CBS.log.",
        why: "the component store stays corrupt, so SFC cannot repair files and shadow copies keep failing.",
        check: "whether the PC can reach Windows Update (proxy, WSUS policy 'Specify settings for optional component installation and component repair'), and install media of the same build.",
    },
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
    check: dism_source_missing,
};

/// Repairs or installs wait for a reboot (SFC "reboot is required", 0x80070bc9, an MSI
/// install waiting for a restart; repairs of files in use also take effect only at the next
/// boot), and backups fail before any boot.
pub fn pending_reboot(a: &Analysis<'_>) -> Option<Assessment> {
    // A security product's restart is SEC001's, more specific; here it weighs less.
    let explicit = a.select(|k| {
        matches!(k, SignalKind::SfcRebootRequired)
            || matches!(k, SignalKind::RebootPending { what } if !super::security::is_security_product(what))
    });
    let security =
        a.select(|k| matches!(k, SignalKind::RebootPending { what } if super::security::is_security_product(what)));
    let repairs = a.select(|k| {
        matches!(
            k,
            SignalKind::SfcRepaired
                | SignalKind::CheckSur {
                    repaired: Some(1..),
                    ..
                }
        )
    });
    if explicit.is_empty() && repairs.is_empty() && security.is_empty() {
        return None;
    }
    let boots: Vec<Timestamp> = a
        .select(|k| matches!(k, SignalKind::Boot))
        .iter()
        .filter_map(|b| b.time)
        .collect();
    let next_boot = |t: Timestamp| boots.iter().copied().find(|b| *b > t);
    let mut s = Assessment::default();
    s.support_if(
        0.3,
        bi(
            "a repair or install was waiting for a reboot",
            "修復またはインストールが再起動待ちだった",
        ),
        &explicit,
    );
    s.support_if(
        0.15,
        bi(
            "system files were repaired; files in use are replaced only at the next boot",
            "システム ファイルが修復された (使用中のファイルが置き換えられるのは次回起動時)",
        ),
        &repairs,
    );
    s.support_if(
        0.15,
        bi(
            "a security product's update waits for a restart",
            "セキュリティ製品の更新が再起動を待っている",
        ),
        &security,
    );
    let windows: Vec<(Timestamp, Option<Timestamp>)> = explicit
        .iter()
        .chain(repairs.iter())
        .chain(security.iter())
        .filter_map(|p| p.time)
        .map(|t| (t, next_boot(t)))
        .collect();
    let waiting: Vec<&crate::history::BackupRun> = a
        .failures()
        .filter(|r| {
            windows
                .iter()
                .any(|(from, to)| r.at.is_some_and(|at| at >= *from && to.is_none_or(|b| at < b)))
        })
        .collect();
    if waiting.is_empty() {
        s.missing(
            0.1,
            bi(
                "a backup failure while the reboot was pending",
                "再起動待ちの間のバックアップの失敗",
            ),
        );
        return Some(s);
    }
    s.support(
        0.3,
        bi(
            format!("{} backup failure(s) happened before the next boot", waiting.len()),
            format!("次回起動までにバックアップの失敗が {} 回発生した", waiting.len()),
        ),
        waiting.iter().copied(),
    );
    let boot_after = waiting.last().and_then(|r| r.at).and_then(next_boot);
    if let Some((boot, success)) = boot_after.and_then(|boot| Some((boot, a.success_after(boot)?))) {
        s.add(
            0.15,
            bi(
                "after the next boot the backup succeeded",
                "次回起動の後、バックアップが成功した",
            ),
        );
        s.resolved(
            boot,
            bi(
                format!("rebooted and a backup succeeded on {}", day(success)),
                format!(
                    "再起動後、{}にバックアップが成功した",
                    success.strftime("%Y年%-m月%-d日")
                ),
            ),
        );
    }
    Some(s)
}

/// SYS003: registered in `RULES`.
pub const SYS003: Rule = Rule {
    code: "SYS003",
    cause: Cause::PendingReboot,
    title: "A pending reboot blocks repairs and shadow copies",
    explanation: Explanation {
        detects: "SFC 'A reboot is required to complete this operation', 0x80070bc9 (ERROR_FAIL_REBOOT_REQUIRED), DISM 'Reboot required=yes', an installer waiting for a restart, with backups failing before the next boot.",
        why: "replaced files take effect only after a restart; until then VSS keeps loading the broken ones.",
        check: "whether the machine was restarted (not just shut down with Fast Startup) since the repair.",
    },
    references: &[
        "Microsoft Learn: System Error Codes 3000-3999, ERROR_FAIL_REBOOT_REQUIRED 3017 (https://learn.microsoft.com/windows/win32/debug/system-error-codes--1700-3999-)",
        "Microsoft KB929833: Use the System File Checker tool, restart to finish repairs (https://support.microsoft.com/help/929833)",
    ],
    repair: &[step("Restart Windows (a real restart, not a Fast Startup shutdown), then run the backup", Some("shutdown /r /t 0"), false, Risk::Low, None)],
    needs: &[LogKind::Cbs, LogKind::System],
    check: pending_reboot,
};

/// The codes of VSS error signals, as `0x8007007e, ...`.
fn codes_of(signals: &[&crate::signals::Signal]) -> String {
    let mut codes: Vec<String> = signals
        .iter()
        .filter_map(|s| match s.kind {
            SignalKind::VssError { code: Some(code), .. } => Some(format!("{code:#010x}")),
            _ => None,
        })
        .collect();
    codes.dedup();
    codes.join(", ")
}

/// The System Reserved (or EFI / recovery) partition has no room for its shadow copy: the
/// image backup includes it, and VSS needs free space on it. Failures with 0x80780119 ("There
/// is not enough disk space to create the volume shadow copy on the storage location") or
/// 0x81000033 (a critical volume without enough free space), and 0x81000019 on a machine whose
/// user names the small partition. Sources: libyal winevt-kb sdengin2.dll (0x81000033);
/// community reports on 0x80780119 and 0x81000019 (borncity.com 2011).
pub fn system_reserved_partition_full(a: &Analysis<'_>) -> Option<Assessment> {
    let coded = a.failures_pointing_to(Cause::SystemReservedPartitionFull, 0.45);
    let named = a.select(|k| matches!(k, SignalKind::SystemReservedNamed));
    let shadow = a.failures_pointing_to(Cause::SystemReservedPartitionFull, 0.3);
    if coded.is_empty() && (named.is_empty() || shadow.is_empty()) {
        return None;
    }
    let mut s = Assessment::default();
    if !coded.is_empty() {
        s.support(
            0.35,
            bi(
                "backups failed for lack of space for a critical volume's shadow copy",
                "重要なボリュームのシャドウ コピーを作成する領域が不足してバックアップが失敗した",
            ),
            coded.iter().copied(),
        );
    }
    s.support_if(
        0.2,
        bi(
            "the user points at the small System Reserved partition",
            "ユーザーが容量の小さいシステムで予約済みパーティションを指摘している",
        ),
        &named,
    );
    s.explain(a, &codes_for(Cause::SystemReservedPartitionFull), None, None);
    s.cap(0.8);
    Some(s)
}

/// SYS004: registered in `RULES`.
pub const SYS004: Rule = Rule {
    code: "SYS004",
    cause: Cause::SystemReservedPartitionFull,
    title: "The System Reserved (or EFI / recovery) partition has no room for its shadow copy",
    explanation: Explanation {
        detects: "failures with 0x80780119 (not enough space to create the volume shadow copy) or 0x81000033 (a critical volume without enough free space), and 0x81000019 when the System Reserved partition is named as nearly full.",
        why: "a system image includes the small partitions Windows boots from; VSS must create a shadow copy on each, and a 100 MB System Reserved partition filled by language packs, BitLocker files or a tool's journal leaves it no room, so the whole image fails although the target has space.",
        check: "the free space of the System Reserved, EFI and recovery partitions in Disk Management (more than 50 MB free on partitions under 500 MB), and what was written there (fsutil usn queryjournal, BitLocker, third-party tools).",
    },
    references: &[
        "libyal winevt-kb: sdengin2.dll message table, 0x81000033 a critical volume without enough free space (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)",
        "Born's Tech and Windows World: Windows 7 backup error 0x81000019 and the System Reserved partition (http://www.borncity.com/blog/2011/11/22/windows-7-backup-error-081000019/)",
    ],
    repair: &[
        step("Look at the free space of the System Reserved, EFI and recovery partitions", Some("diskmgmt.msc  (or: mountvol, then fsutil volume diskfree on the mounted partition)"), true, Risk::Low, None),
        step("Delete a USN journal a tool left on the partition (assign it a letter first, remove it after)", Some("fsutil usn deletejournal /D S:"), true, Risk::Medium, Some("only on the System Reserved partition; remove the drive letter afterwards")),
        step("Give the partition room: shrink C: and extend it with a partition tool, or move the recovery environment", None, true, Risk::High, Some("partition changes can leave Windows unbootable: back up first")),
    ],
    needs: &[LogKind::Backup, LogKind::Application],
    check: system_reserved_partition_full,
};

#[cfg(test)]
mod tests {
    use super::{SYS001, SYS003, SYS004};
    use crate::model::FactKind;
    use crate::rules::testing::{confidence, CaseBuilder};

    #[test]
    fn a_module_vss_cannot_load_and_a_reboot_still_pending() {
        let vss = CaseBuilder::new().event(
            "2024-05-13T10:00:30Z",
            "VSS",
            8193,
            &[
                ("%1", "CoCreateInstance"),
                ("%2", "0x8007007e, The specified module could not be found."),
            ],
        );
        let alone = confidence(&SYS001, &vss.clone_events().build());
        let failing = confidence(&SYS001, &vss.failure("2024-05-13T10:01:00Z", "0x81000019").build());
        assert!(failing > alone && failing >= 0.35, "{alone} then {failing}");
        let other = CaseBuilder::new()
            .event(
                "2024-05-13T10:00:30Z",
                "VSS",
                8193,
                &[("%1", "CoCreateInstance"), ("%2", "0x80070422")],
            )
            .build();
        assert_eq!(confidence(&SYS001, &other), 0.0, "0x80070422 names a disabled service");
        let pending = CaseBuilder::new()
            .event("2024-05-08T12:30:00Z", "MsiInstaller", 1038, &[("%1", "Office 2016")])
            .failure("2024-05-09T10:00:00Z", "0x81000019");
        let before_boot = confidence(&SYS003, &pending.build());
        assert!(before_boot > 0.0, "{before_boot}");
    }

    #[test]
    fn a_full_system_reserved_partition() {
        let coded = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x80780119").build();
        assert!(confidence(&SYS004, &coded) >= 0.5);
        let named = CaseBuilder::new().fact(FactKind::Mention {
            what: "partition".into(),
            value: "System Reserved".into(),
        });
        assert!(confidence(&SYS004, &named.clone_events().failure("", "0x81000019").build()) > 0.4);
        assert_eq!(confidence(&SYS004, &named.build()), 0.0, "named, but nothing failed");
        let generic = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x81000019").build();
        assert!(
            confidence(&SYS004, &generic) < 0.5,
            "0x81000019 alone: low, from the code only"
        );
    }
}
