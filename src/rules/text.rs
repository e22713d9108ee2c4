//! The rules' texts in the report's language: English lives beside each rule; Japanese in
//! `ja.toml` (title, explanation, repair actions and cautions per rule code), read once.
//! Commands, codes and cause ids are never translated, so they are not in the file. A
//! Japanese text may name a control panel item by a placeholder (`{バックアップと復元}`) that
//! becomes the name the case's Windows shows.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{RepairStep, Rule};
use crate::model::Lang;

/// One rule's Japanese text.
#[derive(Debug, Deserialize)]
pub struct RuleText {
    /// The title.
    pub title: String,
    /// What it detects.
    pub detects: String,
    /// Why it matters.
    pub why: String,
    /// What to check.
    pub check: String,
    /// The repair steps, in the English order.
    pub repair: Vec<StepText>,
}

/// One repair step's Japanese text.
#[derive(Debug, Deserialize)]
pub struct StepText {
    /// What to do.
    pub action: String,
    /// What to watch for.
    pub caution: Option<String>,
}

static JAPANESE: LazyLock<BTreeMap<String, RuleText>> =
    LazyLock::new(|| toml::from_str(include_str!("ja.toml")).unwrap_or_default());

/// The Japanese text of the rule `code`.
pub fn japanese(code: &str) -> Option<&'static RuleText> {
    JAPANESE.get(code)
}

/// The rule's title in `lang` (English when no translation exists).
pub fn title<'a>(code: &str, english: &'a str, lang: Lang) -> &'a str {
    match (lang, japanese(code)) {
        (Lang::Ja, Some(text)) => text.title.as_str(),
        _ => english,
    }
}

/// Which Windows the case comes from, for the names its Japanese UI shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowsUi {
    /// Windows 7: 「バックアップと復元」.
    Seven,
    /// Windows 8 and later: 「バックアップと復元 (Windows 7)」.
    Later,
    /// Not known: both names.
    #[default]
    Unknown,
}

impl WindowsUi {
    /// From the Windows the logs name for each computer (`Windows 7 / Server 2008 R2`).
    pub fn of<'a>(systems: impl IntoIterator<Item = Option<&'a str>>) -> WindowsUi {
        let known: Vec<&str> = systems.into_iter().flatten().collect();
        if known.is_empty() {
            WindowsUi::Unknown
        } else if known.iter().all(|os| os.contains("Windows 7")) {
            WindowsUi::Seven
        } else if known.iter().all(|os| !os.contains("Windows 7")) {
            WindowsUi::Later
        } else {
            WindowsUi::Unknown
        }
    }

    fn backup_and_restore(self) -> &'static str {
        match self {
            WindowsUi::Seven => "[バックアップと復元]",
            WindowsUi::Later => "[バックアップと復元 (Windows 7)]",
            WindowsUi::Unknown => "[バックアップと復元 (Windows 7)] (Windows 7 では [バックアップと復元])",
        }
    }
}

/// Step `index` of rule `code`: its action and caution in `lang`, control panel names as `ui`
/// shows them.
pub fn step<'a>(
    code: &str,
    index: usize,
    step: &'a RepairStep,
    lang: Lang,
    ui: WindowsUi,
) -> (std::borrow::Cow<'a, str>, Option<&'a str>) {
    let translated = (lang == Lang::Ja)
        .then(|| japanese(code).and_then(|t| t.repair.get(index)))
        .flatten();
    match translated {
        Some(text) => {
            let action = if text.action.contains("{バックアップと復元}") {
                std::borrow::Cow::Owned(text.action.replace("{バックアップと復元}", ui.backup_and_restore()))
            } else {
                std::borrow::Cow::Borrowed(text.action.as_str())
            };
            (action, text.caution.as_deref().or(step.caution))
        }
        None => (std::borrow::Cow::Borrowed(step.action), step.caution),
    }
}

/// The rule's explanation (detects, why, check) in `lang`.
pub fn explanation(rule: &Rule, lang: Lang) -> [&str; 3] {
    match (lang, japanese(rule.code)) {
        (Lang::Ja, Some(text)) => [text.detects.as_str(), text.why.as_str(), text.check.as_str()],
        _ => [rule.explanation.detects, rule.explanation.why, rule.explanation.check],
    }
}

#[cfg(test)]
mod tests {
    use super::{japanese, JAPANESE};
    use crate::rules::RULES;

    #[test]
    fn control_panel_names_follow_the_cases_windows() {
        use super::{step, WindowsUi};
        use crate::model::Lang;
        let rule = RULES.iter().find(|r| r.code == "DSK003").expect("DSK003");
        let (index, repair) = rule
            .repair
            .iter()
            .enumerate()
            .find(|(i, s)| {
                step("DSK003", *i, s, Lang::Ja, WindowsUi::Unknown)
                    .0
                    .contains("バックアップと復元")
            })
            .expect("a step naming Backup and Restore");
        let seven = step(
            "DSK003",
            index,
            repair,
            Lang::Ja,
            WindowsUi::of([Some("Windows 7 / Server 2008 R2")]),
        )
        .0;
        assert!(
            seven.contains("[バックアップと復元]") && !seven.contains("(Windows 7)"),
            "{seven}"
        );
        let eleven = step("DSK003", index, repair, Lang::Ja, WindowsUi::of([Some("Windows 11")])).0;
        assert!(
            eleven.contains("[バックアップと復元 (Windows 7)]") && !eleven.contains("では"),
            "{eleven}"
        );
        for rule in RULES {
            for (i, s) in rule.repair.iter().enumerate() {
                assert!(
                    !step(rule.code, i, s, Lang::Ja, WindowsUi::Unknown).0.contains('{'),
                    "{}: a placeholder left",
                    rule.code
                );
            }
        }
    }

    #[test]
    fn every_rule_has_its_japanese_text_step_for_step() {
        for rule in RULES {
            let text = japanese(rule.code).unwrap_or_else(|| panic!("{}: no Japanese text in ja.toml", rule.code));
            for field in [&text.title, &text.detects, &text.why, &text.check] {
                assert!(!field.trim().is_empty(), "{}: an empty field", rule.code);
                assert!(
                    field
                        .chars()
                        .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{}: not Japanese: {field}",
                    rule.code
                );
            }
            assert_eq!(text.repair.len(), rule.repair.len(), "{}: repair steps", rule.code);
            for (step, ja) in rule.repair.iter().zip(&text.repair) {
                assert_eq!(
                    step.caution.is_some(),
                    ja.caution.is_some(),
                    "{}: caution of '{}'",
                    rule.code,
                    step.action
                );
            }
        }
        assert_eq!(JAPANESE.len(), RULES.len(), "ja.toml names only registered rules");
    }
}
