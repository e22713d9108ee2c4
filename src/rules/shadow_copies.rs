//! The shadow copy set itself as the cause: the volume has reached its limit of shadow copies
//! (SHD001), a writer's data lies outside the set (SHD002), the writers' diagnostic key denies
//! access (SHD003).

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::phrased::{named_cause, phrases, Explains};
use super::repair::step;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

const VSS_ERRORS: &str = "Microsoft Learn: VSS error codes (https://learn.microsoft.com/windows/win32/vss/volume-shadow-copy-api-error-codes)";

/// The volume has reached its maximum of shadow copies: VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED
/// 0x80042317 (vsserror.h; AddToSnapshotSet "The volume has been added to the maximum number of
/// shadow copy sets"), 64 per volume by default (MaxShadowCopies, Microsoft Learn).
pub fn snapshot_limit_reached(a: &Analysis<'_>) -> Option<Assessment> {
    named_cause(
        a,
        Cause::SnapshotLimitReached,
        &["max-snapshots"],
        0.5,
        bi(
            "the volume has reached its maximum number of shadow copies",
            "ボリュームのシャドウ コピーが最大数に達している",
        ),
        Explains::Codes,
    )
}

/// SHD001: registered in `RULES`.
pub const SHD001: Rule = Rule {
    code: "SHD001",
    cause: Cause::SnapshotLimitReached,
    title: "The volume has reached its maximum number of shadow copies",
    explanation: Explanation {
        detects: "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED 0x80042317 (\"The specified volume has already reached its maximum number of shadow copies.\") in a requester's log or a failed backup.",
        why: "a volume holds at most 64 shadow copies by default (MaxShadowCopies); shadow copies left by an interrupted requester, or kept by Shadow Copies of Shared Folders up to the limit, leave no room: new ones fail, or the oldest are deleted to make room.",
        check: "`vssadmin list shadows /for=X:` (how many, of which type and requester), and whether a backup tool was interrupted or left its shadow copies behind.",
    },
    references: &[
        VSS_ERRORS,
        "Microsoft Learn: vssadmin list shadows / delete shadows (https://learn.microsoft.com/windows-server/administration/windows-commands/vssadmin-delete-shadows)",
    ],
    repair: &[
        step("Count the shadow copies of the volume and see which requester made them", Some("vssadmin list shadows /for=C:"), true, Risk::Low, None),
        step("Delete the oldest shadow copies the backup no longer needs", Some("vssadmin delete shadows /for=C: /oldest"), true, Risk::High, Some("deleted shadow copies are gone, with the previous versions and restore points they hold: delete only ones nobody needs")),
    ],
    needs: &[LogKind::Application],
    check: snapshot_limit_reached,
};

/// A writer's data lies outside the snapshot set: VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT
/// 0x800423F0 ("the shadow copy set only contains a subset of the volumes needed"), a writer
/// listed with "Inconsistent shadow copy" (KB 913642: NTDS logs moved to another volume).
pub fn writer_data_outside_backup_set(a: &Analysis<'_>) -> Option<Assessment> {
    let listed = a.select(|k| {
        matches!(k, SignalKind::WriterState { error, .. } if error.to_ascii_lowercase().contains("inconsistent shadow copy"))
    });
    let mut s = named_cause(
        a,
        Cause::WriterDataOutsideBackupSet,
        &["inconsistent-snapshot"],
        0.45,
        bi(
            "a writer reports an inconsistent shadow copy: its data lies on a volume outside the set",
            "ライターが一貫性のないシャドウ コピーを報告: そのデータがセットに含まれないボリュームにある",
        ),
        Explains::Codes,
    )
    .unwrap_or_default();
    s.support_if(
        0.45,
        bi(
            "vssadmin lists a writer failed with \"Inconsistent shadow copy\"",
            "vssadmin で \"Inconsistent shadow copy\" により失敗したライターが表示される",
        ),
        &listed,
    );
    if !s.has_own_evidence() {
        return None;
    }
    if s.explained_runs().is_empty() {
        s.explain(
            a,
            &super::score::codes_for(Cause::WriterDataOutsideBackupSet),
            None,
            None,
        );
    }
    Some(s)
}

/// SHD002: registered in `RULES`.
pub const SHD002: Rule = Rule {
    code: "SHD002",
    cause: Cause::WriterDataOutsideBackupSet,
    title: "A writer's data lies on a volume the backup does not include",
    explanation: Explanation {
        detects: "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT 0x800423F0 and a writer listed with \"Inconsistent shadow copy\" (`vssadmin list writers`).",
        why: "a writer (Active Directory, SQL Server, Exchange, Hyper-V) reports all the files of its components; when some of them lie on a volume that is not in the shadow copy set (logs moved to their own disk, a VM's disk on another volume), the writer refuses the snapshot as inconsistent.",
        check: "where the writer's files live (`vssadmin list writers`, `diskshadow` LIST WRITERS DETAILED) against the volumes in the backup.",
    },
    references: &[
        VSS_ERRORS,
        "Microsoft KB 913642: system state backup fails with 0x800423f0 after the AD log files were moved (https://support.microsoft.com/kb/913642)",
    ],
    repair: &[
        step("List the writer's files and the volumes they are on", Some("vssadmin list writers"), true, Risk::Low, None),
        step("Include every volume that holds the writer's files in the backup (or the shadow copy set), or move the files back to a volume that is included", None, true, Risk::Medium, Some("move databases and logs only with the application's own tools (ntdsutil, SQL Server, Hyper-V storage migration)")),
    ],
    needs: &[LogKind::VssWriters, LogKind::Application],
    check: writer_data_outside_backup_set,
};

