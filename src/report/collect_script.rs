//! `collect-script`: a PowerShell script that gathers exactly the logs and listings backupdiag
//! reads into a new folder on the Desktop (zipped on PowerShell 5 and later), with a manifest.
//! It only reads: `wevtutil epl` exports a copy of a channel, `vssadmin list`, `bcdedit /enum`
//! and `msinfo32 /report` print, and files are copied, never moved. It runs on PowerShell 2.0
//! (Windows 7) and later. The Japanese script starts with a UTF-8 byte-order mark, without
//! which Windows PowerShell 5.1 reads a script in the ANSI code page and garbles it.

/// One thing the script collects.
struct Step {
    /// File or folder written in the collection folder.
    file: &'static str,
    /// What it is, in English and Japanese.
    what: (&'static str, &'static str),
    /// How it is collected.
    action: Action,
}

enum Action {
    /// `wevtutil epl CHANNEL FILE`.
    Export(&'static str),
    /// Copies of files matching these patterns (`%windir%`-relative) into a subfolder.
    Copy(&'static [&'static str]),
    /// A console command's output, through `cmd /c` so the bytes are the console's own.
    Output(&'static str),
    /// `msinfo32 /report FILE`, waited for.
    Msinfo32,
}

/// Everything collected, in order. Each file name is one backupdiag recognises by content
/// (tested in `tests/integration/collect.rs`).
const STEPS: &[Step] = &[
    Step {
        file: "System.evtx",
        what: ("System event log", "システム イベント ログ"),
        action: Action::Export("System"),
    },
    Step {
        file: "Application.evtx",
        what: ("Application event log", "アプリケーション イベント ログ"),
        action: Action::Export("Application"),
    },
    Step {
        file: "Microsoft-Windows-Backup.evtx",
        what: ("Windows Backup log", "Windows バックアップのログ"),
        action: Action::Export("Microsoft-Windows-Backup"),
    },
    Step {
        file: "Defender.evtx",
        what: (
            "Microsoft Defender log (Windows 8 and later)",
            "Microsoft Defender のログ (Windows 8 以降)",
        ),
        action: Action::Export("Microsoft-Windows-Windows Defender/Operational"),
    },
    Step {
        file: "CBS",
        what: ("component servicing logs", "コンポーネント サービスのログ"),
        action: Action::Copy(&[
            "Logs\\CBS\\CBS.log",
            "Logs\\CBS\\CbsPersist_*.log",
            "Logs\\CBS\\CbsPersist_*.cab",
        ]),
    },
    Step {
        file: "DISM",
        what: ("DISM log", "DISM のログ"),
        action: Action::Copy(&["Logs\\DISM\\dism.log"]),
    },
    Step {
        file: "Panther",
        what: ("Windows Setup logs", "Windows セットアップのログ"),
        action: Action::Copy(&["Panther\\setupact.log", "Panther\\setuperr.log"]),
    },
    Step {
        file: "vssadmin-writers.txt",
        what: ("VSS writers", "VSS ライター一覧"),
        action: Action::Output("vssadmin list writers"),
    },
    Step {
        file: "vssadmin-providers.txt",
        what: ("VSS providers", "VSS プロバイダー一覧"),
        action: Action::Output("vssadmin list providers"),
    },
    Step {
        file: "vssadmin-shadowstorage.txt",
        what: ("shadow copy storage", "シャドウ コピー記憶域"),
        action: Action::Output("vssadmin list shadowstorage"),
    },
    Step {
        file: "bcdedit.txt",
        what: ("boot configuration", "ブート構成"),
        action: Action::Output("bcdedit /enum all"),
    },
    Step {
        file: "msinfo32.txt",
        what: (
            "system summary (takes a minute or two)",
            "システム情報 (1～2 分かかります)",
        ),
        action: Action::Msinfo32,
    },
];

/// The paths the script writes in its folder, `\\`-separated; a copied file keeps its name,
/// so a pattern (`CBS\\CbsPersist_*.log`) stands for the files it matches. `manifest.txt`
/// comes last.
pub fn written_files() -> Vec<String> {
    let mut files = Vec::new();
    for step in STEPS {
        match step.action {
            Action::Copy(patterns) => files.extend(
                patterns
                    .iter()
                    .map(|p| format!("{}\\{}", step.file, p.rsplit('\\').next().unwrap_or(p))),
            ),
            _ => files.push(step.file.to_string()),
        }
    }
    files.push("manifest.txt".to_string());
    files
}

/// The script, with comments and messages in Japanese when `japanese`.
pub fn script(japanese: bool) -> String {
    let t = |en: &'static str, ja: &'static str| if japanese { ja } else { en };
    let mut s = String::new();
    if japanese {
        s.push('\u{feff}');
    }
    let version = env!("CARGO_PKG_VERSION");
    s.push_str(&format!(
        "# backupdiag {version} collect script\r\n# {}\r\n# {}\r\n#   powershell -ExecutionPolicy Bypass -File collect.ps1\r\n",
        t(
            "Collects the logs backupdiag reads. It only reads: no setting is changed.",
            "backupdiag が読むログを集めます。読み取るだけで、設定は一切変更しません。"
        ),
        t(
            "Run it in an elevated PowerShell (Run as administrator):",
            "管理者として実行した PowerShell で実行してください:"
        ),
    ));
    s.push_str(
        "$ErrorActionPreference = 'Continue'\r\n\
         $stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMdd-HHmmss')\r\n\
         $name = \"backupdiag-$env:COMPUTERNAME-$stamp\"\r\n\
         $dest = Join-Path ([Environment]::GetFolderPath('Desktop')) $name\r\n\
         New-Item -ItemType Directory -Path $dest | Out-Null\r\n\
         $manifest = @()\r\n\
         $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())\r\n",
    );
    s.push_str(&format!(
        "if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {{\r\n    Write-Warning '{}'\r\n}}\r\n",
        t(
            "Not elevated: some logs (bcdedit, the System log on some PCs) cannot be read.",
            "管理者として実行されていません: 一部のログ (bcdedit など) は読み取れません。"
        )
    ));
    s.push_str(
        "function Add-Entry($file, $what, $command, $status) {\r\n\
         \x20   $script:manifest += \"$file`t$status`t$command`t$what\"\r\n\
         \x20   Write-Host \"  $file : $status\"\r\n\
         }\r\n",
    );
    for step in STEPS {
        let what = t(step.what.0, step.what.1);
        s.push_str(&format!("\r\n# {} -> {}\r\n", what, step.file));
        match step.action {
            Action::Export(channel) => s.push_str(&format!(
                "wevtutil epl \"{channel}\" (Join-Path $dest '{file}') 2>$null\r\n\
                 if ($LASTEXITCODE -eq 0) {{ $st = 'ok' }} else {{ $st = \"not exported (exit $LASTEXITCODE)\" }}\r\n\
                 Add-Entry '{file}' '{what}' 'wevtutil epl \"{channel}\"' $st\r\n",
                file = step.file
            )),
            Action::Copy(patterns) => {
                s.push_str(&format!(
                    "$sub = Join-Path $dest '{file}'\r\nNew-Item -ItemType Directory -Path $sub | Out-Null\r\n",
                    file = step.file
                ));
                for pattern in patterns {
                    s.push_str(&format!(
                        "$found = @(Get-ChildItem -Path (Join-Path $env:windir '{pattern}') -ErrorAction SilentlyContinue)\r\n\
                         foreach ($f in $found) {{ Copy-Item -LiteralPath $f.FullName -Destination $sub -ErrorAction SilentlyContinue }}\r\n\
                         if ($found.Count -gt 0) {{ $st = \"ok ($($found.Count) file(s))\" }} else {{ $st = 'not present' }}\r\n\
                         Add-Entry '{file}\\{name}' '{what}' 'copy %windir%\\{pattern}' $st\r\n",
                        file = step.file,
                        name = pattern.rsplit('\\').next().unwrap_or(pattern),
                    ));
                }
            }
            Action::Output(command) => s.push_str(&format!(
                "cmd /c \"{command} > `\"$(Join-Path $dest '{file}')`\" 2>&1\"\r\n\
                 if ($LASTEXITCODE -eq 0) {{ $st = 'ok' }} else {{ $st = \"exit $LASTEXITCODE\" }}\r\n\
                 Add-Entry '{file}' '{what}' '{command}' $st\r\n",
                file = step.file
            )),
            Action::Msinfo32 => s.push_str(&format!(
                "Start-Process -FilePath msinfo32.exe -ArgumentList '/report', \"`\"$(Join-Path $dest '{file}')`\"\" -Wait\r\n\
                 if (Test-Path (Join-Path $dest '{file}')) {{ $st = 'ok' }} else {{ $st = 'not written' }}\r\n\
                 Add-Entry '{file}' '{what}' 'msinfo32 /report' $st\r\n",
                file = step.file
            )),
        }
    }
    s.push_str(&format!(
        "\r\n# {}\r\n",
        t(
            "The manifest: what was collected, from which Windows, in which time zone.",
            "マニフェスト: 集めたもの、Windows のバージョン、タイム ゾーン。"
        )
    ));
    s.push_str(&format!(
        "$head = @(\r\n\
         \x20   \"backupdiag collection {version}\",\r\n\
         \x20   \"computer`t$env:COMPUTERNAME\",\r\n\
         \x20   \"windows`t$([Environment]::OSVersion.VersionString)\",\r\n\
         \x20   \"powershell`t$($PSVersionTable.PSVersion)\",\r\n\
         \x20   \"time zone`t$([TimeZoneInfo]::Local.Id)\",\r\n\
         \x20   \"collected (UTC)`t$((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))\",\r\n\
         \x20   '',\r\n\
         \x20   \"file`tstatus`tcommand`twhat\"\r\n\
         )\r\n\
         ($head + $manifest) | Out-File -FilePath (Join-Path $dest 'manifest.txt') -Encoding UTF8\r\n"
    ));
    s.push_str(&format!(
        "\r\n# {}\r\n\
         if ($PSVersionTable.PSVersion.Major -ge 5) {{\r\n\
         \x20   Compress-Archive -Path (Join-Path $dest '*') -DestinationPath \"$dest.zip\"\r\n\
         \x20   Write-Host \"{} $dest.zip\"\r\n\
         }} else {{\r\n\
         \x20   Write-Host \"{} $dest\"\r\n\
         }}\r\n",
        t(
            "Zip it where PowerShell 5 or later is there (Windows 10/11); else leave the folder.",
            "PowerShell 5 以降 (Windows 10/11) では zip にまとめ、それ以前はフォルダーのままにします。"
        ),
        t("Send this file:", "このファイルを送ってください:"),
        t(
            "Zip and send this folder:",
            "このフォルダーを zip にして送ってください:"
        ),
    ));
    s
}
