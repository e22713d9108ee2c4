//! SEC001 security-software-interference, SEC002 malware-damage.

use crate::diagnose::Analysis;
use crate::signals::tables::AntimalwareTrouble;
use crate::signals::SignalKind;

use super::Assessment;

/// Words that name security products in installer and product names (English and Japanese).
const SECURITY_WORDS: &[&str] = &[
    "security",
    "antivirus",
    "anti-virus",
    "defender",
    "norton",
    "mcafee",
    "eset",
    "kaspersky",
    "trend micro",
    "avast",
    "avg",
    "bitdefender",
    "sophos",
    "セキュリティ",
    "ウイルス",
];

/// True when an installer or product name names a security product.
pub fn is_security_product(name: &str) -> bool {
    let lower = name.to_lowercase();
    SECURITY_WORDS.iter().any(|w| lower.contains(w))
}

/// A security product's update waits for a restart (its filter drivers half replaced), and
/// backups fail until the machine is restarted (seed story 000).
pub fn security_software_interference(a: &Analysis<'_>) -> Option<Assessment> {
    let pending = a.select(|k| matches!(k, SignalKind::RebootPending { what } if is_security_product(what)));
    let first = pending.iter().filter_map(|p| p.time).min()?;
    let next_boot = a
        .select(|k| matches!(k, SignalKind::Boot))
        .iter()
        .filter_map(|b| b.time)
        .find(|b| *b > first);
    let mut s = Assessment::default();
    s.support(
        0.45,
        "a security product's update was left waiting for a restart",
        pending.iter().copied(),
    );
    if s.explain(a, &[], Some(first), next_boot) == 0 {
        s.missing(0.1, "a backup failure while the update was unfinished");
    }
    if let Some(boot) = next_boot {
        if let Some(success) = a.success_after(boot) {
            s.resolved(
                boot,
                format!(
                    "restarted on {} and a backup succeeded on {}",
                    boot.strftime("%Y-%m-%d"),
                    success.strftime("%Y-%m-%d")
                ),
            );
        }
    }
    Some(s)
}

/// Malware was detected: it may have damaged boot code, system files or services (seed story
/// 001: a boot-sector infection, then a manual MBR repair and image restores).
pub fn malware_damage(a: &Analysis<'_>) -> Option<Assessment> {
    let detections = a.select(|k| matches!(k, SignalKind::Malware { .. }));
    if detections.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    let threats: Vec<String> = detections
        .iter()
        .filter_map(|d| match &d.kind {
            SignalKind::Malware { threat, .. } => Some(threat.clone()),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    s.support(
        0.3,
        format!("antimalware detected {}", threats.join(", ")),
        detections.iter().copied(),
    );
    const BOOT_FAMILIES: &[&str] = &[
        "Alureon", "TDSS", "Bootkit", "Rootkit", "Mebroot", "Sinowal", "Rovnix", "Cidox",
    ];
    let boot_sector = threats.iter().any(|t| BOOT_FAMILIES.iter().any(|f| t.contains(f)));
    if boot_sector {
        s.support(
            0.1,
            "the threat family attacks the boot sector (repairs from WinRE leave no event)",
            std::iter::empty(),
        );
    }
    let trouble = |wanted: &[AntimalwareTrouble]| {
        a.select(|k| matches!(k, SignalKind::AntimalwareTrouble { trouble, .. } if wanted.contains(trouble)))
    };
    let stayed = trouble(&[AntimalwareTrouble::RemovalFailed]);
    if !stayed.is_empty() {
        s.support(
            0.15,
            "antimalware could not remove a threat: the infection likely stayed",
            stayed.iter().copied(),
        );
    }
    let weakened = trouble(&[AntimalwareTrouble::UpdateFailed, AntimalwareTrouble::ProtectionOff]);
    if !weakened.is_empty() {
        s.support(
            0.05,
            "protection was weakened (a signature update failed or real-time protection was off)",
            weakened.iter().copied(),
        );
    }
    let since = s.first();
    s.explain(a, &[], since, None);
    // A threat still on the machine explains more than one that was removed.
    s.cap(if stayed.is_empty() { 0.6 } else { 0.7 });
    Some(s)
}
