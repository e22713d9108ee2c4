//! VSS001 vss-writer-failed, VSS002 vss-writer-timeout, VSS003 requester-com-security,
//! VSS004 vss-com-registration-broken, VSS005 com-event-system-broken, VSS006
//! shadow-storage-insufficient.

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::repair::step;
use super::score::codes_for;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

fn timed_out(error: &str) -> bool {
    let lower = error.to_lowercase();
    lower.contains("timed out") || lower.contains("timeout") || error.contains("タイムアウト")
}

/// `vssadmin list writers` shows a writer in a failed state (`[N]` 6 to 15), not a timeout.
pub fn vss_writer_failed(a: &Analysis<'_>) -> Option<Assessment> {
    let failed = a.select(|k| matches!(k, SignalKind::WriterState { state: 6..=15, error, .. } if !timed_out(error)));
    if failed.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    let names: Vec<String> = failed
        .iter()
        .filter_map(|f| match &f.kind {
            SignalKind::WriterState { writer, state, .. } => Some(format!("{writer} [{state}]")),
            _ => None,
        })
        .collect();
    s.support(
        0.35,
        bi(
            format!("writer(s) in a failed state: {}", names.join(", ")),
            format!("ライターが失敗状態にある: {}", names.join(", ")),
        ),
        failed.iter().copied(),
    );
    s.explain(a, &codes_for(Cause::VssWriterFailed), None, None);
    Some(s)
}

/// VSS001: registered in `RULES`.
pub const VSS001: Rule = Rule {
    code: "VSS001",
    cause: Cause::VssWriterFailed,
    title: "A VSS writer is in a failed state",
    explanation: Explanation {
        detects: "vssadmin list writers showing a writer with state [6] to [15] (VSS_WS_FAILED_AT_*) and a last error other than a timeout, with backups failing with writer or shadow copy codes (0x81000019, 0x800423F3/F4).",
        why: "a failed writer makes the snapshot inconsistent or aborts it.",
        check: "the writer's own service (System Writer = Cryptographic Services; Registry, COM+ REGDB, WMI writers) and the Application log around the failure.",
    },
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
    check: vss_writer_failed,
};

/// A writer timed out (`Timed out` last error, VSS 12298 hold-writes, volsnap 8 flush timeout).
pub fn vss_writer_timeout(a: &Analysis<'_>) -> Option<Assessment> {
    let writers = a.select(|k| matches!(k, SignalKind::WriterState { error, .. } if timed_out(error)));
    let events = a.select(|k| {
        matches!(
            k,
            SignalKind::VssError { id: 12298, .. } | SignalKind::ShadowStorage { id: 8 }
        )
    });
    if writers.is_empty() && events.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.35,
        bi(
            "a writer's last error is a timeout",
            "ライターの最後のエラーがタイムアウト",
        ),
        &writers,
    );
    s.support_if(
        0.3,
        bi(
            "writes could not be held or flushed in time during the snapshot",
            "スナップショット中に書き込みを時間内に保留またはフラッシュできなかった",
        ),
        &events,
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::VssWriterTimeout), since, None);
    Some(s)
}

/// VSS002: registered in `RULES`.
pub const VSS002: Rule = Rule {
    code: "VSS002",
    cause: Cause::VssWriterTimeout,
    title: "A VSS writer timed out",
    explanation: Explanation {
        detects: "a writer whose last error is a timeout, VSS 12298 (writes could not be held) or volsnap 8 (flush and hold writes timed out).",
        why: "heavy I/O or a slow disk keeps the snapshot from freezing in time; the backup fails or skips the writer.",
        check: "disk load at backup time, other backup or antivirus software running at the same time.",
    },
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
    check: vss_writer_timeout,
};