/// VSS 8193 "RegOpenKeyExW(...,SYSTEM\\CurrentControlSet\\Services\\VSS\\Diag,...). hr =
/// 0x80070005": Network Service lost its access to the VSS\\Diag key (KB 2298620: after the
/// DHCP Server role; harmless for VSS itself there, so a failure must go with it to matter).
pub fn vss_diag_key_permissions(a: &Analysis<'_>) -> Option<Assessment> {
    let denied = phrases(a, &["vss-diag-denied"]);
    if denied.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.3,
        bi(
            "VSS was denied access to its VSS\\Diag registry key (8193, 0x80070005)",
            "VSS が VSS\\Diag レジストリ キーへのアクセスを拒否された (8193、0x80070005)",
        ),
        denied.iter().copied(),
    );
    let since = s.first();
    if s.explain(a, &[0x8004_2318, 0x8004_230F, 0x8100_0019, 0x8078_0102], since, None) == 0 {
        s.against(
            0.1,
            bi(
                "no backup failure goes with it: Microsoft says the event alone can be ignored (KB 2298620)",
                "これに伴うバックアップの失敗がない: このイベントだけなら無視してよいと Microsoft は説明しています (KB 2298620)",
            ),
        );
    }
    Some(s)
}

/// SHD003: registered in `RULES`.
pub const SHD003: Rule = Rule {
    code: "SHD003",
    cause: Cause::VssDiagKeyPermissions,
    title: "VSS is denied its diagnostic registry key (VSS\\Diag)",
    explanation: Explanation {
        detects: "VSS 8193 \"Unexpected error calling routine RegOpenKeyExW(...,SYSTEM\\CurrentControlSet\\Services\\VSS\\Diag,...). hr = 0x80070005, Access is denied.\"",
        why: "VSS and every writer write diagnostics under HKLM\\SYSTEM\\CurrentControlSet\\Services\\VSS\\Diag; a role or tool that rewrites the key's permissions (the DHCP Server role, KB 2298620) leaves Network Service without access. Microsoft documents the event alone as harmless; with failing backups and writers that run as Network Service, the key's permissions are worth restoring.",
        check: "the permissions of the VSS\\Diag key (Network Service must be there), and whether the backups fail at the same time as the 8193 events.",
    },
    references: &[
        "Microsoft KB 2298620: VSS event ID 8193 when you restart Cryptographic Services after you install the DHCP role (https://support.microsoft.com/kb/2298620)",
    ],
    repair: &[
        step("Look at the key's permissions", Some("powershell \"(Get-Acl HKLM:\\System\\CurrentControlSet\\Services\\VSS\\Diag).Sddl\""), true, Risk::Low, None),
        step("Give Network Service its access on the key back as KB 2298620 shows (its SDDL, through Set-Acl), then restart Cryptographic Services", None, true, Risk::Medium, Some("use the SDDL from the KB for your Windows version and save the current one first")),
    ],
    needs: &[LogKind::Application],
    check: vss_diag_key_permissions,
};

#[cfg(test)]
mod tests {
    use super::{SHD001, SHD002, SHD003};
    use crate::model::{FactKind, WriterState};
    use crate::rules::testing::{confidence, phrase, CaseBuilder};

    #[test]
    fn the_shadow_copy_limit_is_named_by_its_code_name() {
        let full = CaseBuilder::new()
            .fact(phrase("max-snapshots"))
            .failure("2024-05-20T10:00:00Z", "0x80042317")
            .build();
        assert!(confidence(&SHD001, &full) >= 0.5);
        let other = CaseBuilder::new().failure("2024-05-20T10:00:00Z", "0x80042306").build();
        assert_eq!(confidence(&SHD001, &other), 0.0);
    }

    #[test]
    fn an_inconsistent_shadow_copy_writer_points_outside_the_set() {
        let writer = FactKind::VssWriter(WriterState {
            name: "NTDS".into(),
            writer_id: "{b2014c9e-8711-4c5c-a5a9-3cf384484757}".into(),
            instance_id: "{d0e1f2a3-0000-0000-0000-000000000000}".into(),
            state: 8,
            state_text: "Failed".into(),
            last_error: "Inconsistent shadow copy".into(),
        });
        let case = CaseBuilder::new()
            .fact(writer)
            .failure("2024-05-20T10:00:00Z", "0x800423F0")
            .build();
        assert!(confidence(&SHD002, &case) >= 0.5);
    }

    #[test]
    fn the_diag_key_event_alone_stays_low_and_counts_beside_failures() {
        let alone = confidence(&SHD003, &CaseBuilder::new().fact(phrase("vss-diag-denied")).build());
        assert!(alone > 0.0 && alone < 0.5, "{alone}");
        let failing = CaseBuilder::new()
            .fact(phrase("vss-diag-denied"))
            .failure("2024-05-20T10:00:00Z", "0x81000019")
            .build();
        assert!(confidence(&SHD003, &failing) > alone);
    }
}
