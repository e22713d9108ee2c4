//! Text files of a bundle: the servicing logs (CBS.log, dism.log, setupact.log) line by line,
//! and the saved console output (vssadmin, bcdedit) and the user's notes, in the encodings
//! Windows and its users write them.

pub mod console;
pub mod servicing;

use crate::scenario::TextEncoding;

/// Encodes text as a console output saved in `encoding` (line ends become CRLF).
pub fn encode(text: &str, encoding: TextEncoding) -> Vec<u8> {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    match encoding {
        TextEncoding::Utf8 => crlf.into_bytes(),
        TextEncoding::Utf16leBom => {
            let mut out = vec![0xFF, 0xFE];
            out.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        TextEncoding::Cp932 => encoding_rs::SHIFT_JIS.encode(&crlf).0.into_owned(),
    }
}
