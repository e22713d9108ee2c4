//! Console output a user saves and attaches: `vssadmin list writers`, `bcdedit /enum`, and the
//! user's own notes. English and Japanese; layouts from `windows-knowledge.md` 3.1 and
//! `japanese-formats.md` 1 (the Japanese words for states other than `[1] 安定` are not
//! verified against a real paste; backupdiag decides on the `[N]` number).

use crate::scenario::{Firmware, Language};

/// One writer's line of `vssadmin list writers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterRow {
    /// Writer name (never localized).
    pub name: &'static str,
    /// Writer class id.
    pub id: &'static str,
    /// Instance id.
    pub instance: String,
    /// `VSS_WRITER_STATE` number.
    pub state: u8,
    /// Last error words (English; translated for Japanese output).
    pub error: String,
}

/// The writers every Windows 7 to 11 installation lists, with their well-known class ids.
pub const STANDARD_WRITERS: &[(&str, &str)] = &[
    ("Task Scheduler Writer", "{d61d61c8-d73a-4eee-8cdd-f6f9786b7124}"),
    ("VSS Metadata Store Writer", "{75dfb225-e2e4-4d39-9ac9-ffaff65ddf06}"),
    ("Performance Counters Writer", "{0bada1de-01a9-4625-8278-69e735f39dd2}"),
    ("System Writer", "{e8132975-6f93-4464-a53e-1050253ae220}"),
    ("ASR Writer", "{be000cbe-11fe-4426-9c58-531aa6355fc4}"),
    (
        "Shadow Copy Optimization Writer",
        "{4dc3bdd4-ab48-4d07-adb0-3bee2926fd7f}",
    ),
    ("Registry Writer", "{afbab4a2-367d-4d15-a586-71dbb18f8485}"),
    ("COM+ REGDB Writer", "{542da469-d3e1-473c-9f4f-7847f01fc64f}"),
    ("WMI Writer", "{a6ad56c2-b509-4e6c-bb19-49d8f43532f0}"),
];

/// Writers an installed role or application adds (class ids from Microsoft Learn, "In-Box VSS
/// Writers", and the SQL Server writer's documentation): listed once a scenario makes one fail.
pub const APPLICATION_WRITERS: &[(&str, &str)] = &[
    ("Microsoft Hyper-V VSS Writer", "{66841cd4-6ded-4f4b-8f17-fd23f8ddc3de}"),
    ("NTDS", "{b2014c9e-8711-4c5c-a5a9-3cf384484757}"),
    ("SqlServerWriter", "{a65faa63-5ea8-4ebc-9dbd-a0c4db26912a}"),
];

fn state_words(state: u8, language: Language) -> &'static str {
    match (language, state) {
        (Language::English, 1) => "Stable",
        (Language::English, 5) => "Waiting for completion",
        (Language::English, 0) => "Unknown",
        (Language::English, _) => "Failed",
        (Language::Japanese, 1) => "安定",
        (Language::Japanese, 5) => "完了待ち",
        (Language::Japanese, 0) => "不明",
        (Language::Japanese, _) => "失敗",
    }
}

fn error_words(error: &str, language: Language) -> String {
    if language == Language::English {
        return error.to_string();
    }
    match error {
        "No error" => "エラーなし",
        "Retryable error" => "再試行可能なエラー",
        "Non-retryable error" => "再試行不可能なエラー",
        "Timed out" => "タイムアウト",
        "Not responding" => "応答なし",
        other => other,
    }
    .to_string()
}

/// `vssadmin list providers` as it prints on a default system, plus `third_party` providers
/// (English labels: the layout Microsoft Learn's "list providers" page shows).
pub fn vssadmin_providers(third_party: &[String]) -> String {
    let mut out = String::from(
        "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n",
    );
    for (i, name) in third_party.iter().enumerate() {
        out.push_str(&format!(
            "\nProvider name: '{name}'\n   Provider type: Hardware\n   Provider Id: {{3e7b2f91-8c4d-4a5e-9b16-0d2c7a84e5f{i}}}\n   Version: 4.2.1.0\n"
        ));
    }
    out.push_str("\nProvider name: 'Microsoft Software Shadow Copy provider 1.0'\n   Provider type: System\n   Provider Id: {b5946137-7b9f-4925-af80-51abd60b20d5}\n   Version: 1.0.0.7\n\n");
    out
}

