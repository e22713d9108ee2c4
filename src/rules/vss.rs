//! VSS001 vss-writer-failed, VSS002 vss-writer-timeout, VSS003 requester-com-security,
//! VSS004 vss-com-registration-broken, VSS005 com-event-system-broken, VSS006
//! shadow-storage-insufficient.

use crate::diagnose::{Analysis, LogKind};
use crate::signals::SignalKind;

use super::score::codes_for;
use super::{Assessment, Cause};

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
        format!("writer(s) in a failed state: {}", names.join(", ")),
        failed.iter().copied(),
    );
    s.explain(a, &codes_for(Cause::VssWriterFailed), None, None);
    Some(s)
}

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
    s.support_if(0.35, "a writer's last error is a timeout", &writers);
    s.support_if(
        0.3,
        "writes could not be held or flushed in time during the snapshot",
        &events,
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::VssWriterTimeout), since, None);
    Some(s)
}

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
        "VSS 8194: a writer could not call back into the requester (COM security)",
        denied.iter().copied(),
    );
    if s.explain(a, &codes_for(Cause::RequesterComSecurity), None, None) == 0 {
        s.against(
            0.0,
            "no backup failed with access denied: VSS 8194 is noise when backups succeed (Microsoft Q&A, restic #5170)",
        );
        s.cap(0.3);
    }
    Some(s)
}

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
        "VSS could not create a COM class it needs (not registered or cannot start)",
        broken.iter().copied(),
    );
    let since = s.first();
    s.explain(a, &codes_for(Cause::VssComRegistrationBroken), since, None);
    Some(s)
}

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
        "VSS could not start the COM+ Event System server (VSS 13)",
        &vss13,
    );
    s.support_if(0.3, "COM+ Event System or SENS is disabled or failing", &services);
    s.support_if(0.35, "vssadmin listed no writer at all", &empty);
    if empty.is_empty() && !a.has(LogKind::VssWriters) {
        s.missing(
            0.0,
            "vssadmin list writers output (would show whether writers vanished)",
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::ComEventSystemBroken), since, None);
    Some(s)
}

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
        "shadow copies were aborted or deleted because their storage could not grow",
        &aborted,
    );
    if !pruned.is_empty() {
        s.support(
            0.05,
            "old shadow copies were deleted to stay within the storage limit",
            pruned.iter().copied().take(1),
        );
    }
    let since = s.first();
    s.explain(a, &codes_for(Cause::ShadowStorageInsufficient), since, None);
    Some(s)
}
