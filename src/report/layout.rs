//! How terminal reports are laid out: the width they fit (the terminal's, else `COLUMNS`, else
//! 100), colour (on a terminal unless `NO_COLOR` or `--color never`; never in pipes unless
//! `--color always`), wrapped paragraphs, tables, and paths shortened from the left. Commands
//! and codes are never cut: a command is printed whole on its own line.

use std::io::IsTerminal;

use comfy_table::{ContentArrangement, Table};

use crate::config::ColorChoice;

/// Width used when nothing says how wide the output is.
const DEFAULT_WIDTH: usize = 100;
/// Narrowest layout drawn (below it, lines simply run long).
const MIN_WIDTH: usize = 40;

/// Width and colour of one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Columns to fit.
    pub width: usize,
    /// Emit ANSI colour.
    pub color: bool,
    /// The language of headings and labels.
    pub lang: crate::config::Lang,
    /// The Windows whose Japanese control panel names repair steps use.
    pub windows: crate::rules::text::WindowsUi,
}

/// What a piece of text is, for colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// A section heading.
    Heading,
    /// High confidence, a failure, an error.
    Bad,
    /// Medium confidence, a warning.
    Warn,
    /// Success, resolved.
    Good,
    /// Less important detail.
    Dim,
    /// A command to run.
    Command,
}

impl Layout {
    /// The layout for standard output under `choice`, from the terminal and the environment.
    pub fn detect(choice: ColorChoice) -> Layout {
        Layout::detect_for(std::io::stdout().is_terminal(), choice)
    }

    /// The layout for standard error (where `batch` prints its summary).
    pub fn detect_stderr(choice: ColorChoice) -> Layout {
        Layout::detect_for(std::io::stderr().is_terminal(), choice)
    }

    fn detect_for(terminal: bool, choice: ColorChoice) -> Layout {
        let width = terminal
            .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            .flatten()
            .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()))
            .unwrap_or(DEFAULT_WIDTH);
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        Layout {
            width: width.max(MIN_WIDTH),
            color,
            lang: crate::config::Lang::En,
            windows: crate::rules::text::WindowsUi::Unknown,
        }
    }

    /// A plain layout (no colour) of `width` columns, for tests and files.
    pub fn plain(width: usize) -> Layout {
        Layout {
            width: width.max(MIN_WIDTH),
            color: false,
            lang: crate::config::Lang::En,
            windows: crate::rules::text::WindowsUi::Unknown,
        }
    }

    /// The same layout for reports in `lang`.
    pub fn in_lang(self, lang: crate::config::Lang) -> Layout {
        Layout { lang, ..self }
    }

    /// The text in the layout's language.
    pub fn t<'a>(&self, english: &'a str, japanese: &'a str) -> &'a str {
        self.lang.pick(english, japanese)
    }

    /// Text for a table cell. In Japanese a space between two Japanese characters (as in
    /// `シャドウ コピー`), or a number and a Japanese word (`3 分間`), becomes a no-break space: the table then breaks Japanese anywhere, as
    /// Japanese is set, instead of only at those spaces, which split terms in two.
    pub fn cell(&self, text: &str) -> String {
        if self.lang == crate::config::Lang::En {
            return text.to_string();
        }
        let japanese =
            |c: char| matches!(c, '\u{3000}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}');
        let chars: Vec<char> = text.chars().collect();
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let keeps = |c: char| japanese(c) || c.is_ascii_digit();
                let between = i > 0
                    && i + 1 < chars.len()
                    && keeps(chars[i - 1])
                    && keeps(chars[i + 1])
                    && (japanese(chars[i - 1]) || japanese(chars[i + 1]));
                if c == ' ' && between {
                    '\u{a0}'
                } else {
                    c
                }
            })
            .collect()
    }

    /// `text` in the colour of `paint` (unchanged without colour).
    pub fn paint(&self, paint: Paint, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match paint {
            Paint::Heading => "1",
            Paint::Bad => "1;31",
            Paint::Warn => "33",
            Paint::Good => "32",
            Paint::Dim => "2",
            Paint::Command => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// `text` wrapped to the width: the first line after `first` (already printed, its width
    /// counted), the rest indented by `indent` spaces.
    pub fn wrap(&self, first: &str, indent: usize, text: &str) -> String {
        let indent = " ".repeat(indent);
        let options = self
            .breaking(self.width)
            .initial_indent(first)
            .subsequent_indent(&indent);
        textwrap::fill(text, options)
    }

    /// `text` broken into lines of at most `width` columns, for a table cell of known width.
    pub fn fill(&self, text: &str, width: usize) -> String {
        textwrap::fill(text, self.breaking(width))
    }

    /// Where lines may break: only at spaces in English (never inside `/Source:...`, a date or
    /// a code), where Unicode allows in Japanese (UAX #14: it has no spaces between words); a
    /// word longer than the line (a path) is split where it must be.
    fn breaking<'a>(&self, width: usize) -> textwrap::Options<'a> {
        textwrap::Options::new(width)
            .word_separator(match self.lang {
                crate::config::Lang::Ja => textwrap::WordSeparator::UnicodeBreakProperties,
                crate::config::Lang::En => textwrap::WordSeparator::AsciiSpace,
            })
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(true)
    }

    /// A table fitted to the width, with a header row and no borders.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_preset(comfy_table::presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(u16::try_from(self.width).unwrap_or(u16::MAX))
            .set_header(header.iter().map(|h| self.paint(Paint::Heading, h)));
        table
    }
}

