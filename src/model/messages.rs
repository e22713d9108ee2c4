//! Message templates of the events rules read (`messages.toml`, each with the public source of
//! its text: libyal winevt-kb's dumps of the Windows message tables for English, real Japanese
//! pastes for Japanese): to identify an event from its description pasted alone, to pull its
//! parameters out when no XML came with it, and to show a recorded event's message as Event
//! Viewer shows it. `%%N` references are rendered from the same file's insertion texts and the
//! code table.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Event, Fields};

/// One message of one event, in one language.
#[derive(Debug, Clone, Deserialize)]
pub struct Template {
    /// Provider as its XML names it (compared without case).
    pub provider: String,
    /// Event id.
    pub id: u32,
    /// `en`, `ja`, ...
    pub lang: String,
    /// The message-table text with its `%1` insertion points.
    pub text: String,
    /// The XML name of `%1`, `%2`, ... (`%N` for unnamed data).
    pub names: Vec<String>,
    /// Where this language's text was seen.
    pub source: String,
}

/// A `%%N` reference's text.
#[derive(Debug, Clone, Deserialize)]
struct Insertion {
    #[serde(rename = "N")]
    number: u32,
    #[serde(default)]
    en: String,
    #[serde(default)]
    ja: String,
}

#[derive(Deserialize)]
struct Table {
    template: Vec<Template>,
    #[serde(default)]
    insertion: Vec<Insertion>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        // Part of the binary and parsed by a test: an error here is a bug, not input.
        toml::from_str(include_str!("messages.toml")).unwrap_or(Table {
            template: Vec::new(),
            insertion: Vec::new(),
        })
    })
}

/// Every template, in file order.
pub fn templates() -> &'static [Template] {
    &table().template
}

/// A template ready for matching: its text folded as messages are, and the length of its
/// literal text. Prepared once; matching a pasted paragraph then folds only the paragraph.
struct Prepared {
    template: &'static Template,
    folded: String,
    literal_length: usize,
}

fn prepared() -> &'static [Prepared] {
    static PREPARED: OnceLock<Vec<Prepared>> = OnceLock::new();
    PREPARED.get_or_init(|| {
        templates()
            .iter()
            .map(|template| Prepared {
                template,
                folded: fold(&template.text),
                literal_length: literal_length(&template.text),
            })
            .collect()
    })
}

/// Characters Event Viewer copies carry that are not text: left-to-right and right-to-left
/// marks and embeddings (`‎3/‎10/‎2012`).
const FORMAT_MARKS: &[char] = &[
    '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
];

/// A field value as shown: format marks removed, line breaks folded, `%%N` system message
/// references (`%%1058`) replaced by their text when known.
pub fn clean(value: &str) -> String {
    clean_in(value, "en")
}

/// [`clean`] with `%%N` texts in `lang` (English where no Japanese text is known).
fn clean_in(value: &str, lang: &str) -> String {
    let text = if is_clean_ascii(value) {
        value.to_string()
    } else {
        // Format marks dropped, then runs of white space made one space and the ends trimmed
        // (`split_whitespace` joined by spaces), in one pass.
        let mut text = String::with_capacity(value.len());
        let mut space = false;
        for c in value.chars().filter(|c| !FORMAT_MARKS.contains(c)) {
            if c.is_whitespace() {
                space = !text.is_empty();
            } else {
                if space {
                    text.push(' ');
                    space = false;
                }
                text.push(c);
            }
        }
        text
    };
    match text.strip_prefix("%%").and_then(|n| n.parse::<u32>().ok()) {
        Some(number) => {
            let japanese = (lang == "ja").then(|| insertion_ja(number)).flatten();
            japanese.or_else(|| insertion_text(number)).unwrap_or(text)
        }
        None => text,
    }
}

/// ASCII (so no format mark) whose only white space is single spaces between words: what most
/// values and log messages are, and what cleaning leaves as it is.
fn is_clean_ascii(value: &str) -> bool {
    let bytes = value.as_bytes();
    let space = |b: &u8| b.is_ascii_whitespace() || *b == 0x0b;
    bytes.first().is_none_or(|b| !space(b))
        && bytes.last().is_none_or(|b| !space(b))
        && bytes.iter().all(|b| b.is_ascii() && (!space(b) || *b == b' '))
        && memchr::memmem::find(bytes, b"  ").is_none()
}