/// VSS 8194 (IVssWriterCallback access denied) comes from the requester's own COM security:
/// harmless while backups succeed; a lead only when backups fail with access denied.
pub fn requester_com_security(a: &Analysis<'_>) -> Option<Assessment> {
    let denied = a.select(|k| matches!(k, SignalKind::VssError { id: 8194, .. }));
    if denied.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.2,
        bi(
            "VSS 8194: a writer could not call back into the requester (COM security)",
            "VSS 8194: ライターがリクエスターをコールバックできなかった (COM セキュリティ)",
        ),
        denied.iter().copied(),
    );
    if s.explain(a, &codes_for(Cause::RequesterComSecurity), None, None) == 0 {
        s.against(
            0.0,
            bi(
                "no backup failed with access denied: VSS 8194 is noise when backups succeed (Microsoft Q&A, restic #5170)",
                "アクセス拒否で失敗したバックアップはない: バックアップが成功している間の VSS 8194 はノイズ (Microsoft Q&A、restic #5170)",
            ),
        );
        s.cap(0.3);
    }
    Some(s)
}

/// VSS003: registered in `RULES`.
pub const VSS003: Rule = Rule {
    code: "VSS003",
    cause: Cause::RequesterComSecurity,
    title: "VSS 8194 access denied from the requester's COM security",
    explanation: Explanation {
        detects: "VSS 8194 (unexpected error querying for the IVssWriterCallback interface, usually 0x80070005).",
        why: "usually it does not; it is logged by the requester's own process security and is noise while backups succeed. It is a lead only when backups fail with access denied.",
        check: "whether any backup actually failed, and which requester ran.",
    },
    references: &[
        "libyal winevt-kb: vssvc.exe message table, event 8194 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-vssvc.exe.md)",
        "Microsoft Learn: Security considerations for writers (https://learn.microsoft.com/windows/win32/vss/security-considerations-for-writers)",
        "duplicati issue #3236: VSS error 8194 while backups succeed (https://github.com/duplicati/duplicati/issues/3236)",
    ],
    repair: &[step("Nothing to repair while backups succeed; if they fail with access denied, run the requester elevated", None, false, Risk::Low, None)],
    needs: &[LogKind::Application],
    check: requester_com_security,
};

/// VSS cannot create its COM classes (VSS 22, 32, 12292; 8193 with REGDB_E_CLASSNOTREG).
pub fn vss_com_registration_broken(a: &Analysis<'_>) -> Option<Assessment> {
    let mut broken = a.select(|k| {
        matches!(
            k,
            SignalKind::VssError {
                id: 22 | 32 | 12292,
                ..
            }
        )
    });
    // 8193 and others with a code that names a class not registered (REGDB_E_CLASSNOTREG, ...).
    for signal in a.vss_errors_pointing_to(Cause::VssComRegistrationBroken, 0.3) {
        if !broken.iter().any(|b| std::ptr::eq(*b, signal)) {
            broken.push(signal);
        }
    }
    if broken.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.45,
        bi(
            "VSS could not create a COM class it needs (not registered or cannot start)",
            "VSS が必要な COM クラスを作成できなかった (未登録または起動できない)",
        ),
        broken.iter().copied(),
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::VssComRegistrationBroken), since, None);
    Some(s)
}

/// VSS004: registered in `RULES`.
pub const VSS004: Rule = Rule {
    code: "VSS004",
    cause: Cause::VssComRegistrationBroken,
    title: "VSS COM classes are not registered or cannot start",
    explanation: Explanation {
        detects: "VSS 22 (a critical component is not registered), 32 (the coordinator class is not registered), 12292 (a provider's COM class cannot be created), 8193 with REGDB_E_CLASSNOTREG.",
        why: "without its COM registration VSS cannot create a snapshot at all.",
        check: "recent uninstalls of backup or storage software, and the registration of the Microsoft Software Shadow Copy Provider.",
    },
    references: &[
        "libyal winevt-kb: vssvc.exe message table, events 22, 32, 12292 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-vssvc.exe.md)",
        "Microsoft Learn: Backup fails with VSS event ID 12292 and 11 (KB2009513) (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/backup-fails-event-12292-11)",
    ],
    repair: &[
        step("Repair system files first", Some("sfc /scannow"), true, Risk::Low, None),
        step("Re-register the VSS components (last resort)", Some("cd /d %windir%\\system32 & net stop vss & regsvr32 /s ole32.dll & regsvr32 /s vss_ps.dll & vssvc /register & regsvr32 /s /i swprv.dll & regsvr32 /s /i eventcls.dll & regsvr32 /s es.dll & regsvr32 /s stdprov.dll & regsvr32 /s vssui.dll & regsvr32 /s msxml3.dll & net start vss"), true, Risk::Medium, Some("re-registering is a last resort; run it in an elevated prompt and restart afterwards")),
    ],
    needs: &[LogKind::Application],
    check: vss_com_registration_broken,
};

