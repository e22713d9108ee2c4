//! Binary XML tokens as they appear in a template definition: elements with their data and
//! attribute-list sizes patched in, literal values, substitutions.

use super::chunk::{write_name, ChunkTables};

/// Value types of the substitution descriptors (MS-EVEN6 / libyal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ValueType {
    /// No value (renders as nothing).
    Null = 0x00,
    /// UTF-16LE string without terminator.
    String = 0x01,
    /// 8-bit unsigned.
    UInt8 = 0x04,
    /// 16-bit unsigned.
    UInt16 = 0x06,
    /// 32-bit unsigned.
    UInt32 = 0x08,
    /// 64-bit unsigned.
    UInt64 = 0x0a,
    /// Raw bytes.
    Binary = 0x0e,
    /// FILETIME.
    FileTime = 0x11,
    /// A security identifier.
    Sid = 0x13,
    /// 64-bit value rendered in hex.
    HexInt64 = 0x15,
}

/// An element being written: where its sizes go.
#[derive(Debug, Clone, Copy)]
pub struct Open {
    size_at: usize,
    attr_size_at: Option<usize>,
}

/// Writes template-definition tokens into a chunk buffer.
pub struct TokenWriter<'a> {
    /// The chunk bytes.
    pub buf: &'a mut Vec<u8>,
    /// The chunk's names and tables.
    pub tables: &'a mut ChunkTables,
}

impl TokenWriter<'_> {
    /// `OpenStartElement` (0x01, or 0x41 with attributes), no dependency.
    pub fn open(&mut self, name: &str, has_attributes: bool) -> Open {
        self.buf.push(if has_attributes { 0x41 } else { 0x01 });
        self.buf.extend_from_slice(&0xffffu16.to_le_bytes());
        let size_at = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        write_name(self.buf, self.tables, name);
        let attr_size_at = has_attributes.then(|| {
            let at = self.buf.len();
            self.buf.extend_from_slice(&0u32.to_le_bytes());
            at
        });
        Open { size_at, attr_size_at }
    }

    /// An attribute name (0x46 when more attributes follow, 0x06 for the last); its value
    /// tokens come next.
    pub fn attribute(&mut self, name: &str, last: bool) {
        self.buf.push(if last { 0x06 } else { 0x46 });
        write_name(self.buf, self.tables, name);
    }

    /// A literal string value token.
    pub fn text(&mut self, text: &str) {
        let units: Vec<u16> = text.encode_utf16().collect();
        self.buf.push(0x05);
        self.buf.push(ValueType::String as u8);
        self.buf.extend_from_slice(&(units.len() as u16).to_le_bytes());
        self.buf.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    }

    /// A normal substitution of value `index`.
    pub fn substitution(&mut self, index: u16, kind: ValueType) {
        self.buf.push(0x0d);
        self.buf.extend_from_slice(&index.to_le_bytes());
        self.buf.push(kind as u8);
    }

    fn patch(&mut self, at: usize, from: usize) {
        let size = (self.buf.len() - from) as u32;
        self.buf[at..at + 4].copy_from_slice(&size.to_le_bytes());
    }

    fn close_attributes(&mut self, open: Open) {
        if let Some(at) = open.attr_size_at {
            self.patch(at, at + 4);
        }
    }

    /// `CloseStartElement` (`>`): children follow.
    pub fn close_start(&mut self, open: Open) {
        self.close_attributes(open);
        self.buf.push(0x02);
    }

    /// `CloseEmptyElement` (`/>`).
    pub fn close_empty(&mut self, open: Open) {
        self.close_attributes(open);
        self.buf.push(0x03);
        self.patch(open.size_at, open.size_at + 4);
    }

    /// `EndElement` (`</x>`).
    pub fn end(&mut self, open: Open) {
        self.buf.push(0x04);
        self.patch(open.size_at, open.size_at + 4);
    }

    /// `<name>%index</name>`.
    pub fn simple(&mut self, name: &str, index: u16, kind: ValueType) {
        let open = self.open(name, false);
        self.close_start(open);
        self.substitution(index, kind);
        self.end(open);
    }
}
