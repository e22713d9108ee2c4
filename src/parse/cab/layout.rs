//! Checks a cabinet's structure before the `cab` crate reads it. The crate trusts the sizes
//! a cabinet declares and panics when they disagree (a stored block whose data is shorter
//! than its declared uncompressed size, a file that extends past its folder's data); a
//! damaged or crafted `CbsPersist_*.cab` must give an error instead. Field layout: Microsoft
//! Cabinet Format, [MS-CAB] 2.1-2.4 (CFHEADER, CFFOLDER, CFFILE, CFDATA).

/// Flags of CFHEADER.
const PREV_CABINET: u16 = 0x0001;
const NEXT_CABINET: u16 = 0x0002;
const RESERVE_PRESENT: u16 = 0x0004;
/// `typeCompress` of a folder stored without compression.
const COMPRESS_NONE: u16 = 0x0000;
/// `iFolder` values at and above this mark a file continued from or into another cabinet.
const CONTINUED: u16 = 0xFFFD;

/// A little-endian reader over the cabinet that never reads past its end.
struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn at(bytes: &'a [u8], at: usize) -> Fields<'a> {
        Fields { bytes, at }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!("cabinet cut off at byte {} (needs {n} more bytes)", self.at));
        };
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn skip_string(&mut self) -> Result<(), String> {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        match rest.iter().position(|b| *b == 0) {
            Some(n) => self.take(n + 1).map(|_| ()),
            None => Err(format!("unterminated name at byte {}", self.at)),
        }
    }
}

/// One folder: where its data blocks start, how many, how they are compressed.
struct Folder {
    first_block: u32,
    blocks: u16,
    compression: u16,
}

/// `Err` with the reason when the cabinet's declared sizes do not fit together.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let mut header = Fields::at(bytes, 0);
    if header.take(4)? != b"MSCF" {
        return Err("no cabinet signature".to_string());
    }
    header.take(12)?; // reserved1, cbCabinet, reserved2
    let files_at = header.u32()?;
    header.take(6)?; // reserved3, versionMinor, versionMajor
    let folder_count = header.u16()?;
    let file_count = header.u16()?;
    let flags = header.u16()?;
    header.take(4)?; // setID, iCabinet
    let (mut folder_reserve, mut data_reserve) = (0, 0);
    if flags & RESERVE_PRESENT != 0 {
        let header_reserve = header.u16()?;
        folder_reserve = usize::from(header.u8()?);
        data_reserve = usize::from(header.u8()?);
        header.take(usize::from(header_reserve))?;
    }
    for flag in [PREV_CABINET, NEXT_CABINET] {
        if flags & flag != 0 {
            header.skip_string()?; // szCabinet
            header.skip_string()?; // szDisk
        }
    }
    let mut folders = Vec::with_capacity(usize::from(folder_count));
    for _ in 0..folder_count {
        folders.push(Folder {
            first_block: header.u32()?,
            blocks: header.u16()?,
            compression: header.u16()? & 0x000F,
        });
        header.take(folder_reserve)?;
    }
    let mut folder_sizes = Vec::with_capacity(folders.len());
    for (index, folder) in folders.iter().enumerate() {
        folder_sizes.push(folder_size(bytes, folder, data_reserve).map_err(|e| format!("folder {index}: {e}"))?);
    }
    let mut files = Fields::at(bytes, usize::try_from(files_at).unwrap_or(usize::MAX));
    for index in 0..file_count {
        let size = u64::from(files.u32()?);
        let offset = u64::from(files.u32()?);
        let folder = files.u16()?;
        files.take(6)?; // date, time, attribs
        files.skip_string()?;
        if folder >= CONTINUED {
            return Err(format!("file {index} continues into another cabinet of a set"));
        }
        let Some(available) = folder_sizes.get(usize::from(folder)) else {
            return Err(format!("file {index} names folder {folder}, which does not exist"));
        };
        if offset + size > *available {
            return Err(format!(
                "file {index} ends at byte {} of its folder, which holds {available}",
                offset + size
            ));
        }
    }
    Ok(())
}

/// The uncompressed size of a folder's data, after checking that every data block lies inside
/// the cabinet and that stored blocks are as long as they say.
fn folder_size(bytes: &[u8], folder: &Folder, data_reserve: usize) -> Result<u64, String> {
    let mut blocks = Fields::at(bytes, usize::try_from(folder.first_block).unwrap_or(usize::MAX));
    let mut total = 0u64;
    for index in 0..folder.blocks {
        blocks.take(4)?; // csum
        let stored = blocks.u16()?;
        let uncompressed = blocks.u16()?;
        blocks.take(data_reserve)?;
        blocks.take(usize::from(stored))?;
        if folder.compression == COMPRESS_NONE && stored != uncompressed {
            return Err(format!(
                "stored data block {index} holds {stored} bytes but declares {uncompressed}"
            ));
        }
        total += u64::from(uncompressed);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::check;

    /// A cabinet of one stored folder with one block, built as [MS-CAB] lays it out.
    fn stored(block: &[u8], declared: u16, file_size: u32) -> Vec<u8> {
        let name = b"CBS.log\0";
        let files_at = 36 + 8;
        let data_at = files_at + 16 + name.len();
        let mut cab = b"MSCF".to_vec();
        cab.extend(0u32.to_le_bytes());
        cab.extend(((data_at + 8 + block.len()) as u32).to_le_bytes());
        cab.extend(0u32.to_le_bytes());
        cab.extend((files_at as u32).to_le_bytes());
        cab.extend(0u32.to_le_bytes());
        cab.extend([3, 1]);
        cab.extend(1u16.to_le_bytes()); // folders
        cab.extend(1u16.to_le_bytes()); // files
        cab.extend(0u16.to_le_bytes()); // flags
        cab.extend([0, 0, 0, 0]);
        cab.extend((data_at as u32).to_le_bytes());
        cab.extend(1u16.to_le_bytes());
        cab.extend(0u16.to_le_bytes());
        cab.extend(file_size.to_le_bytes());
        cab.extend(0u32.to_le_bytes());
        cab.extend(0u16.to_le_bytes());
        cab.extend([0x21, 0x58, 0, 0, 0x20, 0]);
        cab.extend(name);
        cab.extend(0u32.to_le_bytes());
        cab.extend((block.len() as u16).to_le_bytes());
        cab.extend(declared.to_le_bytes());
        cab.extend(block);
        cab
    }

    #[test]
    fn a_consistent_cabinet_passes_and_each_lie_is_named() {
        let data = b"2024-05-10 13:00:00, Info CBS TI: --- Initializing Trusted Installer ---\r\n";
        let n = data.len() as u16;
        assert_eq!(check(&stored(data, n, u32::from(n))), Ok(()));
        let short = check(&stored(data, n + 100, u32::from(n))).expect_err("short block");
        assert!(short.contains("declares"), "{short}");
        let past = check(&stored(data, n, u32::from(n) + 1)).expect_err("file past its folder");
        assert!(past.contains("ends at byte"), "{past}");
        let cut = stored(data, n, u32::from(n));
        let cut = check(&cut[..cut.len() - 10]).expect_err("cut off");
        assert!(cut.contains("cut off"), "{cut}");
        assert!(check(b"MSCF").is_err());
    }
}
