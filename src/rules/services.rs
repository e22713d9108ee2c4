//! SVC001 required-service-disabled.

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::repair::step;
use super::score::codes_for;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

/// Services Windows Backup and VSS need (seed story 001; Microsoft community threads on
/// 0x80070422; `docs/research/causes.md`).
pub const REQUIRED: &[&str] = &[
    "RpcSs",
    "wbengine",
    "VSS",
    "swprv",
    "EventSystem",
    "SENS",
    "SDRSVC",
    "CryptSvc",
];

/// A required service set to disabled (SCM 7040), services refusing to start because they are
/// disabled (SCM 7000/7001/7023 with error 1058), and backups failing with 0x80070422.
pub fn required_service_disabled(a: &Analysis<'_>) -> Option<Assessment> {
    let disabled = a.select(|k| matches!(k, SignalKind::ServiceStartType { service, disabled: true } if REQUIRED.contains(&service.as_str())));
    let refused = a.select(|k| {
        matches!(k, SignalKind::ServiceFailed { service: Some(service), error: Some(1058 | 1068) }
            if REQUIRED.contains(&service.as_str()))
    });
    let coded = !a.failures_pointing_to(Cause::RequiredServiceDisabled, 0.5).is_empty();
    if disabled.is_empty() && refused.is_empty() && !coded {
        return None;
    }
    let mut s = Assessment::default();
    let names = |signals: &[&crate::signals::Signal]| {
        let mut names: Vec<String> = signals
            .iter()
            .filter_map(|sig| match &sig.kind {
                SignalKind::ServiceStartType { service, .. } => Some(service.clone()),
                SignalKind::ServiceFailed { service, .. } => service.clone(),
                _ => None,
            })
            .collect();
        names.sort();
        names.dedup();
        names.join(", ")
    };
    let (off, refusing) = (names(&disabled), names(&refused));
    s.support_if(
        0.45,
        bi(
            format!("required service(s) set to disabled: {off}"),
            format!("必要なサービスが無効に設定された: {off}"),
        ),
        &disabled,
    );
    s.support_if(
        0.2,
        bi(
            format!("service(s) refused to start because disabled (error 1058): {refusing}"),
            format!("無効に設定されているためサービスを開始できなかった (エラー 1058): {refusing}"),
        ),
        &refused,
    );
    if disabled.is_empty() && refused.is_empty() {
        s.missing(
            0.05,
            bi(
                "the SCM 7040/7000 events naming the disabled service (System log)",
                "無効になったサービスを示す SCM 7040/7000 のイベント (システム ログ)",
            ),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::RequiredServiceDisabled), since, None);
    resolution(a, &disabled, &mut s);
    Some(s)
}

/// SVC001: registered in `RULES`.
pub const SVC001: Rule = Rule {
    code: "SVC001",
    cause: Cause::RequiredServiceDisabled,
    title: "A service backups need is disabled",
    explanation: Explanation {
        detects: "Service Control Manager 7040 setting a required service to disabled (param4 holds the language-neutral key: RpcSs, wbengine, VSS, swprv, EventSystem, SENS, SDRSVC, CryptSvc), 7000/7001/7023 failures with error 1058 (disabled) or 1068 (dependency failed), and backups failing with 0x80070422 (HRESULT of 1058).",
        why: "Windows Backup cannot start its engine or create shadow copies while these are disabled.",
        check: "services.msc start types (RpcSs Automatic; wbengine, VSS, swprv, SDRSVC Manual; EventSystem and SENS Automatic) and what disabled them (cleanup tools, malware, an old image).",
    },
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
    check: required_service_disabled,
};