fn insertion_text(number: u32) -> Option<String> {
    table()
        .insertion
        .iter()
        .find(|i| i.number == number && !i.en.is_empty())
        .map(|i| i.en.clone())
        .or_else(|| super::codes::lookup(number).and_then(|c| c.en.clone()))
}

fn insertion_ja(number: u32) -> Option<String> {
    table()
        .insertion
        .iter()
        .find(|i| i.number == number && !i.ja.is_empty())
        .map(|i| i.ja.clone())
        .or_else(|| super::codes::lookup(number).and_then(|c| c.ja.clone()))
}

/// What an event says in one line: the first line of its message when it carries one (a
/// paste), else its message as Event Viewer shows it when the template is known, else its
/// fields as `name=value` joined by `separator` (empty values and `Binary` left out).
pub fn one_line(event: &Event, separator: &str) -> String {
    match &event.message {
        Some(message) => clean(message.lines().next().unwrap_or_default()),
        None => render(event).unwrap_or_else(|| {
            event
                .fields
                .iter()
                .filter(|(name, value)| !value.trim().is_empty() && *name != "Binary")
                .map(|(name, value)| format!("{name}={}", clean(value)))
                .collect::<Vec<_>>()
                .join(separator)
        }),
    }
}

/// The event's message in English as Event Viewer shows it, when its template is known and its
/// fields fill it.
pub fn render(event: &Event) -> Option<String> {
    render_in(event, "en")
}

/// The event's message in `lang` (`en`, `ja`), when a template in that language is known.
pub fn render_in(event: &Event, lang: &str) -> Option<String> {
    let id = event.event_id?;
    templates()
        .iter()
        .filter(|t| t.id == id && t.lang == lang && t.provider.eq_ignore_ascii_case(&event.provider))
        .find_map(|t| fill(t, event))
}