/// The COM+ Event System is down or damaged: VSS 13 for `CEventSystem`, EventSystem or SENS
/// disabled or failing, or `vssadmin list writers` listing no writer at all.
pub fn com_event_system_broken(a: &Analysis<'_>) -> Option<Assessment> {
    let vss13 = a.select(|k| matches!(k, SignalKind::VssError { id: 13, .. }));
    let services = a.select(|k| {
        matches!(k, SignalKind::ServiceStartType { service, disabled: true } if service == "EventSystem" || service == "SENS")
            || matches!(k, SignalKind::ServiceFailed { service: Some(service), .. } if service == "EventSystem" || service == "SENS")
    });
    let empty = a.select(|k| matches!(k, SignalKind::NoWriters));
    if vss13.is_empty() && services.is_empty() && empty.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.35,
        bi(
            "VSS could not start the COM+ Event System server (VSS 13)",
            "VSS が COM+ Event System サーバーを起動できなかった (VSS 13)",
        ),
        &vss13,
    );
    s.support_if(
        0.3,
        bi(
            "COM+ Event System or SENS is disabled or failing",
            "COM+ Event System または SENS が無効、または起動に失敗している",
        ),
        &services,
    );
    s.support_if(
        0.35,
        bi(
            "vssadmin listed no writer at all",
            "vssadmin がライターを 1 つも表示しなかった",
        ),
        &empty,
    );
    if empty.is_empty() && !a.has(LogKind::VssWriters) {
        s.missing(
            0.0,
            bi(
                "vssadmin list writers output (would show whether writers vanished)",
                "vssadmin list writers の出力 (ライターが消えたかどうかがわかる)",
            ),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::ComEventSystemBroken), since, None);
    Some(s)
}

/// VSS005: registered in `RULES`.
pub const VSS005: Rule = Rule {
    code: "VSS005",
    cause: Cause::ComEventSystemBroken,
    title: "The COM+ Event System is down or damaged; writers vanish",
    explanation: Explanation {
        detects: "VSS 13 for the CEventSystem server, the EventSystem or SENS service disabled or failing, and vssadmin list writers printing no writer at all.",
        why: "writers announce themselves through COM+ events; without them no writer answers and snapshots miss or fail.",
        check: "EventSystem and SENS start types, and the COM+ catalog (Microsoft Japan blog: all VSS writers vanish).",
    },
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
    check: com_event_system_broken,
};

/// Shadow copies deleted or aborted because their storage could not grow (volsnap 25, 35,
/// 36; 33 is routine pruning and weighs little).
pub fn shadow_storage_insufficient(a: &Analysis<'_>) -> Option<Assessment> {
    let aborted = a.select(|k| matches!(k, SignalKind::ShadowStorage { id: 25 | 35 | 36 }));
    let pruned = a.select(|k| matches!(k, SignalKind::ShadowStorage { id: 33 }));
    if aborted.is_empty() && pruned.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.45,
        bi(
            "shadow copies were aborted or deleted because their storage could not grow",
            "記憶域を拡張できなかったため、シャドウ コピーが中止または削除された",
        ),
        &aborted,
    );
    if !pruned.is_empty() {
        s.support(
            0.05,
            bi(
                "old shadow copies were deleted to stay within the storage limit",
                "記憶域の上限内に収めるために古いシャドウ コピーが削除された",
            ),
            pruned.iter().copied().take(1),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::ShadowStorageInsufficient), since, None);
    Some(s)
}