/// Resolved when every service seen disabled was enabled again afterwards.
fn resolution(a: &Analysis<'_>, disabled: &[&crate::signals::Signal], s: &mut Assessment) {
    let mut enabled_again = Vec::new();
    for signal in disabled {
        let SignalKind::ServiceStartType { service, .. } = &signal.kind else {
            continue;
        };
        let later = a.signals.iter().find(|other| {
            other.time > signal.time
                && matches!(&other.kind, SignalKind::ServiceStartType { service: s2, disabled: false } if s2 == service)
        });
        match later {
            Some(enable) => enabled_again.push((service.clone(), enable.time)),
            None => return,
        }
    }
    if let Some(when) = enabled_again.iter().filter_map(|(_, t)| *t).max() {
        let names: Vec<String> = enabled_again.iter().map(|(n, _)| n.clone()).collect();
        s.resolved(
            when,
            bi(
                format!("{} enabled again by {}", names.join(", "), when.strftime("%Y-%m-%d")),
                format!(
                    "{} が {}までに再び有効に設定された",
                    names.join(", "),
                    when.strftime("%Y年%-m月%-d日")
                ),
            ),
        );
    }
}

/// A service's ImagePath points to a file or volume that does not exist: the System Writer
/// cannot enumerate the service's files and system state backups fail with 0x8078010D
/// ("Enumeration of the files failed"); SCM 7000 names the service ("The system cannot find
/// the path specified"). Sources: Microsoft KB968247, KB980794.
pub fn invalid_service_imagepath(a: &Analysis<'_>) -> Option<Assessment> {
    let missing = a.select(|k| matches!(k, SignalKind::ServiceFailed { error: Some(2 | 3), .. }));
    let coded = a.failures_pointing_to(Cause::InvalidServiceImagepath, 0.4);
    if coded.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        0.3,
        bi(
            "system state backups failed: enumeration of the files failed",
            "システム状態のバックアップが失敗した: ファイルの列挙に失敗した",
        ),
        coded.iter().copied(),
    );
    s.support_if(
        0.3,
        bi(
            "a service cannot start: its file or path is not found",
            "サービスを開始できない: ファイルまたはパスが見つからない",
        ),
        &missing,
    );
    if missing.is_empty() {
        s.missing(
            0.05,
            bi(
                "SCM 7000 naming the service whose path is not found (System log)",
                "パスが見つからないサービスを示す SCM 7000 (システム ログ)",
            ),
        );
    }
    s.explain(a, &codes_for(Cause::InvalidServiceImagepath), None, None);
    Some(s)
}

/// SVC002: registered in `RULES`.
pub const SVC002: Rule = Rule {
    code: "SVC002",
    cause: Cause::InvalidServiceImagepath,
    title: "A service's ImagePath points nowhere, so system state files cannot be enumerated",
    explanation: Explanation {
        detects: "system state or bare-metal backups failing with 0x8078010D (Enumeration of the files failed), with SCM 7000 for a service whose file or path is not found (error 2 or 3).",
        why: "the System Writer lists the binary of every service; an ImagePath left by an uninstalled program, or pointing to a volume that is gone, makes the enumeration fail and the whole system state backup with it.",
        check: "the services whose ImagePath does not resolve (the System log's SCM 7000, or the backup's error log under C:\\Windows\\Logs\\WindowsServerBackup), and where each path points.",
    },
    references: &[
        "Microsoft Learn: System State backup fails when an invalid ImagePath is specified for services (KB968247) (https://learn.microsoft.com/troubleshoot/windows-server/backup-and-storage/system-state-backup-fails-invalid-imagepath)",
        "Microsoft KB980794: Enumeration of the files failed, the parameter is incorrect (https://support.microsoft.com/kb/980794)",
    ],
    repair: &[
        step("Find the service whose file is missing (SCM 7000, or the backup's error log)", Some("sc qc <service>"), true, Risk::Low, None),
        step("Correct the service's ImagePath, or remove a service left by an uninstalled program", Some("sc config <service> binPath= \"<full path>\"   (or: sc delete <service>)"), true, Risk::Medium, Some("export HKLM\\SYSTEM\\CurrentControlSet\\Services\\<service> first; deleting a service is final")),
        step("Run the system state backup again", Some("wbadmin start systemstatebackup -backupTarget:E:"), true, Risk::Low, None),
    ],
    needs: &[LogKind::System, LogKind::Application],
    check: invalid_service_imagepath,
};

