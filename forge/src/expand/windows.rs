//! Facts about Windows the generator writes: service names, start-type and state words, and
//! the providers of the events it emits, as listed in `docs/research/event-catalog.md`
//! (verified against the real corpus where that file says so).

use crate::evtx::Provider;
use crate::scenario::{Language, StartType};

/// A service: key name, display name, start type on a fresh install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// Key name (`wbengine`).
    pub key: &'static str,
    /// Display name (English; most service display names stay English on Japanese Windows).
    pub display: &'static str,
    /// Start type on a fresh install.
    pub default_start: StartType,
}

/// Services the scenarios and the noise touch.
pub const SERVICES: &[Service] = &[
    Service {
        key: "RpcSs",
        display: "Remote Procedure Call (RPC)",
        default_start: StartType::Auto,
    },
    Service {
        key: "wbengine",
        display: "Block Level Backup Engine Service",
        default_start: StartType::Demand,
    },
    Service {
        key: "VSS",
        display: "Volume Shadow Copy",
        default_start: StartType::Demand,
    },
    Service {
        key: "swprv",
        display: "Microsoft Software Shadow Copy Provider",
        default_start: StartType::Demand,
    },
    Service {
        key: "EventSystem",
        display: "COM+ Event System",
        default_start: StartType::Auto,
    },
    Service {
        key: "SENS",
        display: "System Event Notification Service",
        default_start: StartType::Auto,
    },
    Service {
        key: "SDRSVC",
        display: "Windows Backup",
        default_start: StartType::Demand,
    },
    Service {
        key: "CryptSvc",
        display: "Cryptographic Services",
        default_start: StartType::Auto,
    },
    Service {
        key: "TrustedInstaller",
        display: "Windows Modules Installer",
        default_start: StartType::Demand,
    },
    Service {
        key: "wuauserv",
        display: "Windows Update",
        default_start: StartType::Auto,
    },
    Service {
        key: "BITS",
        display: "Background Intelligent Transfer Service",
        default_start: StartType::Auto,
    },
    Service {
        key: "sppsvc",
        display: "Software Protection",
        default_start: StartType::Auto,
    },
    Service {
        key: "WinDefend",
        display: "Windows Defender",
        default_start: StartType::Auto,
    },
    Service {
        key: "Themes",
        display: "Themes",
        default_start: StartType::Auto,
    },
    Service {
        key: "Spooler",
        display: "Print Spooler",
        default_start: StartType::Auto,
    },
    Service {
        key: "WinHttpAutoProxySvc",
        display: "WinHTTP Web Proxy Auto-Discovery Service",
        default_start: StartType::Demand,
    },
];

/// The service with key `key` (case-insensitive), or an ad-hoc one named after the key.
pub fn service(key: &str) -> Service {
    SERVICES
        .iter()
        .copied()
        .find(|s| s.key.eq_ignore_ascii_case(key))
        .unwrap_or(Service {
            key: "unknown",
            display: "Unknown Service",
            default_start: StartType::Demand,
        })
}

/// SCM 7040 start-type words (verified English; Japanese `無効` unverified).
pub fn start_type_words(start: StartType, language: Language) -> &'static str {
    match (language, start) {
        (Language::English, StartType::Auto) => "auto start",
        (Language::English, StartType::Demand) => "demand start",
        (Language::English, StartType::Disabled) => "disabled",
        (Language::Japanese, StartType::Auto) => "自動的な開始",
        (Language::Japanese, StartType::Demand) => "要求による開始",
        (Language::Japanese, StartType::Disabled) => "無効",
    }
}

/// SCM 7036 state words and the state number of its Binary (4 running, 1 stopped).
pub fn state_words(running: bool, language: Language) -> (&'static str, u8) {
    match (language, running) {
        (Language::English, true) => ("running", 4),
        (Language::English, false) => ("stopped", 1),
        (Language::Japanese, true) => ("実行中", 4),
        (Language::Japanese, false) => ("停止", 1),
    }
}

