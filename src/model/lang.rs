//! The language reports are written in.

/// The language of what people read (codes, commands, file names, JSON keys and cause ids
/// never change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// `--lang` when given; else Japanese when standard output is a terminal and the locale
    /// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`) is Japanese; else English. Piped output
    /// stays English unless asked, so scripts see one language.
    pub fn detect(explicit: Option<Lang>) -> Lang {
        use std::io::IsTerminal;
        if let Some(lang) = explicit {
            return lang;
        }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        if std::io::stdout().is_terminal() && locale.starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// `en` or `ja`, as JSON and HTML name it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// The text in this language.
    pub fn pick<'a>(self, english: &'a str, japanese: &'a str) -> &'a str {
        match self {
            Lang::En => english,
            Lang::Ja => japanese,
        }
    }
}