/// A service's security descriptor was changed so it cannot start: SCM 7000/7001 with access
/// denied (error 5) for a service backups need, and an `sc sdshow` dump pasted beside it
/// (Microsoft Japan support blog, 2017-05-17: System Writer missing, Cryptographic Services
/// denied, fixed with `sc sdset` to the default descriptor).
pub fn service_security_descriptor(a: &Analysis<'_>) -> Option<Assessment> {
    let denied = a.select(|k| {
        matches!(k, SignalKind::ServiceFailed { service: Some(service), error: Some(5) }
            if REQUIRED.iter().any(|r| r.eq_ignore_ascii_case(service)))
    });
    let dumped = super::phrased::phrases(a, &["service-sddl"]);
    let refused = super::phrased::phrases(a, &["service-denied"]);
    if denied.is_empty() && dumped.is_empty() && refused.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support_if(
        0.4,
        bi(
            "a service backups need could not start: access denied",
            "バックアップに必要なサービスを開始できなかった: アクセス拒否",
        ),
        &denied,
    );
    s.support_if(
        0.3,
        bi(
            "sc was refused the service itself (OpenService FAILED 5: access denied), even from an elevated prompt",
            "管理者として実行しても sc がサービスそのものを拒否された (OpenService FAILED 5: アクセス拒否)",
        ),
        &refused,
    );
    s.support_if(
        0.25,
        bi(
            "a service's security descriptor (sc sdshow) was collected for comparison",
            "サービスのセキュリティ記述子 (sc sdshow) が比較のために採取されている",
        ),
        &dumped,
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::ServiceSecurityDescriptor), since, None);
    Some(s)
}

/// SVC003: registered in `RULES`.
pub const SVC003: Rule = Rule {
    code: "SVC003",
    cause: Cause::ServiceSecurityDescriptor,
    title: "A service's security descriptor was changed: it cannot start or be queried",
    explanation: Explanation {
        detects: "Service Control Manager 7000/7001 with error 5 (access denied) for a service backups need (VSS, swprv, CryptSvc, EventSystem, wbengine), `sc` refused the service itself (`[SC] OpenService FAILED 5`), and an `sc sdshow` or `sc sdset` descriptor pasted beside it.",
        why: "the Service Control Manager checks each service's own security descriptor before it starts or queries it; a descriptor tightened by a hardening tool or left wrong by an uninstall (no SYSTEM or Administrators entry) keeps the service from starting, and the writers it hosts disappear.",
        check: "`sc sdshow SERVICE` for each service that fails with access denied, compared with the default descriptor of the same Windows version (a healthy machine's).",
    },
    references: &[
        "Microsoft Japan Windows support blog (ja): System Writer が表示されない場合の対処方法 (https://jpwinsup.github.io/blog/2017/05/17/Storage/Backup/VSSSystemWriter/)",
        "Microsoft Learn: sc.exe sdshow / sdset (https://learn.microsoft.com/windows-server/administration/windows-commands/sc-sdshow)",
    ],
    repair: &[
        step("Show the service's descriptor and compare it with a healthy machine of the same Windows version", Some("sc sdshow cryptsvc"), true, Risk::Low, None),
        step("Set the default descriptor back, then start the service", Some("sc sdset SERVICE \"<default descriptor from a healthy machine>\""), true, Risk::High, Some("a wrong descriptor can lock everyone out of the service: copy the exact string from a healthy machine of the same version, and save the current one first")),
    ],
    needs: &[LogKind::System],
    check: service_security_descriptor,
};

#[cfg(test)]
mod tests {
    use super::SVC003;
    use super::{SVC001, SVC002};
    use crate::rules::testing::{assess, confidence, CaseBuilder};
    use crate::rules::Status;

