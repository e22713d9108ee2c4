//! One 64 KiB chunk being filled with records: names and template definitions written inline
//! at their first use in the chunk and referenced after, the string and template tables
//! filled as Windows fills them, and the CRC32s computed when the chunk is sealed. Layout and
//! rules: the libyal EVTX format description and MS-EVEN6; what the `evtx` crate checks is
//! what the tests hold it to.

use std::collections::HashMap;

use super::binxml::TokenWriter;
use super::event::EvtxEvent;
use super::names::{hash65599, name_hash};
use super::template::{template_key, write_template_body, write_values};

/// Size of a chunk.
pub const CHUNK_SIZE: usize = 65536;
/// Size of a chunk header (with its string and template tables).
const CHUNK_HEADER_SIZE: usize = 512;

/// Names and templates already in the chunk, and the table heads.
#[derive(Debug, Clone)]
pub struct ChunkTables {
    /// Name -> offset of its name structure.
    pub names: HashMap<String, u32>,
    /// Template shape -> (definition offset, GUID).
    pub templates: HashMap<String, (u32, [u8; 16])>,
    /// String table bucket heads (64).
    pub string_heads: [u32; 64],
    /// Template table bucket heads (32).
    pub template_heads: [u32; 32],
}

impl Default for ChunkTables {
    fn default() -> Self {
        ChunkTables {
            names: HashMap::new(),
            templates: HashMap::new(),
            string_heads: [0; 64],
            template_heads: [0; 32],
        }
    }
}

/// A chunk under construction.
#[derive(Debug)]
pub struct Chunk {
    /// Bytes so far (header area first); its length is the write position.
    pub buf: Vec<u8>,
    /// Names and templates written.
    pub tables: ChunkTables,
    first_id: Option<u64>,
    last_id: u64,
    last_record_offset: u32,
}

impl Default for Chunk {
    fn default() -> Self {
        Chunk::new()
    }
}

impl Chunk {
    /// An empty chunk.
    pub fn new() -> Chunk {
        let mut buf = Vec::with_capacity(CHUNK_SIZE);
        buf.resize(CHUNK_HEADER_SIZE, 0);
        Chunk {
            buf,
            tables: ChunkTables::default(),
            first_id: None,
            last_id: 0,
            last_record_offset: 0,
        }
    }

    /// True when no record has been added.
    pub fn is_empty(&self) -> bool {
        self.first_id.is_none()
    }

    /// Adds a record; `false` (and the chunk unchanged) when it does not fit.
    pub fn try_add(&mut self, record_id: u64, event: &EvtxEvent) -> bool {
        let saved_len = self.buf.len();
        let saved_tables = self.tables.clone();
        self.write_record(record_id, event);
        if self.buf.len() > CHUNK_SIZE {
            self.buf.truncate(saved_len);
            self.tables = saved_tables;
            return false;
        }
        self.first_id.get_or_insert(record_id);
        self.last_id = record_id;
        self.last_record_offset = saved_len as u32;
        true
    }

