//! SVC001 required-service-disabled.

use crate::history::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::repair::step;
use super::score::codes_for;
use super::{Assessment, Cause};
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
    s.support_if(
        0.45,
        format!("required service(s) set to disabled: {}", names(&disabled)),
        &disabled,
    );
    s.support_if(
        0.2,
        format!(
            "service(s) refused to start because disabled (error 1058): {}",
            names(&refused)
        ),
        &refused,
    );
    if disabled.is_empty() && refused.is_empty() {
        s.missing(
            0.05,
            "the SCM 7040/7000 events naming the disabled service (System log)",
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
            format!("{} enabled again by {}", names.join(", "), when.strftime("%Y-%m-%d")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::SVC001;
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
}