    fn disabled() -> CaseBuilder {
        CaseBuilder::new().event(
            "2013-01-10T09:10:00Z",
            "Service Control Manager",
            7040,
            &[
                ("param1", "Block Level Backup Engine Service"),
                ("param2", "demand start"),
                ("param3", "disabled"),
                ("param4", "wbengine"),
            ],
        )
    }

    #[test]
    fn evidence_failures_and_repair_each_move_the_verdict() {
        // (what, case, lowest, highest)
        let cases = [
            (
                "a required service disabled, no backup log",
                disabled().build(),
                0.3,
                0.7,
            ),
            (
                "then backups fail with 0x80070422",
                disabled()
                    .failure("2013-01-13T20:00:00Z", "0x80070422")
                    .failure("2013-01-20T20:00:00Z", "0x80070422")
                    .build(),
                0.75,
                0.97,
            ),
            (
                "a non-required service disabled",
                CaseBuilder::new()
                    .event(
                        "2013-01-10T09:10:00Z",
                        "Service Control Manager",
                        7040,
                        &[("param1", "Themes"), ("param3", "disabled"), ("param4", "Themes")],
                    )
                    .build(),
                0.0,
                0.0,
            ),
            (
                "the code alone, untimed",
                CaseBuilder::new().failure("", "0x80070422").build(),
                0.5,
                0.6,
            ),
        ];
        for (what, case, low, high) in cases {
            let c = confidence(&SVC001, &case);
            assert!((low..=high).contains(&c), "{what}: {c}");
        }
    }

    #[test]
    fn enabled_again_before_a_success_is_resolved() {
        let case = disabled()
            .failure("2013-01-13T20:00:00Z", "0x80070422")
            .event(
                "2013-02-01T19:00:00Z",
                "Service Control Manager",
                7040,
                &[("param3", "auto start"), ("param4", "wbengine")],
            )
            .success("2013-02-03T20:00:00Z")
            .build();
        let h = assess(&SVC001, &case).expect("fires");
        assert_eq!(h.status, Status::Resolved);
    }

    #[test]
    fn a_service_path_that_does_not_exist() {
        let enumeration = CaseBuilder::new().failure("", "0x8078010D");
        let with_scm = enumeration
            .clone_events()
            .event(
                "",
                "Service Control Manager",
                7000,
                &[("param1", "Contoso Update Agent"), ("param2", "%%3")],
            )
            .build();
        let alone = confidence(&SVC002, &enumeration.build());
        let both = confidence(&SVC002, &with_scm);
        assert!(both > alone && both >= 0.6, "{alone} then {both}");
        let other = CaseBuilder::new()
            .event(
                "",
                "Service Control Manager",
                7000,
                &[("param1", "Contoso Update Agent"), ("param2", "%%3")],
            )
            .failure("", "0x80070422")
            .build();
        assert_eq!(confidence(&SVC002, &other), 0.0, "no enumeration failure");
    }

    #[test]
    fn a_required_service_denied_to_start_points_to_its_descriptor() {
        let denied = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "Service Control Manager",
                7000,
                &[("param1", "Cryptographic Services"), ("param2", "%%5")],
            )
            .fact(crate::rules::testing::phrase("service-sddl"))
            .build();
        assert!(confidence(&SVC003, &denied) >= 0.5);
        // A descriptor dump alone is someone checking, not a finding.
        let dump = CaseBuilder::new()
            .fact(crate::rules::testing::phrase("service-sddl"))
            .build();
        let c = confidence(&SVC003, &dump);
        assert!(c > 0.0 && c < 0.5, "{c}");
        // A disabled service (1058) is SVC001's, not a descriptor.
        let disabled = CaseBuilder::new()
            .event(
                "2024-05-20T10:00:00Z",
                "Service Control Manager",
                7000,
                &[("param1", "Cryptographic Services"), ("param2", "%%1058")],
            )
            .build();
        assert_eq!(confidence(&SVC003, &disabled), 0.0);
    }
}