    fn write_record(&mut self, record_id: u64, event: &EvtxEvent) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0x2a, 0x2a, 0x00, 0x00]);
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        self.buf.extend_from_slice(&record_id.to_le_bytes());
        self.buf.extend_from_slice(&filetime(event.time).to_le_bytes());
        self.buf.extend_from_slice(&[0x0f, 0x01, 0x01, 0x00]);
        self.template_instance(record_id, event);
        self.buf.push(0x00);
        while (self.buf.len() - start + 4) % 8 != 0 {
            self.buf.push(0);
        }
        let size = (self.buf.len() - start + 4) as u32;
        self.buf.extend_from_slice(&size.to_le_bytes());
        self.buf[start + 4..start + 8].copy_from_slice(&size.to_le_bytes());
    }

    fn template_instance(&mut self, record_id: u64, event: &EvtxEvent) {
        let key = template_key(event);
        let known = self.tables.templates.get(&key).copied();
        let guid = known.map_or_else(|| template_guid(&key), |(_, guid)| guid);
        self.buf.push(0x0c);
        self.buf.push(0x01);
        self.buf.extend_from_slice(&guid[..4]);
        match known {
            Some((offset, _)) => self.buf.extend_from_slice(&offset.to_le_bytes()),
            None => self.define_template(key, guid, event),
        }
        write_values(&mut self.buf, record_id, event);
    }

    /// Writes a template definition inline (its first use in this chunk).
    fn define_template(&mut self, key: String, guid: [u8; 16], event: &EvtxEvent) {
        let offset = (self.buf.len() + 4) as u32;
        self.buf.extend_from_slice(&offset.to_le_bytes());
        let bucket = (hash65599(guid.chunks(2).map(|w| u16::from_le_bytes([w[0], w[1]]))) % 32) as usize;
        self.buf
            .extend_from_slice(&self.tables.template_heads[bucket].to_le_bytes());
        self.buf.extend_from_slice(&guid);
        let size_at = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        let body_start = self.buf.len();
        let mut writer = TokenWriter {
            buf: &mut self.buf,
            tables: &mut self.tables,
        };
        write_template_body(&mut writer, event);
        let body_size = (self.buf.len() - body_start) as u32;
        self.buf[size_at..size_at + 4].copy_from_slice(&body_size.to_le_bytes());
        self.tables.template_heads[bucket] = offset;
        self.tables.templates.insert(key, (offset, guid));
    }

    /// Seals the chunk: header fields, tables and checksums; returns its 65536 bytes.
    pub fn seal(mut self) -> Vec<u8> {
        let free_space = self.buf.len() as u32;
        let first = self.first_id.unwrap_or(0);
        let last = self.last_id;
        let events_crc = crc32fast::hash(&self.buf[CHUNK_HEADER_SIZE..]);
        let header = &mut self.buf[..CHUNK_HEADER_SIZE];
        header[0..8].copy_from_slice(b"ElfChnk\0");
        header[8..16].copy_from_slice(&first.to_le_bytes());
        header[16..24].copy_from_slice(&last.to_le_bytes());
        header[24..32].copy_from_slice(&first.to_le_bytes());
        header[32..40].copy_from_slice(&last.to_le_bytes());
        header[40..44].copy_from_slice(&128u32.to_le_bytes());
        header[44..48].copy_from_slice(&self.last_record_offset.to_le_bytes());
        header[48..52].copy_from_slice(&free_space.to_le_bytes());
        header[52..56].copy_from_slice(&events_crc.to_le_bytes());
        for (i, head) in self.tables.string_heads.iter().enumerate() {
            header[128 + 4 * i..132 + 4 * i].copy_from_slice(&head.to_le_bytes());
        }
        for (i, head) in self.tables.template_heads.iter().enumerate() {
            header[384 + 4 * i..388 + 4 * i].copy_from_slice(&head.to_le_bytes());
        }
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&header[..120]);
        hasher.update(&header[128..]);
        header[124..128].copy_from_slice(&hasher.finalize().to_le_bytes());
        self.buf.resize(CHUNK_SIZE, 0);
        self.buf
    }
}

/// A Timestamp as FILETIME (100 ns ticks since 1601-01-01 UTC).
pub fn filetime(time: jiff::Timestamp) -> u64 {
    const EPOCH_DIFFERENCE: i128 = 116_444_736_000_000_000;
    let ticks = time.as_nanosecond() / 100 + EPOCH_DIFFERENCE;
    u64::try_from(ticks).unwrap_or(0)
}

/// A GUID derived from the template's shape, so the same shape has the same GUID everywhere.
fn template_guid(key: &str) -> [u8; 16] {
    let fnv = |seed: u64| {
        key.bytes()
            .fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    };
    let mut guid = [0u8; 16];
    guid[..8].copy_from_slice(&fnv(0xcbf2_9ce4_8422_2325).to_le_bytes());
    guid[8..].copy_from_slice(&fnv(0x8422_2325_cbf2_9ce4).to_le_bytes());
    guid
}

/// Writes a name reference: inline at first use in the chunk, by offset afterwards.
pub fn write_name(buf: &mut Vec<u8>, tables: &mut ChunkTables, name: &str) {
    if let Some(offset) = tables.names.get(name) {
        buf.extend_from_slice(&offset.to_le_bytes());
        return;
    }
    let offset = (buf.len() + 4) as u32;
    buf.extend_from_slice(&offset.to_le_bytes());
    let hash = name_hash(name);
    let bucket = usize::from(hash) % 64;
    buf.extend_from_slice(&tables.string_heads[bucket].to_le_bytes());
    buf.extend_from_slice(&hash.to_le_bytes());
    let units: Vec<u16> = name.encode_utf16().collect();
    buf.extend_from_slice(&(units.len() as u16).to_le_bytes());
    buf.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    buf.extend_from_slice(&[0, 0]);
    tables.string_heads[bucket] = offset;
    tables.names.insert(name.to_string(), offset);
}