/// VSS006: registered in `RULES`.
pub const VSS006: Rule = Rule {
    code: "VSS006",
    cause: Cause::ShadowStorageInsufficient,
    title: "Shadow copy storage is too small or cannot grow",
    explanation: Explanation {
        detects: "volsnap 25, 35, 36 (shadow copies deleted or aborted because the storage could not grow or hit its limit); 33 (oldest copy deleted to stay under the limit) counts little.",
        why: "the snapshot vanishes during the backup, which then fails.",
        check: "vssadmin list shadowstorage (used and maximum size) and free space on the volume.",
    },
    references: &[
        "libyal winevt-kb: volsnap.sys message table, events 25, 33, 35, 36 (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-volsnap.sys.md)",
        "Microsoft Learn: vssadmin resize shadowstorage (https://learn.microsoft.com/windows-server/administration/windows-commands/vssadmin-resize-shadowstorage)",
    ],
    repair: &[
        step("Show the shadow storage use and limit", Some("vssadmin list shadowstorage"), true, Risk::Low, None),
        step("Raise the limit (for example to 10%) and free space on the volume", Some("vssadmin resize shadowstorage /for=C: /on=C: /maxsize=10%"), true, Risk::Medium, Some("raising the limit uses disk space; shrinking it deletes existing shadow copies")),
    ],
    needs: &[LogKind::System],
    check: shadow_storage_insufficient,
};

/// The System Writer (hosted by Cryptographic Services) cannot list the system files: it is
/// missing from a complete `vssadmin list writers`, CAPI2 513 reports it failing, or backups
/// fail with 0x80780102 "System writer is not found in the backup". Sources: Microsoft
/// NTDebugging blog "Missing System Writer Case Explained" (2013); KB2009272 (the ACLs on
/// `winsxs\temp\PendingRenames` and `winsxs\filemaps`); askcorejp 2012-06-27.
pub fn system_writer_permissions(a: &Analysis<'_>) -> Option<Assessment> {
    let missing = a.select(|k| matches!(k, SignalKind::SystemWriterMissing));
    let failing = a.select(|k| matches!(k, SignalKind::SystemWriterError));
    let coded = a.failures_pointing_to(Cause::SystemWriterPermissions, 0.5);
    if missing.is_empty() && failing.is_empty() && coded.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.4,
        bi(
            "the writer listing has no System Writer",
            "ライターの一覧に System Writer がない",
        ),
        &missing,
    );
    s.support_if(
        0.3,
        bi(
            "Cryptographic Services failed in the System Writer (CAPI2 513)",
            "Cryptographic Services が System Writer の処理で失敗した (CAPI2 513)",
        ),
        &failing,
    );
    if !coded.is_empty() {
        s.support(
            0.2,
            bi(
                "backups failed because the System Writer was not found",
                "System Writer が見つからないためにバックアップが失敗した",
            ),
            coded.iter().copied(),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::SystemWriterPermissions), since, None);
    Some(s)
}

/// VSS007: registered in `RULES`.
pub const VSS007: Rule = Rule {
    code: "VSS007",
    cause: Cause::SystemWriterPermissions,
    title: "The System Writer cannot list the system files (permissions on Windows folders or its service)",
    explanation: Explanation {
        detects: "a complete `vssadmin list writers` without the System Writer, CAPI2 513 errors from the System Writer's OnIdentity (other than AddLegacyDriverFiles), and backups failing with 0x80780102 (System writer is not found in the backup).",
        why: "system state and system image backups need the System Writer, which runs in Cryptographic Services and must read every system file and service it reports; when tightened permissions (on %windir%\\winsxs\\temp\\PendingRenames, %windir%\\winsxs\\filemaps, or a service's security descriptor) stop it, it drops out of the listing and the backup fails.",
        check: "whether `vssadmin list writers` shows the System Writer after a restart of Cryptographic Services, the CAPI2 513 text (which file or service it names), and recent permission hardening or folder moves.",
    },
    references: &[
        "Microsoft NTDebugging blog: Missing System Writer Case Explained (https://blogs.msdn.microsoft.com/ntdebugging/2013/08/27/missing-system-writer-case-explained/)",
        "Microsoft Learn: In-box VSS writers, the System Writer runs in Cryptographic Services (https://learn.microsoft.com/windows/win32/vss/in-box-vss-writers)",
        "Microsoft KB2009272: the System Writer is not found in the backup (https://support.microsoft.com/kb/2009272)",
    ],
    repair: &[
        step("Restart Cryptographic Services and list the writers again", Some("net stop cryptsvc & net start cryptsvc & vssadmin list writers"), true, Risk::Low, None),
        step("Give the System Writer back its access (KB2009272), then restart Cryptographic Services", Some("takeown /f %windir%\\winsxs\\temp\\PendingRenames /a & icacls %windir%\\winsxs\\temp\\PendingRenames /grant \"NT AUTHORITY\\SYSTEM:(RX)\" /grant \"NT Service\\trustedinstaller:(F)\" /grant BUILTIN\\Users:(RX) & takeown /f %windir%\\winsxs\\filemaps\\* /a & icacls %windir%\\winsxs\\filemaps\\*.* /grant \"NT AUTHORITY\\SYSTEM:(RX)\" /grant \"NT Service\\trustedinstaller:(F)\" /grant BUILTIN\\Users:(RX)"), true, Risk::Medium, Some("changes ACLs under %windir%\\winsxs: run exactly these commands, from an elevated prompt")),
        step("If CAPI2 513 names a service, compare its security descriptor with a healthy machine's", Some("sc sdshow <service>"), true, Risk::Low, None),
    ],
    needs: &[LogKind::Application, LogKind::VssWriters],
    check: system_writer_permissions,
};

