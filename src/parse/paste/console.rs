//! Saved `sfc /scannow` and `dism` console output, English and Japanese: the verdict and the
//! error code. Phrases: Microsoft's SFC messages (KB 929833), `japanese-formats.md` 6 (the
//! Japanese cannot-repair and no-violation phrases are unverified there; matched on their stems).

use crate::model::Verdict;

/// What one console run concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// `sfc` or `dism`.
    pub tool: &'static str,
    /// What it concluded.
    pub verdict: Verdict,
    /// The error code printed, when any.
    pub code: Option<u32>,
    /// The line it was read on.
    pub line: u64,
}

const PHRASES: &[(&str, &str, Verdict)] = &[
    ("sfc", "did not find any integrity violations", Verdict::Clean),
    (
        "sfc",
        "found corrupt files and successfully repaired them",
        Verdict::Repaired,
    ),
    (
        "sfc",
        "found corrupt files but was unable to fix some of them",
        Verdict::CannotRepair,
    ),
    ("sfc", "could not perform the requested operation", Verdict::CouldNotRun),
    (
        "sfc",
        "There is a system repair pending which requires reboot to complete",
        Verdict::RebootRequired,
    ),
    // German sfc (Windows 10): the pending-repair verdict, as a public German note quotes it.
    (
        "sfc",
        "Es steht eine Systemreparatur aus, deren Abschluss einen Neustart erfordert",
        Verdict::RebootRequired,
    ),
    ("sfc", "整合性違反を検出しませんでした", Verdict::Clean),
    ("sfc", "それらは正常に修復されました", Verdict::Repaired),
    ("sfc", "一部は修正できませんでした", Verdict::CannotRepair),
    ("sfc", "要求された操作を実行できませんでした", Verdict::CouldNotRun),
    (
        "dism",
        "The restore operation completed successfully",
        Verdict::Repaired,
    ),
    ("dism", "No component store corruption detected", Verdict::Clean),
    ("dism", "The component store is repairable", Verdict::Repairable),
    ("dism", "The source files could not be found", Verdict::SourceMissing),
    ("dism", "復元操作は正常に完了しました", Verdict::Repaired),
    ("dism", "ソース ファイルが見つかりませんでした", Verdict::SourceMissing),
];

/// True when the text is console output of sfc or dism: its banner, or a verdict copied
/// without it (`sfc /scannow` answering with the pending-repair line alone).
pub fn looks_like(text: &str) -> bool {
    [
        "Windows Resource Protection",
        "Windows リソース保護",
        "Deployment Image Servicing and Management",
        "展開イメージのサービスと管理",
    ]
    .iter()
    .any(|m| text.contains(m))
        || PHRASES.iter().any(|(_, phrase, _)| text.contains(phrase))
}

/// The verdicts in the text, with the error codes printed (`Error: 0x800f081f`, `エラー: 0x800f081f`).
pub fn verdicts(text: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line_no = index as u64 + 1;
        if let Some((tool, _, verdict)) = PHRASES.iter().find(|(_, phrase, _)| line.contains(phrase)) {
            out.push(Run {
                tool,
                verdict: *verdict,
                code: None,
                line: line_no,
            });
        }
        let trimmed = line.trim();
        let code = trimmed
            .strip_prefix("Error:")
            .or_else(|| trimmed.strip_prefix("エラー:"))
            .or_else(|| trimmed.strip_prefix("エラー："));
        if let Some(code) = code.and_then(parse_number) {
            let verdict = if code == 0x800f_081f {
                Verdict::SourceMissing
            } else {
                Verdict::Failed
            };
            out.push(Run {
                tool: "dism",
                verdict,
                code: Some(code),
                line: line_no,
            });
        }
    }
    merge(out)
}

/// `0x800f081f` or a decimal DISM exit code (`3017`).
fn parse_number(text: &str) -> Option<u32> {
    crate::model::codes::parse_code(text).or_else(|| text.trim().parse().ok())
}

/// One verdict per tool and word (an error line and its explanation say the same thing).
fn merge(verdicts: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for verdict in verdicts {
        match out
            .iter_mut()
            .find(|v| v.tool == verdict.tool && (v.verdict == verdict.verdict || verdict.verdict == Verdict::Failed))
        {
            Some(existing) => existing.code = existing.code.or(verdict.code),
            None => out.push(verdict),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{looks_like, verdicts};
    use crate::model::Verdict;

    #[test]
    fn verdicts_in_english_and_japanese() {
        let sfc = "Beginning system scan.\r\nWindows Resource Protection found corrupt files but was unable to fix some of them.\r\n";
        assert_eq!(verdicts(sfc)[0].verdict, Verdict::CannotRepair);
        let dism = "展開イメージのサービスと管理ツール\r\n[==========================100.0%==========================]\r\nエラー: 0x800f081f\r\n\r\nソース ファイルが見つかりませんでした。\r\n";
        let found = verdicts(dism);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].verdict, found[0].code),
            (Verdict::SourceMissing, Some(0x800f_081f))
        );
        let reboot = "Error: 3017\r\n";
        assert_eq!(verdicts(reboot)[0].code, Some(3017));
    }

    #[test]
    fn a_pending_repair_verdict_copied_without_its_banner_is_console_output() {
        let english = "C:\\WINDOWS\\system32>sfc /scannow\r\nThere is a system repair pending which requires reboot to complete.  Restart Windows and run sfc again.\r\n";
        assert!(looks_like(english));
        assert_eq!(verdicts(english)[0].verdict, Verdict::RebootRequired);
        let german = "Es steht eine Systemreparatur aus, deren Abschluss einen Neustart erfordert.\r\n";
        assert!(looks_like(german));
        assert_eq!(verdicts(german)[0].verdict, Verdict::RebootRequired);
        assert!(!looks_like("sfc /scannow found nothing, what next?\n"));
    }
}
