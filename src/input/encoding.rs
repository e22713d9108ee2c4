//! Detects the text encoding of a collected file and decodes it to UTF-8.
//!
//! Windows hands over text in many encodings: UTF-8 with or without BOM (CBS, DISM, PowerShell
//! 7), UTF-16LE with BOM (PowerShell 5 redirection), UTF-16LE without BOM (`cmd /u`), CP932
//! (cmd.exe on Japanese Windows) and CP1252. The order follows the knowledge notes (section
//! 3.5 of `windows-knowledge.md`): BOM, then UTF-16 by zero-byte pattern, then strict UTF-8,
//! then CP932 when the bytes decode to Japanese kana, else CP1252.

use std::borrow::Cow;
use std::fmt;

use encoding_rs::{Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;

/// A text encoding backupdiag can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (`EF BB BF`).
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark (`FF FE`).
    Utf16LeBom,
    /// UTF-16 little-endian without a byte-order mark.
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark (`FE FF`).
    Utf16BeBom,
    /// UTF-16 big-endian without a byte-order mark.
    Utf16Be,
    /// Windows code page 932 (Shift_JIS), the Japanese OEM and ANSI code page.
    Cp932,
    /// Windows code page 1252 (Western European ANSI).
    Cp1252,
}

impl TextEncoding {
    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16LeBom => "utf-16le-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16BeBom => "utf-16be-bom",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Cp932 => "cp932",
            TextEncoding::Cp1252 => "cp1252",
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Decoded text with the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text, without byte-order mark.
    pub text: Cow<'a, str>,
    /// The detected encoding.
    pub encoding: TextEncoding,
    /// How many malformed byte sequences were replaced by U+FFFD.
    pub replaced: usize,
}

/// Detects the encoding of `bytes` and decodes them.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    let encoding = detect(bytes);
    decode_as(bytes, encoding)
}

/// Decodes `bytes` in a known encoding (a byte-order mark, if present, is skipped).
pub fn decode_as(bytes: &[u8], encoding: TextEncoding) -> Decoded<'_> {
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => decode_utf8(strip_prefix(bytes, b"\xEF\xBB\xBF"), encoding),
        TextEncoding::Utf16LeBom => with(bytes.get(2..).unwrap_or(&[]), UTF_16LE, encoding),
        TextEncoding::Utf16Le => with(bytes, UTF_16LE, encoding),
        TextEncoding::Utf16BeBom => with(bytes.get(2..).unwrap_or(&[]), UTF_16BE, encoding),
        TextEncoding::Utf16Be => with(bytes, UTF_16BE, encoding),
        TextEncoding::Cp932 => with(bytes, SHIFT_JIS, encoding),
        TextEncoding::Cp1252 => with(bytes, WINDOWS_1252, encoding),
    }
}

/// Guesses the encoding of `bytes` (the whole file or a long enough head of it).
pub fn detect(bytes: &[u8]) -> TextEncoding {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return TextEncoding::Utf8Bom;
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return TextEncoding::Utf16LeBom;
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return TextEncoding::Utf16BeBom;
    }
    if let Some(utf16) = detect_bomless_utf16(bytes) {
        return utf16;
    }
    if mostly_utf8(bytes) {
        return TextEncoding::Utf8;
    }
    if looks_japanese(bytes) {
        return TextEncoding::Cp932;
    }
    TextEncoding::Cp1252
}

fn strip_prefix<'a>(bytes: &'a [u8], prefix: &[u8]) -> &'a [u8] {
    bytes.strip_prefix(prefix).unwrap_or(bytes)
}

fn decode_utf8(bytes: &[u8], encoding: TextEncoding) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            encoding,
            replaced: 0,
        },
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            let replaced = text.matches('\u{FFFD}').count();
            Decoded {
                text,
                encoding,
                replaced,
            }
        }
    }
}

fn with<'a>(bytes: &'a [u8], codec: &'static Encoding, encoding: TextEncoding) -> Decoded<'a> {
    let (text, had_errors) = codec.decode_without_bom_handling(bytes);
    let replaced = if had_errors {
        text.matches('\u{FFFD}').count()
    } else {
        0
    };
    Decoded {
        text,
        encoding,
        replaced,
    }
}

