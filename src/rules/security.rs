//! SEC001 security-software-interference, SEC002 malware-damage.

use crate::history::{Analysis, LogKind};
use crate::signals::tables::AntimalwareTrouble;
use crate::signals::SignalKind;

use super::repair::step;
use super::{bi, Assessment, Cause};
use super::{Explanation, Risk, Rule};

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
        bi(
            "a security product's update was left waiting for a restart",
            "セキュリティ製品の更新が再起動待ちのまま残っていた",
        ),
        pending.iter().copied(),
    );
    if s.explain(a, &[], Some(first), next_boot) == 0 {
        s.missing(
            0.1,
            bi(
                "a backup failure while the update was unfinished",
                "更新が未完了の間のバックアップの失敗",
            ),
        );
    }
    if let Some(boot) = next_boot {
        if let Some(success) = a.success_after(boot) {
            s.resolved(
                boot,
                bi(
                    format!(
                        "restarted on {} and a backup succeeded on {}",
                        boot.strftime("%Y-%m-%d"),
                        success.strftime("%Y-%m-%d")
                    ),
                    format!(
                        "{}に再起動し、{}にバックアップが成功した",
                        boot.strftime("%Y年%-m月%-d日"),
                        success.strftime("%Y年%-m月%-d日")
                    ),
                ),
            );
        }
    }
    Some(s)
}

/// SEC001: registered in `RULES`.
pub const SEC001: Rule = Rule {
    code: "SEC001",
    cause: Cause::SecuritySoftwareInterference,
    title: "An unfinished security-software update interferes with shadow copies",
    explanation: Explanation {
        detects: "a security product's installer waiting for a restart (MsiInstaller 1038 naming a security product) followed by backup failures before the next boot.",
        why: "a half-finished update leaves old and new filter drivers loaded; snapshots fail (0x81000019) until the machine restarts.",
        check: "the security product's own update status and whether it asks for a restart.",
    },
    references: &[
        "libyal winevt-kb: sdengin2.dll message table, 0x810000F3 \"another program is accessing the files\" (https://github.com/libyal/winevt-kb/blob/main/docs/sources/message-files/MessageFile-sdengin2.dll.md)",
        "Callback Technologies: why driver deinstallation or update requires a restart (https://www.callback.com/kb/articles/2-whydeinstallationorupdaterequirereboot)",
    ],
    repair: &[
        step("Open the security product and finish its update (it may ask to restart a browser or the PC)", None, false, Risk::Low, None),
        step("Restart Windows, then run the backup again", Some("shutdown /r /t 0"), false, Risk::Low, None),
    ],
    needs: &[LogKind::Application, LogKind::System],
    check: security_software_interference,
};

/// Malware was detected: it may have damaged boot code, system files or services (seed story
/// 001: a boot-sector infection, then a manual MBR repair and image restores).
pub fn malware_damage(a: &Analysis<'_>) -> Option<Assessment> {
    let detections = a.select(|k| matches!(k, SignalKind::Malware { .. }));
    let recovery_off = a.select(|k| matches!(k, SignalKind::BootRecoveryOff { .. }));
    if detections.is_empty() {
        return recovery_inhibited(a, &recovery_off);
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
        bi(
            format!("antimalware detected {}", threats.join(", ")),
            format!("マルウェア対策製品が {} を検出した", threats.join(", ")),
        ),
        detections.iter().copied(),
    );
    const BOOT_FAMILIES: &[&str] = &[
        "Alureon", "TDSS", "Bootkit", "Rootkit", "Mebroot", "Sinowal", "Rovnix", "Cidox",
    ];
    let boot_sector = threats.iter().any(|t| BOOT_FAMILIES.iter().any(|f| t.contains(f)));
    if boot_sector {
        s.add(
            0.1,
            bi(
                "the threat family attacks the boot sector (repairs from WinRE leave no event)",
                "この脅威のファミリはブート セクターを攻撃する (回復環境 (WinRE) での修復はイベントを残さない)",
            ),
        );
    }
    let trouble = |wanted: &[AntimalwareTrouble]| {
        a.select(|k| matches!(k, SignalKind::AntimalwareTrouble { trouble, .. } if wanted.contains(trouble)))
    };
    let stayed = trouble(&[AntimalwareTrouble::RemovalFailed]);
    if !stayed.is_empty() {
        s.support(
            0.15,
            bi(
                "antimalware could not remove a threat: the infection likely stayed",
                "マルウェア対策製品が脅威を駆除できなかった: 感染が残っている可能性が高い",
            ),
            stayed.iter().copied(),
        );
    }
    let weakened = trouble(&[AntimalwareTrouble::UpdateFailed, AntimalwareTrouble::ProtectionOff]);
    if !weakened.is_empty() {
        s.support(
            0.05,
            bi(
                "protection was weakened (a signature update failed or real-time protection was off)",
                "保護が低下していた (定義の更新が失敗したか、リアルタイム保護が無効だった)",
            ),
            weakened.iter().copied(),
        );
    }
    s.support_if(
        0.15,
        bi(
            "the boot entry has Windows' automatic recovery turned off, as ransomware leaves it (MITRE ATT&CK T1490)",
            "ブート エントリで Windows の自動回復が無効になっている (ランサムウェアが残す設定、MITRE ATT&CK T1490)",
        ),
        &recovery_off,
    );
    let since = s.first();
    s.explain(a, &[], since, None);
    // A threat still on the machine explains more than one that was removed.
    s.cap(if stayed.is_empty() { 0.6 } else { 0.7 });
    Some(s)
}