/// A third-party VSS provider (a storage array's hardware provider, a backup product's software
/// provider) is registered and snapshots fail with a provider error (0x80042306 VSS_E_PROVIDER_VETO,
/// 0x8004230F VSS_E_UNEXPECTED_PROVIDER_ERROR). Sources: Microsoft Learn, "list providers"
/// (only the Microsoft Software Shadow Copy provider on a default system); "Error Handling in
/// Shadow Copy Providers".
pub fn third_party_vss_provider(a: &Analysis<'_>) -> Option<Assessment> {
    let providers = a.select(|k| matches!(k, SignalKind::ThirdPartyProvider { .. }));
    if providers.is_empty() {
        return None;
    }
    let names: Vec<String> = providers
        .iter()
        .filter_map(|p| match &p.kind {
            SignalKind::ThirdPartyProvider { name } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut s = Assessment::default();
    s.support(
        0.35,
        bi(
            format!("a third-party VSS provider is registered: {}", names.join(", ")),
            format!(
                "サードパーティ製 VSS プロバイダーが登録されている: {}",
                names.join(", ")
            ),
        ),
        providers.iter().copied(),
    );
    if s.explain(a, &codes_for(Cause::ThirdPartyVssProvider), None, None) == 0 {
        s.missing(
            0.1,
            bi(
                "a backup failure with a provider error (0x80042306, 0x8004230F)",
                "プロバイダー エラー (0x80042306、0x8004230F) によるバックアップの失敗",
            ),
        );
    }
    Some(s)
}

/// VSS008: registered in `RULES`.
pub const VSS008: Rule = Rule {
    code: "VSS008",
    cause: Cause::ThirdPartyVssProvider,
    title: "A third-party VSS provider interferes with shadow copies",
    explanation: Explanation {
        detects: "`vssadmin list providers` listing a provider other than Microsoft's, with backups failing with a provider error (0x80042306 VSS_E_PROVIDER_VETO, 0x8004230F VSS_E_UNEXPECTED_PROVIDER_ERROR).",
        why: "VSS gives each volume to the provider registered for it; a storage array's hardware provider or a backup product's software provider that fails vetoes the whole shadow copy set, and one left behind by an uninstalled product keeps failing.",
        check: "which product installed the provider (vssadmin list providers), whether it is still needed, and the provider's own log for the failure time.",
    },
    references: &[
        "Microsoft Learn: list providers (https://learn.microsoft.com/windows-server/administration/windows-commands/list-providers)",
        "Microsoft Learn: Error Handling in Shadow Copy Providers (https://learn.microsoft.com/windows/win32/vss/error-handling-in-shadow-copy-providers)",
    ],
    repair: &[
        step("List the providers and find the product each belongs to", Some("vssadmin list providers"), true, Risk::Low, None),
        step("Update or repair the product that owns the third-party provider; if it is no longer used, uninstall it", None, true, Risk::Medium, Some("uninstall through the product's own installer; never delete a provider's registry keys by hand")),
        step("Run the backup again with only the Microsoft provider in use", None, false, Risk::Low, None),
    ],
    needs: &[LogKind::VssWriters, LogKind::Application],
    check: third_party_vss_provider,
};

/// A driver breaks shadow copies: VSS 12289/8193 "CreateFileW(\\?\GLOBALROOT\Device\
/// HarddiskVolumeShadowCopyN\...) hr = 0x80070001, Incorrect function" (the new shadow copy
/// device cannot be opened: a file-system or filter driver in the way; OpenZFS for Windows
/// issues 406 and ZFSin 354), and a blank entry in a class filter list (Actiphy KB, Exit Code
/// -311). The floppy variant of 0x80070001 is harmless and recognised as such before this.
pub fn driver_conflict(a: &Analysis<'_>) -> Option<Assessment> {
    let unreadable = super::phrased::phrases(a, &["shadow-device-unreadable"]);
    let filters = super::phrased::phrases(a, &["upper-filters"]);
    let mut s = Assessment::default();
    s.support_if(
        0.45,
        bi(
            "the new shadow copy device could not be opened (CreateFileW on HarddiskVolumeShadowCopy, 0x80070001 Incorrect function): a driver stands in the way",
            "作成したシャドウ コピー デバイスを開けなかった (HarddiskVolumeShadowCopy への CreateFileW、0x80070001 ファンクションが間違っています): ドライバーが妨げている",
        ),
        &unreadable,
    );
    s.support_if(
        0.4,
        bi(
            "a class filter driver list holds a blank entry (a filter driver registered or removed badly)",
            "クラス フィルター ドライバーの一覧に空の項目がある (フィルター ドライバーの登録または削除が不完全)",
        ),
        &filters,
    );
    if !s.has_own_evidence() {
        return None;
    }
    let since = s.first();
    s.explain(a, &[], since, None);
    Some(s)
}

/// VSS009: registered in `RULES`.
pub const VSS009: Rule = Rule {
    code: "VSS009",
    cause: Cause::DriverConflict,
    title: "A file-system or filter driver breaks shadow copies",
    explanation: Explanation {
        detects: "VSS 12289 or 8193 \"CreateFileW(\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopyN\\,...) hr = 0x80070001, Incorrect function\" (not the harmless floppy variant), and a blank entry in a volume or disk class UpperFilters/LowerFilters list.",
        why: "every shadow copy passes through the file-system and volume filter drivers; a driver that cannot handle the new shadow copy device (a third-party file system, an old backup, encryption or antivirus filter, or a filter list left broken by an uninstall) makes every requester fail alike.",
        check: "which drivers were installed or removed just before the failures began, `fltmc filters` and `fltmc instances`, and the volume class filter list (`reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{71A27CDD-812A-11D0-BEC7-08002BE2092F} /v UpperFilters`).",
    },
    references: &[
        "OpenZFS for Windows issue 406: VSS 12289 CreateFileW HarddiskVolumeShadowCopy 0x80070001 after the driver was installed (https://github.com/openzfsonwindows/openzfs/issues/406)",
        "Microsoft Learn: fltmc (https://learn.microsoft.com/windows-server/administration/windows-commands/fltmc)",
        "Microsoft Learn: Filter drivers, UpperFilters and LowerFilters registry values (https://learn.microsoft.com/windows-hardware/drivers/install/inf-addreg-directive)",
    ],
    repair: &[
        step("List the file-system filters and the volume class filters", Some("fltmc filters & reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{71A27CDD-812A-11D0-BEC7-08002BE2092F} /v UpperFilters"), true, Risk::Low, None),
        step("Update or uninstall the driver installed just before the failures began (through its product's installer), then restart", None, true, Risk::Medium, Some("remove drivers through their product's uninstaller; a filter removed by hand can leave the machine unable to boot")),
        step("If the filter list holds a blank entry left by an uninstall, have the product's vendor (or its documented procedure) correct the list, then restart", None, true, Risk::High, Some("a wrong UpperFilters value for the volume or disk class can make every volume disappear at the next boot: export the key first")),
    ],
    needs: &[LogKind::Application, LogKind::System],
    check: driver_conflict,
};

#[cfg(test)]
mod tests {
    use super::{VSS001, VSS002, VSS003, VSS004, VSS005, VSS006, VSS007, VSS008, VSS009};
    use crate::model::ProviderInfo;
    use crate::model::{FactKind, WriterState};
    use crate::rules::testing::{confidence, CaseBuilder};

    fn writer(state: u8, error: &str) -> FactKind {
        FactKind::VssWriter(WriterState {
            name: "System Writer".into(),
            writer_id: "{e8132975-6f93-4464-a53e-1050253ae220}".into(),
            instance_id: "{00000000-0000-0000-0000-000000000000}".into(),
            state,
            state_text: "Failed".into(),
            last_error: error.into(),
        })
    }

    #[test]
    fn each_vss_cause_from_its_own_evidence() {
        let failure = |b: CaseBuilder| b.failure("2024-05-20T10:01:00Z", "0x81000019").build();
        // (rule, what, case, lowest, highest)
        let cases = [
            (
                &VSS001,
                "a failed writer",
                failure(CaseBuilder::new().fact(writer(8, "Non-retryable error"))),
                0.5,
                0.97,
            ),
            (
                &VSS001,
                "a stable writer",
                failure(CaseBuilder::new().fact(writer(1, "No error"))),
                0.0,
                0.0,
            ),
            (
                &VSS002,
                "a writer that timed out",
                failure(CaseBuilder::new().fact(writer(9, "Timed out"))),
                0.3,
                0.97,
            ),
            (
                &VSS001,
                "a timeout is not a failure",
                failure(CaseBuilder::new().fact(writer(9, "Timed out"))),
                0.0,
                0.0,
            ),
            (
                &VSS003,
                "8194 while backups succeed: noise",
                CaseBuilder::new()
                    .event("2024-05-20T10:00:00Z", "VSS", 8194, &[("%1", "0x80070005")])
                    .success("2024-05-20T10:01:00Z")
                    .build(),
                0.0,
                0.45,
            ),
            (
                &VSS004,
                "VSS 22",
                failure(CaseBuilder::new().event("2024-05-20T10:00:00Z", "VSS", 22, &[("%1", "x")])),
                0.4,
                0.97,
            ),
            (
                &VSS005,
                "VSS 13",
                failure(CaseBuilder::new().event(
                    "2024-05-20T10:00:00Z",
                    "VSS",
                    13,
                    &[("%1", "{x}"), ("%2", "CEventSystem"), ("%3", "0x80070422")],
                )),
                0.4,
                0.97,
            ),
            (
                &VSS006,
                "volsnap 25",
                failure(CaseBuilder::new().event("2024-05-20T09:00:00Z", "volsnap", 25, &[("%1", "x")])),
                0.4,
                0.97,
            ),
            (&VSS006, "nothing", failure(CaseBuilder::new()), 0.0, 0.45),
        ];
        for (rule, what, case, low, high) in cases {
            let c = confidence(rule, &case);
            assert!((low..=high).contains(&c), "{} {what}: {c}", rule.code);
        }
    }

    fn named(name: &str) -> FactKind {
        let FactKind::VssWriter(mut w) = writer(1, "No error") else {
            unreachable!("writer() builds a writer")
        };
        w.name = name.to_string();
        FactKind::VssWriter(w)
    }

    #[test]
    fn a_listing_without_the_system_writer_and_its_failures() {
        let others = [
            "Task Scheduler Writer",
            "VSS Metadata Store Writer",
            "ASR Writer",
            "Registry Writer",
            "WMI Writer",
            "COM+ REGDB Writer",
        ];
        let mut missing = CaseBuilder::new();
        for name in others {
            missing = missing.fact(named(name));
        }
        let with_failure = missing
            .clone_events()
            .failure("2024-05-20T10:01:00Z", "0x80780102")
            .build();
        let c = confidence(&VSS007, &with_failure);
        assert!(c >= 0.75, "a missing System Writer and 0x80780102: {c}");
        assert!(confidence(&VSS007, &missing.build()) >= 0.4, "the listing alone");
        // A cut-off listing (three writers) says nothing; nor does one with the System Writer.
        let cut = CaseBuilder::new()
            .fact(named("ASR Writer"))
            .fact(named("WMI Writer"))
            .fact(named("BITS Writer"))
            .build();
        assert_eq!(confidence(&VSS007, &cut), 0.0);
        let mut whole = CaseBuilder::new().fact(named("System Writer"));
        for name in others {
            whole = whole.fact(named(name));
        }
        assert_eq!(confidence(&VSS007, &whole.build()), 0.0);
        // The harmless CAPI2 513 (AddLegacyDriverFiles) does not count; another 513 does.
        let harmless = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "Microsoft-Windows-CAPI2",
                513,
                &[(
                    "%1",
                    "Details: AddLegacyDriverFiles: Unable to back up image of binary mslldp.",
                )],
            )
            .failure("2024-05-20T10:01:00Z", "0x81000019")
            .build();
        assert_eq!(confidence(&VSS007, &harmless), 0.0);
        let onidentity = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "Microsoft-Windows-CAPI2",
                513,
                &[(
                    "%1",
                    "Details: AddCoreCsiFiles : BeginFileEnumeration() failed. System Error: Access is denied.",
                )],
            )
            .failure("2024-05-20T10:01:00Z", "0x81000019")
            .build();
        assert!(confidence(&VSS007, &onidentity) > 0.0);
    }

    #[test]
    fn a_third_party_provider_and_its_vetoes() {
        let provider = |name: &str| {
            FactKind::VssProvider(ProviderInfo {
                name: name.into(),
                provider_type: "Hardware".into(),
                provider_id: "{3e7b2f91-8c4d-4a5e-9b16-0d2c7a84e5f3}".into(),
                version: "4.2.1.0".into(),
            })
        };
        let vetoed = CaseBuilder::new()
            .fact(provider("Contoso Storage VSS Hardware Provider"))
            .failure("2024-05-20T10:00:00Z", "0x80042306")
            .build();
        assert!(confidence(&VSS008, &vetoed) >= 0.5);
        let microsoft = CaseBuilder::new()
            .fact(provider("Microsoft Software Shadow Copy provider 1.0"))
            .failure("2024-05-20T10:00:00Z", "0x80042306")
            .build();
        assert!(
            confidence(&VSS008, &microsoft) < 0.5,
            "only Microsoft's provider: the veto code alone, low"
        );
    }

    #[test]
    fn a_shadow_device_that_cannot_be_opened_is_a_driver_and_the_floppy_variant_is_not() {
        let unreadable = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "VSS",
                12289,
                &[
                    (
                        "%1",
                        "CreateFileW(\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy2\\,0x80000000,0x00000003,...)",
                    ),
                    ("%2", "hr = 0x80070001, Incorrect function."),
                ],
            )
            .failure("2024-05-20T10:01:00Z", "0x80042306")
            .build();
        // The routine (%1) and its hr (%2) read as the message shows them, on one line.
        assert!(confidence(&VSS009, &unreadable) >= 0.5);
        let one_line = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "VSS",
                12289,
                &[("%1", "CreateFileW(\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy2\\,0x80000000,0x00000003,...).  hr = 0x80070001, Incorrect function.")],
            )
            .failure("2024-05-20T10:01:00Z", "0x80042306")
            .build();
        assert!(confidence(&VSS009, &one_line) >= 0.5);
        let floppy = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "VSS",
                12289,
                &[("%1", "DeviceIoControl(\\\\?\\fdc#generic_floppy_drive#6&1234&0&0#{53f5630d-b6bf-11d0-94f2-00a0c91efb8b} - 0000000000000200,0x00560000,...).  hr = 0x80070001, Incorrect function.")],
            )
            .failure("2024-05-20T10:01:00Z", "0x80042306")
            .build();
        assert_eq!(confidence(&VSS009, &floppy), 0.0, "the virtual floppy is harmless");
    }
}