/// A table as text, without the padding comfy-table leaves at the ends of lines.
pub fn render(table: &Table) -> String {
    table
        .lines()
        .map(|line| line.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last part of a display path (`System.evtx#12`, `CBS.log:15`): enough to find the line
/// in a table; the full path is in `inputs` and the JSON.
pub fn file_part(location: &str) -> &str {
    location.rsplit(['/', '\\', '!']).next().unwrap_or(location)
}

/// `path` at most `max` characters, shortened from the left (`…/demo/CBS.log:15`): the file
/// name and place, which tell the file apart, are kept.
pub fn shorten_path(path: &str, max: usize) -> String {
    let count = path.chars().count();
    if count <= max || max < 8 {
        return path.to_string();
    }
    let tail: String = path.chars().skip(count - (max - 1)).collect();
    // Cut at a folder boundary when one is near, so no name is left half.
    let cut = tail
        .find(['/', '\\', '!'])
        .filter(|i| *i < tail.len() / 2)
        .map_or(0, |i| i);
    format!("…{}", &tail[cut..])
}

/// `text` on one line, at most `max` characters (`…` marks the cut).
pub fn clip(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max.saturating_sub(1)).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, shorten_path, Layout, Paint};

    #[test]
    fn paths_are_shortened_from_the_left_keeping_the_file() {
        let path = "fixtures/tickets/024-0x8078012d-0x8007045d-io-error-ja/ticket.txt:4";
        let short = shorten_path(path, 30);
        assert!(short.chars().count() <= 30, "{short}");
        assert!(short.starts_with('…') && short.ends_with("/ticket.txt:4"), "{short}");
        assert_eq!(shorten_path("CBS.log:15", 30), "CBS.log:15");
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let layout = Layout::plain(40);
        let text =
            "SFC found corrupt system files it could not repair (vssapi.dll); DISM found component store corruption";
        let wrapped = layout.wrap("   Why: ", 8, text);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 40), "{wrapped}");
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("        ")), "{wrapped}");
        assert_eq!(clip("a  b\nc", 10), "a b c");
    }

    #[test]
    fn japanese_terms_keep_their_space_in_table_cells() {
        let ja = Layout::plain(80).in_lang(crate::config::Lang::Ja);
        assert_eq!(
            ja.cell("シャドウ コピー (VSS) を作成"),
            "シャドウ\u{a0}コピー (VSS) を作成"
        );
        let en = Layout::plain(80);
        assert_eq!(en.cell("シャドウ コピー"), "シャドウ コピー");
        assert_eq!(ja.cell("3 分間 VSS サービス"), "3\u{a0}分間 VSS サービス");
    }

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(Layout::plain(80).paint(Paint::Bad, "FAILED"), "FAILED");
        let coloured = Layout {
            width: 80,
            color: true,
            lang: crate::config::Lang::En,
            windows: crate::rules::text::WindowsUi::Unknown,
        }
        .paint(Paint::Bad, "FAILED");
        assert_eq!(coloured, "\x1b[1;31mFAILED\x1b[0m");
    }
}
