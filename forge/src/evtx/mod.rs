//! A spec-conformant `.evtx` writer: file header, 64 KiB chunks with string and template
//! tables, records in Binary XML, CRC32s over the file header, chunk headers and records.
//! Chunks are written as they fill, so a file of any size is written in bounded memory.

mod binxml;
mod chunk;
mod event;
mod names;
mod template;

use std::io::{self, Seek, SeekFrom, Write};

pub use event::{EventData, EvtxEvent, Provider};

use chunk::{Chunk, CHUNK_SIZE};

/// Size of the file header block.
const FILE_HEADER_SIZE: usize = 4096;

/// Writes events into an `.evtx` stream.
#[derive(Debug)]
pub struct EvtxWriter<W: Write + Seek> {
    out: W,
    chunk: Chunk,
    chunks: u64,
    next_record_id: u64,
}

/// Errors while writing.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output could not be written.
    #[error("cannot write the event log: {0}")]
    Io(#[from] io::Error),
    /// One event is larger than a whole chunk.
    #[error("event {event_id} of {provider} does not fit in a 64 KiB chunk")]
    TooLarge {
        /// Its provider.
        provider: String,
        /// Its id.
        event_id: u16,
    },
}

impl<W: Write + Seek> EvtxWriter<W> {
    /// Starts a log whose first record id is 1.
    pub fn new(out: W) -> Result<EvtxWriter<W>, WriteError> {
        EvtxWriter::starting_at(out, 1)
    }

    /// Starts a log whose first record id is `first_record_id` (a log that has wrapped).
    pub fn starting_at(mut out: W, first_record_id: u64) -> Result<EvtxWriter<W>, WriteError> {
        out.write_all(&[0u8; FILE_HEADER_SIZE])?;
        Ok(EvtxWriter {
            out,
            chunk: Chunk::new(),
            chunks: 0,
            next_record_id: first_record_id.max(1),
        })
    }

    /// Appends an event; returns its record id.
    pub fn write(&mut self, event: &EvtxEvent) -> Result<u64, WriteError> {
        let id = self.next_record_id;
        if !self.chunk.try_add(id, event) {
            if self.chunk.is_empty() {
                return Err(WriteError::TooLarge {
                    provider: event.provider.name.clone(),
                    event_id: event.event_id,
                });
            }
            self.flush_chunk()?;
            if !self.chunk.try_add(id, event) {
                return Err(WriteError::TooLarge {
                    provider: event.provider.name.clone(),
                    event_id: event.event_id,
                });
            }
        }
        self.next_record_id += 1;
        Ok(id)
    }

    fn flush_chunk(&mut self) -> Result<(), WriteError> {
        let full = std::mem::take(&mut self.chunk);
        let bytes = full.seal();
        debug_assert_eq!(bytes.len(), CHUNK_SIZE);
        self.out.write_all(&bytes)?;
        self.chunks += 1;
        Ok(())
    }

    /// Writes the last chunk (an empty log still gets one, as Windows writes it) and the file
    /// header; returns the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        if !self.chunk.is_empty() || self.chunks == 0 {
            self.flush_chunk()?;
        }
        let header = file_header(self.chunks, self.next_record_id);
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn file_header(chunks: u64, next_record_id: u64) -> Vec<u8> {
    let mut header = vec![0u8; FILE_HEADER_SIZE];
    header[0..8].copy_from_slice(b"ElfFile\0");
    header[8..16].copy_from_slice(&0u64.to_le_bytes());
    header[16..24].copy_from_slice(&chunks.saturating_sub(1).to_le_bytes());
    header[24..32].copy_from_slice(&next_record_id.to_le_bytes());
    header[32..36].copy_from_slice(&128u32.to_le_bytes());
    header[36..38].copy_from_slice(&1u16.to_le_bytes());
    header[38..40].copy_from_slice(&3u16.to_le_bytes());
    header[40..42].copy_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
    header[42..44].copy_from_slice(&(u16::try_from(chunks).unwrap_or(u16::MAX)).to_le_bytes());
    let crc = crc32fast::hash(&header[..120]);
    header[124..128].copy_from_slice(&crc.to_le_bytes());
    header
}