/// UTF-16 without BOM shows as many zero bytes on one parity (ASCII text) and few on the other.
fn detect_bomless_utf16(bytes: &[u8]) -> Option<TextEncoding> {
    let sample = &bytes[..bytes.len().min(8192) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zeros = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zeros = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd_zeros * 10 >= pairs * 3 && even_zeros * 20 <= pairs {
        Some(TextEncoding::Utf16Le)
    } else if even_zeros * 10 >= pairs * 3 && odd_zeros * 20 <= pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Valid UTF-8, or UTF-8 with fewer stray bytes than real multi-byte sequences (a log that
/// once had an ANSI byte written into it stays a UTF-8 log).
fn mostly_utf8(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let lossy = String::from_utf8_lossy(bytes);
    let invalid = lossy.matches('\u{FFFD}').count();
    let multibyte = lossy.chars().filter(|c| c.len_utf8() > 1 && *c != '\u{FFFD}').count();
    multibyte > 0 && invalid <= multibyte
}

/// Shift_JIS bytes that decode cleanly into text with full-width kana: Japanese text writes
/// kana in almost every sentence, while CP1252 text mis-read as Shift_JIS does not produce them.
fn looks_japanese(bytes: &[u8]) -> bool {
    let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) else {
        return false;
    };
    let kana = text.chars().filter(|c| ('\u{3040}'..='\u{30FF}').contains(c)).count();
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    kana > 0 && kana * 5 >= non_ascii
}

#[cfg(test)]
mod tests {
    use super::{decode, TextEncoding};

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(text: &str) -> Vec<u8> {
        let mut out = vec![0xFE, 0xFF];
        out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    const JAPANESE: &str = "ライター名: 'System Writer'\r\n   状態: [1] 安定\r\n   最後のエラー: エラーなし\r\n";

    #[test]
    fn detects_and_decodes_every_supported_encoding() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(JAPANESE);
        let (cp1252, _, _) =
            encoding_rs::WINDOWS_1252.encode("Nom du rédacteur : 'Task Scheduler Writer'\r\n   État : [1] Stable\r\n");
        let cases: Vec<(Vec<u8>, TextEncoding, &str)> = vec![
            (
                b"Writer name: 'System Writer'\n".to_vec(),
                TextEncoding::Utf8,
                "Writer name",
            ),
            (
                b"\xEF\xBB\xBF2023-05-17 08:44:05, Info".to_vec(),
                TextEncoding::Utf8Bom,
                "2023-05-17",
            ),
            (utf16le(JAPANESE, true), TextEncoding::Utf16LeBom, "ライター名"),
            (
                utf16le("Writer name: 'System Writer'\r\n", false),
                TextEncoding::Utf16Le,
                "Writer name",
            ),
            (
                utf16be("Writer name: 'ASR Writer'\r\n"),
                TextEncoding::Utf16BeBom,
                "ASR Writer",
            ),
            (sjis.into_owned(), TextEncoding::Cp932, "最後のエラー"),
            (cp1252.into_owned(), TextEncoding::Cp1252, "rédacteur"),
        ];
        for (bytes, encoding, needle) in cases {
            let decoded = decode(&bytes);
            assert_eq!(decoded.encoding, encoding, "{needle}");
            assert!(decoded.text.contains(needle), "{needle} not in {:?}", decoded.text);
            assert!(!decoded.text.starts_with('\u{FEFF}'));
            assert_eq!(decoded.replaced, 0);
        }
    }

    #[test]
    fn a_stray_byte_in_a_utf8_log_keeps_it_utf8() {
        let mut bytes = "2022-07-06 08:08:29, Info  MOUPG  Größe ✓ Ä ö ü ß é"
            .as_bytes()
            .to_vec();
        bytes.push(0x97);
        bytes.extend_from_slice(" tail".as_bytes());
        let decoded = decode(&bytes);
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert_eq!(decoded.replaced, 1);
        assert!(decoded.text.ends_with(" tail"));
    }
}