/// The text of `vssadmin list writers` (or of the banner alone when `writers` is empty).
pub fn vssadmin_writers(writers: &[WriterRow], language: Language) -> String {
    let (banner, labels) = match language {
        Language::English => (
            "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\nWaiting for responses.\nThese may be delayed if a shadow copy is being prepared.\n",
            ["Writer name", "Writer Id", "Writer Instance Id", "State", "Last error"],
        ),
        Language::Japanese => (
            "vssadmin 1.1 - ボリューム シャドウ コピー サービス管理コマンド ライン ツール\n(C) Copyright 2001-2013 Microsoft Corp.\n\n",
            ["ライター名", "ライター Id", "ライター インスタンス Id", "状態", "最後のエラー"],
        ),
    };
    let mut out = String::from(banner);
    for writer in writers {
        out.push_str(&format!(
            "\n{}: '{}'\n   {}: {}\n   {}: {}\n   {}: [{}] {}\n   {}: {}\n",
            labels[0],
            writer.name,
            labels[1],
            writer.id,
            labels[2],
            writer.instance,
            labels[3],
            writer.state,
            state_words(writer.state, language),
            labels[4],
            error_words(&writer.error, language)
        ));
    }
    out.push('\n');
    out
}

/// The text of `bcdedit /enum` for a machine booting in `firmware` mode.
pub fn bcdedit_enum(firmware: Firmware, language: Language, description: &str) -> String {
    let (manager, loader) = match language {
        Language::English => ("Windows Boot Manager", "Windows Boot Loader"),
        Language::Japanese => ("Windows ブート マネージャー", "Windows ブート ローダー"),
    };
    let locale = match language {
        Language::English => "en-US",
        Language::Japanese => "ja-JP",
    };
    let rule = "-".repeat(manager.chars().count().max(20));
    let (manager_device, manager_path, loader_file) = match firmware {
        Firmware::Uefi => (
            "partition=\\Device\\HarddiskVolume1",
            "path                    \\EFI\\Microsoft\\Boot\\bootmgfw.efi\n",
            "winload.efi",
        ),
        Firmware::Bios => ("partition=\\Device\\HarddiskVolume1", "", "winload.exe"),
    };
    format!(
        "\n{manager}\n{rule}\nidentifier              {{bootmgr}}\ndevice                  {manager_device}\n{manager_path}description             Windows Boot Manager\nlocale                  {locale}\ndefault                 {{current}}\ntimeout                 30\n\n{loader}\n{rule}\nidentifier              {{current}}\ndevice                  partition=C:\npath                    \\Windows\\system32\\{loader_file}\ndescription             {description}\nlocale                  {locale}\nosdevice                partition=C:\nsystemroot              \\Windows\n"
    )
}

#[cfg(test)]
mod tests {
    use super::{bcdedit_enum, vssadmin_writers, WriterRow};
    use crate::scenario::{Firmware, Language};

    #[test]
    fn writer_blocks_in_both_languages() {
        let rows = [WriterRow {
            name: "System Writer",
            id: "{e8132975-6f93-4464-a53e-1050253ae220}",
            instance: "{7d1c4f0e-2a8b-4c3d-9e6f-5a4b3c2d1e0f}".into(),
            state: 8,
            error: "Non-retryable error".into(),
        }];
        let english = vssadmin_writers(&rows, Language::English);
        assert!(
            english.contains("Writer name: 'System Writer'\n   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\n")
        );
        assert!(english.contains("   State: [8] Failed\n   Last error: Non-retryable error\n"));
        let japanese = vssadmin_writers(&rows, Language::Japanese);
        assert!(japanese.contains("   状態: [8] 失敗\n   最後のエラー: 再試行不可能なエラー\n"));
        assert!(vssadmin_writers(&[], Language::English).ends_with("being prepared.\n\n"));
    }

    #[test]
    fn bcdedit_loader_follows_the_firmware() {
        assert!(
            bcdedit_enum(Firmware::Uefi, Language::Japanese, "Windows 7").contains("\\Windows\\system32\\winload.efi")
        );
        let bios = bcdedit_enum(Firmware::Bios, Language::English, "Windows 7");
        assert!(bios.contains("winload.exe") && !bios.contains("bootmgfw"));
    }
}