fn fill(template: &Template, event: &Event) -> Option<String> {
    let mut text = template.text.clone();
    // Highest number first, so %1 never eats the start of %10.
    for (index, name) in template.names.iter().enumerate().rev() {
        let placeholder = format!("%{}", index + 1);
        if text.contains(&placeholder) {
            text = text.replace(&placeholder, &clean_in(event.field(name)?, &template.lang));
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Text prepared for matching: typographic quotes made plain, whitespace runs folded to one
/// space, and no space next to Japanese or Chinese text (pastes break lines after 「。」).
fn fold(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(|c| !FORMAT_MARKS.contains(c))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            other => other,
        })
        .collect();
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut out = String::with_capacity(plain.len());
    for (i, word) in words.iter().enumerate() {
        let joins_cjk =
            i > 0 && (words[i - 1].chars().next_back().is_some_and(is_cjk) || word.chars().next().is_some_and(is_cjk));
        if i > 0 && !joins_cjk {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// Fields pulled from `message` by a template of (`provider`, `id`), when one matches.
pub fn extract(provider: &str, id: u32, message: &str) -> Option<Fields> {
    let message = fold(message);
    prepared()
        .iter()
        .filter(|p| p.template.provider.eq_ignore_ascii_case(provider) && p.template.id == id)
        .find_map(|p| matches(&p.folded, &message).map(|values| fields(p.template, values)))
}

/// Identifies an event from its message text alone: (provider, id, fields) of the template
/// that matches with the most literal text (the most specific one). A template that is only
/// placeholders (Wininit 1001 is `%1`) would match anything and is never used for this.
pub fn identify(message: &str) -> Option<(&'static str, u32, Fields)> {
    let folded = fold(message);
    prepared()
        .iter()
        .filter(|p| p.literal_length >= 12)
        .filter_map(|p| matches(&p.folded, &folded).map(|values| (p, values)))
        .max_by_key(|(p, _)| p.literal_length)
        .map(|(p, values)| (p.template.provider.as_str(), p.template.id, fields(p.template, values)))
}

/// Characters of a template that are not placeholders.
fn literal_length(text: &str) -> usize {
    pieces(text).0.iter().map(|p| p.chars().count()).sum()
}

fn fields(template: &Template, values: Vec<(usize, String)>) -> Fields {
    let mut fields = Fields::new();
    let error_text = matches!(template.id, 7000 | 7023);
    let mut ordered = values;
    ordered.sort_by_key(|(number, _)| *number);
    for (number, value) in ordered {
        let Some(name) = template.names.get(number.saturating_sub(1)) else {
            continue;
        };
        // SCM prints the Win32 error as words; the XML holds %%1058 for "disabled".
        let disabled = value.contains("it is disabled") || value.contains("無効");
        let value = if error_text && disabled {
            "%%1058".to_string()
        } else {
            value
        };
        fields.push(name, value.trim());
    }
    fields
}

/// A template's literal pieces and the placeholder number between each pair.
fn pieces(template: &str) -> (Vec<&str>, Vec<usize>) {
    let mut literals = Vec::new();
    let mut numbers = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        let digits: String = rest[at + 1..].chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            // A lone `%` is text.
            let (head, tail) = rest.split_at(at + 1);
            literals.push(head);
            rest = tail;
            continue;
        }
        literals.push(&rest[..at]);
        numbers.push(digits.parse().unwrap_or(0));
        rest = &rest[at + 1 + digits.len()..];
    }
    literals.push(rest);
    (literals, numbers)
}

/// Matches `message` against a template whose `%N` placeholders stand for any text; returns
/// each placeholder's number and text. The message may stop at a sentence end of the template
/// (pastes often keep only the first paragraph) once every placeholder before it is read, and
/// may go on after the template (Windows 10 appends context blocks to VSS messages).
fn matches(template: &str, message: &str) -> Option<Vec<(usize, String)>> {
    let (literals, numbers) = pieces(template);
    let mut values = Vec::new();
    let mut position = message.strip_prefix(literals[0])?;
    for (i, literal) in literals.iter().enumerate().skip(1) {
        let last = i == literals.len() - 1;
        let end = if literal.is_empty() && last {
            Some(position.len())
        } else if last && position.trim_end().ends_with(literal) {
            // A message that ends with the template's final text: the value runs up to it
            // (`%1.` where the value holds periods of its own).
            Some(position.trim_end().len() - literal.len())
        } else {
            position
                .find(literal)
                .or_else(|| truncated_at_sentence(position, literal))
        };
        let end = end?;
        values.push((numbers[i - 1], position[..end].to_string()));
        position = position.get(end + literal.len()..).unwrap_or_default();
    }
    Some(values)
}

/// When the paste stopped inside `literal`: the value ends where the paste's text starts to
/// agree with the literal up to a sentence end (`.` or `。`) and the paste ends there.
fn truncated_at_sentence(position: &str, literal: &str) -> Option<usize> {
    let sentence_end = literal
        .find(['.', '。'])
        .map(|i| i + literal[i..].chars().next().map_or(1, char::len_utf8))?;
    let head = &literal[..sentence_end];
    let at = position.rfind(head)?;
    (at + head.len() == position.trim_end().len()).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::{clean, extract, identify, templates};

    #[test]
    fn values_lose_format_marks_and_references_become_text() {
        assert_eq!(clean("\u{200e}3/\u{200e}10/\u{200e}2012"), "3/10/2012");
        assert_eq!(
            clean("%%1058"),
            "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it."
        );
        assert_eq!(clean("  a\r\n b "), "a b");
    }

    #[test]
    fn cleaning_is_dropping_marks_then_joining_the_words() {
        let reference = |value: &str| -> String {
            let text: String = value.chars().filter(|c| !super::FORMAT_MARKS.contains(c)).collect();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for value in [
            "",
            "   ",
            "a",
            " a  b\t\tc ",
            "a \u{200e} b",
            "\u{200e} a",
            "\u{3000}全角\u{3000}\u{3000}空白\u{a0}",
            "x\u{200f}\u{202a}y",
            "plain words, one space each",
            "tab\there",
            "vertical\u{b}tab",
            "form\u{c}feed",
            " lead",
            "trail ",
            "two  spaces",
            "\u{85}next line",
        ] {
            assert_eq!(clean(value), reference(value), "{value:?}");
        }
    }

    /// Every template reads back a message written from it, in its language: the values come
    /// out under their names, and the message alone is identified as its event (or as another
    /// event with the very same text).
    #[test]
    fn every_template_reads_a_message_written_from_it() {
        assert!(templates().len() >= 100, "{} templates", templates().len());
        for t in templates() {
            let mut message = t.text.clone();
            for index in (0..t.names.len()).rev() {
                message = message.replace(&format!("%{}", index + 1), &format!("V{}x", index + 1));
            }
            let values = super::matches(&super::fold(&t.text), &super::fold(&message))
                .unwrap_or_else(|| panic!("{} {} {}: no match for its own text", t.provider, t.id, t.lang));
            let fields = super::fields(t, values);
            assert!(
                extract(&t.provider, t.id, &message).is_some(),
                "{} {}",
                t.provider,
                t.id
            );
            for (index, name) in t.names.iter().enumerate() {
                if super::pieces(&t.text).1.contains(&(index + 1)) {
                    let want = format!("V{}x", index + 1);
                    let got = fields.get_all(name).any(|v| v == want);
                    assert!(
                        got,
                        "{} {} {}: {name} should be {want}: {fields:?}",
                        t.provider, t.id, t.lang
                    );
                }
            }
            if super::literal_length(&t.text) >= 12 {
                let (provider, id, _) =
                    identify(&message).unwrap_or_else(|| panic!("{} {}: not identified", t.provider, t.id));
                let literals = |text: &str| super::pieces(&super::fold(text)).0.join("%");
                let same_text = templates()
                    .iter()
                    .any(|o| o.provider == provider && o.id == id && literals(&o.text) == literals(&t.text));
                assert!(
                    (provider.eq_ignore_ascii_case(&t.provider) && id == t.id) || same_text,
                    "{} {} {} identified as {provider} {id}",
                    t.provider,
                    t.id,
                    t.lang
                );
            }
        }
    }

    #[test]
    fn real_pastes_in_english_and_japanese() {
        let cases = [
            ("Service Control Manager", 7040, "The start type of the Block Level Backup Engine Service service was changed from demand start\n to disabled.", "param3", "disabled"),
            ("Service Control Manager", 7000, "The Block Level Backup Engine Service service failed to start due to the following error: \nThe service cannot be started, either because it is disabled or because it has no enabled devices associated with it.", "param2", "%%1058"),
            ("Windows Backup", 4104, "The backup was not successful. The error is: The system cannot find the file specified. (0x80070002).", "%1", "The system cannot find the file specified. (0x80070002)"),
            ("Microsoft-Windows-Backup", 517, "The backup operation that started at '?2012?-?10?-?21T11:00:00.000Z' has failed with following error code '0x81000019' (A shadow copy could not be created.).", "ErrorCode", "0x81000019"),
            ("Microsoft-Windows-Backup", 517, "'2018-08-07T09:00:43.533016300Z' に開始したバックアップ操作は、次のエラー コード '0x80780049' (バックアップに含まれるいずれの項目もバックアップされませんでした。) のため失敗しました。\nイベントの詳細で解決策を確認し、問題の解決後にバックアップ操作を再実行してください。", "ErrorCode", "0x80780049"),
        ];
        for (provider, id, message, name, value) in cases {
            let fields = extract(provider, id, message).unwrap_or_else(|| panic!("{message}"));
            assert_eq!(fields.get(name), Some(value), "{message}");
        }
        assert!(extract("VSS", 8193, "something else entirely").is_none());
        let (provider, id, fields) =
            identify("The start type of the Volume Shadow Copy service was\nchanged from demand start to disabled.")
                .expect("identified");
        assert_eq!(
            (provider, id, fields.get("param1")),
            ("Service Control Manager", 7040, Some("Volume Shadow Copy"))
        );
    }
}