/// No detection in the logs, but the boot entry with automatic recovery turned off: T1490's
/// `bcdedit /set {default} recoveryenabled no` and `bootstatuspolicy ignoreallfailures`
/// (MITRE ATT&CK, Inhibit System Recovery). Both together are ransomware's signature; one
/// alone is also an admin's choice, so it stays low.
fn recovery_inhibited(a: &Analysis<'_>, recovery_off: &[&crate::signals::Signal]) -> Option<Assessment> {
    if recovery_off.is_empty() {
        return None;
    }
    let mut s = Assessment::default();
    s.support(
        if recovery_off.len() >= 2 { 0.5 } else { 0.25 },
        bi(
            "the boot entry has Windows' automatic recovery turned off (bcdedit recoveryenabled No, bootstatuspolicy IgnoreAllFailures), the settings ransomware leaves to inhibit recovery (MITRE ATT&CK T1490)",
            "ブート エントリで Windows の自動回復が無効になっている (bcdedit の recoveryenabled No、bootstatuspolicy IgnoreAllFailures)。ランサムウェアが回復を妨げるために残す設定 (MITRE ATT&CK T1490)",
        ),
        recovery_off.iter().copied(),
    );
    s.missing(
        0.05,
        bi(
            "an antimalware detection in the logs",
            "ログ内のマルウェア対策製品による検出",
        ),
    );
    s.explain(a, &[], None, None);
    s.cap(0.6);
    Some(s)
}

/// SEC002: registered in `RULES`.
pub const SEC002: Rule = Rule {
    code: "SEC002",
    cause: Cause::MalwareDamage,
    title: "Malware was detected; it may have damaged boot code, services or system files",
    explanation: Explanation {
        detects: "antimalware detections (Microsoft Security Essentials 1116/1117 in the System log on Windows 7, Defender 1116/1117 in its Operational log later), removals that failed (1008/1118/1119: the threat likely stayed, which weighs more), weakened protection (2001 signature update failed, 5001 real-time protection off), and a boot entry with automatic recovery turned off (bcdedit recoveryenabled No with bootstatuspolicy IgnoreAllFailures, what ransomware sets).",
        why: "boot-sector malware and its removal damage the MBR and boot configuration (repairs from WinRE leave no event), other families disable services or replace files; backups and restores fail afterwards.",
        check: "what the threat family does, what was repaired by hand, and whether services and system files are intact.",
    },
    references: &[
        "Microsoft Learn: Microsoft Defender Antivirus event IDs and error codes (https://learn.microsoft.com/defender-endpoint/troubleshoot-microsoft-defender-antivirus)",
        "MITRE ATT&CK T1490, Inhibit System Recovery: bcdedit recoveryenabled no, bootstatuspolicy ignoreallfailures (https://attack.mitre.org/techniques/T1490/)",
    ],
    repair: &[
        step("Run a full scan with current signatures (offline scan for boot-sector threats)", None, true, Risk::Low, None),
        step("Check and repair system files", Some("sfc /scannow"), true, Risk::Low, None),
        step("Check the start types of the services backups need", Some("sc qc wbengine & sc qc VSS & sc qc RpcSs"), false, Risk::Low, None),
    ],
    needs: &[LogKind::System, LogKind::Defender, LogKind::BootConfig],
    check: malware_damage,
};

#[cfg(test)]
mod tests {
    use super::{SEC001, SEC002};
    use crate::rules::testing::{confidence, CaseBuilder};

    #[test]
    fn an_unfinished_security_update_and_malware() {
        let pending = CaseBuilder::new().event(
            "2024-05-08T12:30:00Z",
            "MsiInstaller",
            1038,
            &[("%1", "Security Suite 2024"), ("%2", "12.0")],
        );
        let failing = confidence(&SEC001, &pending.failure("2024-05-13T10:01:00Z", "0x81000019").build());
        let quiet = confidence(
            &SEC001,
            &CaseBuilder::new()
                .event("2024-05-08T12:30:00Z", "MsiInstaller", 1038, &[("%1", "Office 2016")])
                .failure("2024-05-13T10:01:00Z", "0x81000019")
                .build(),
        );
        assert!(failing >= 0.5, "{failing}");
        assert_eq!(quiet, 0.0, "not a security product");
        let malware = CaseBuilder::new().event(
            "2012-10-14T10:30:00Z",
            "Microsoft Antimalware",
            1116,
            &[("Threat Name", "Trojan:DOS/Alureon.E")],
        );
        let with_failures = confidence(&SEC002, &malware.failure("2012-11-01T10:00:00Z", "0x80070422").build());
        assert!(with_failures > 0.0, "{with_failures}");
    }

    #[test]
    fn a_boot_entry_with_recovery_turned_off_points_to_ransomware_and_one_setting_alone_stays_low() {
        let setting = |key: crate::model::MachineKey, value: &str| crate::model::FactKind::Machine {
            key,
            value: value.into(),
            inferred: false,
        };
        let both = CaseBuilder::new()
            .fact(setting(crate::model::MachineKey::RecoveryEnabled, "No"))
            .fact(setting(crate::model::MachineKey::BootStatusPolicy, "IgnoreAllFailures"))
            .build();
        assert!(confidence(&SEC002, &both) >= 0.45);
        let one = CaseBuilder::new()
            .fact(setting(crate::model::MachineKey::BootStatusPolicy, "IgnoreAllFailures"))
            .build();
        let c = confidence(&SEC002, &one);
        assert!(c > 0.0 && c < 0.3, "{c}");
        let default = CaseBuilder::new()
            .fact(setting(crate::model::MachineKey::RecoveryEnabled, "Yes"))
            .build();
        assert_eq!(confidence(&SEC002, &default), 0.0);
    }
}