fn provider(name: &str, guid: Option<&str>, source: Option<&str>) -> Provider {
    Provider {
        name: name.to_string(),
        guid: guid.map(str::to_string),
        event_source_name: source.map(str::to_string),
    }
}

/// `Service Control Manager`.
pub fn scm() -> Provider {
    provider(
        "Service Control Manager",
        Some("{555908d1-a6d7-4695-8e1e-26931d2012f4}"),
        Some("Service Control Manager"),
    )
}
/// `VSS` (classic).
pub fn vss() -> Provider {
    provider("VSS", None, None)
}
/// `Microsoft-Windows-Backup`.
pub fn backup() -> Provider {
    provider(
        "Microsoft-Windows-Backup",
        Some("{1db28f2e-8f80-4027-8c5a-a11f7f10f62d}"),
        None,
    )
}
/// `Microsoft-Windows-CAPI2`.
pub fn capi2() -> Provider {
    provider(
        "Microsoft-Windows-CAPI2",
        Some("{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}"),
        None,
    )
}
/// `EventLog` (classic).
pub fn eventlog() -> Provider {
    provider("EventLog", None, None)
}
/// `Microsoft-Windows-Kernel-General`.
pub fn kernel_general() -> Provider {
    provider(
        "Microsoft-Windows-Kernel-General",
        Some("{a68ca8b7-004f-d7b6-a698-07e2de0f1f5d}"),
        None,
    )
}
/// `Microsoft-Windows-Kernel-Boot`.
pub fn kernel_boot() -> Provider {
    provider(
        "Microsoft-Windows-Kernel-Boot",
        Some("{15ca44ff-4d7a-4baa-bba5-0998955e531e}"),
        None,
    )
}
/// `volsnap` (classic, Windows 7 form).
pub fn volsnap() -> Provider {
    provider("volsnap", None, None)
}
/// `disk` (classic).
pub fn disk() -> Provider {
    provider("disk", None, None)
}
/// `Microsoft Antimalware` (Microsoft Security Essentials on Windows 7, System log).
pub fn antimalware() -> Provider {
    provider("Microsoft Antimalware", None, None)
}
/// `Microsoft-Windows-Windows Defender`.
pub fn defender() -> Provider {
    provider(
        "Microsoft-Windows-Windows Defender",
        Some("{11cd958a-c507-4ef3-b3f2-5fd9dfbd2c78}"),
        None,
    )
}
/// `Microsoft-Windows-Security-SPP`.
pub fn spp() -> Provider {
    provider(
        "Microsoft-Windows-Security-SPP",
        Some("{E23B33B0-C8C9-472C-A5F9-F2BDFEA0F156}"),
        Some("Software Protection Platform Service"),
    )
}
/// `Microsoft-Windows-WindowsUpdateClient`.
pub fn windows_update() -> Provider {
    provider(
        "Microsoft-Windows-WindowsUpdateClient",
        Some("{945a8954-c147-4acd-923f-40c45405a658}"),
        None,
    )
}
/// `Microsoft-Windows-Wininit`.
pub fn wininit() -> Provider {
    provider(
        "Microsoft-Windows-Wininit",
        Some("{206f6dea-d3c5-4d10-bc72-989f03c8b84b}"),
        Some("Wininit"),
    )
}
/// `System Restore` (classic).
pub fn system_restore() -> Provider {
    provider("System Restore", None, None)
}
/// `MsiInstaller` (classic).
pub fn msi_installer() -> Provider {
    provider("MsiInstaller", None, None)
}
/// `User32` (Windows 10+) / `USER32` (Windows 7).
pub fn user32(modern: bool) -> Provider {
    if modern {
        provider("User32", Some("{b0aa8734-56f7-41cc-b2f4-de228e98b946}"), Some("User32"))
    } else {
        provider("USER32", None, None)
    }
}
