//! Where a file's chunks lie, in the order the `evtx` crate reads them, found in the file's
//! bytes without copying a chunk out: from the chunk holding the oldest records to the end of
//! the file, then around from the start (a full log writes each new chunk over its oldest), all-
//! zero chunks passed over. The crate copies every chunk into a buffer of its own; read in
//! place, a chunk costs nothing until its records are read. Where the crate would report an
//! error (a chunk cut short inside the file, a header it cannot read) the crate reads the
//! file instead, so its errors are reported as they always were.

use evtx::EvtxChunkHeader;

/// Where the first chunk starts (the crate reads chunks at this fixed offset).
const FIRST_CHUNK: u64 = 4096;
/// Size of one chunk.
const CHUNK_BYTES: u64 = 65536;
/// Size of a chunk's header.
const CHUNK_HEADER_BYTES: usize = 512;

/// The chunk numbered `number` in `bytes`; `None` where the file ends before it does.
pub(super) fn chunk_bytes(bytes: &[u8], number: u64) -> Option<&[u8]> {
    chunk_start(bytes, number, CHUNK_BYTES as usize)
}

/// The first `len` bytes of the chunk numbered `number`; `None` where the file ends before.
fn chunk_start(bytes: &[u8], number: u64, len: usize) -> Option<&[u8]> {
    let start = usize::try_from(number.checked_mul(CHUNK_BYTES)?.checked_add(FIRST_CHUNK)?).ok()?;
    bytes.get(start..start.checked_add(len)?)
}

/// The numbers of the chunks of `bytes` in the crate's reading order, for a file whose header
/// block is `header_block_size` bytes; `None` when the crate would report an error on the way.
pub(super) fn chunk_order(bytes: &[u8], header_block_size: u64) -> Option<Vec<u64>> {
    let calculated = (bytes.len() as u64).checked_sub(header_block_size)? / CHUNK_BYTES;
    let oldest = oldest_chunk(bytes, calculated);
    let mut order = Vec::new();
    let (mut next, mut wrapped) = (oldest, false);
    loop {
        let end = if wrapped { oldest } else { u64::MAX };
        match next_chunk(bytes, next, end, calculated)? {
            Some(number) => {
                order.push(number);
                match number.checked_add(1) {
                    Some(after) => next = after,
                    None => return Some(order),
                }
            }
            None if wrapped || oldest == 0 => return Some(order),
            None => (next, wrapped) = (0, true),
        }
    }
}

/// The chunk whose header names the lowest record id (a header whose range is reversed says
/// nothing), among the `calculated` chunks; the first chunk when none does.
fn oldest_chunk(bytes: &[u8], calculated: u64) -> u64 {
    let mut oldest = (u64::MAX, 0);
    for number in 0..calculated {
        let Some(header) = chunk_start(bytes, number, CHUNK_HEADER_BYTES) else {
            break;
        };
        if let Ok(chunk) = EvtxChunkHeader::from_bytes(header) {
            if chunk.first_event_record_id <= chunk.last_event_record_id && chunk.first_event_record_id < oldest.0 {
                oldest = (chunk.first_event_record_id, number);
            }
        }
    }
    oldest.1
}

/// The first chunk at or after `from` and before `end` that holds anything: `Some(None)` when
/// there is none (the file ends), `None` when the crate would report an error there.
fn next_chunk(bytes: &[u8], from: u64, end: u64, calculated: u64) -> Option<Option<u64>> {
    let mut number = from;
    loop {
        if number >= end {
            return Some(None);
        }
        match chunk_bytes(bytes, number) {
            // Reading past the chunks the size allows is how the crate finds the end.
            None if number >= calculated => return Some(None),
            None => return None,
            Some(chunk) if is_zero(chunk) => match number.checked_add(1) {
                Some(after) => number = after,
                None => return Some(None),
            },
            Some(chunk) => return EvtxChunkHeader::from_bytes(chunk).ok().map(|_| Some(number)),
        }
    }
}

/// Whether every byte of `bytes` is zero, 4 KiB at a time (an OR over a block, which the
/// compiler vectorises; a written chunk fails at its first block).
fn is_zero(bytes: &[u8]) -> bool {
    bytes
        .chunks(4096)
        .all(|block| block.iter().fold(0u8, |any, b| any | b) == 0)
}

/// Whether a chunk's checksums hold, as the crate checks them: the header's CRC32 over bytes
/// 0..120 and 128..512, then the records' up to the free space (unless the chunk says it has
/// no CRC32).
pub(super) fn checksums_hold(data: &[u8], header: &EvtxChunkHeader) -> bool {
    if header.flags.contains(evtx::ChunkFlags::NO_CRC32) {
        return true;
    }
    let (Some(first), Some(second)) = (data.get(..120), data.get(128..CHUNK_HEADER_BYTES)) else {
        return false;
    };
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(first);
    hasher.update(second);
    if hasher.finalize() != header.header_chunk_checksum {
        return false;
    }
    usize::try_from(header.free_space_offset)
        .ok()
        .and_then(|end| data.get(CHUNK_HEADER_BYTES..end))
        .is_some_and(|records| evtx::checksum_ieee(records) == header.events_checksum)
}

#[cfg(test)]
mod tests {
    use super::is_zero;

    #[test]
    fn a_chunk_is_zero_only_when_every_byte_is() {
        let mut chunk = vec![0u8; 65536];
        assert!(is_zero(&chunk) && is_zero(&[]));
        for at in [0, 4095, 4096, 65535] {
            chunk[at] = 1;
            assert!(!is_zero(&chunk), "byte {at}");
            chunk[at] = 0;
        }
    }
}
