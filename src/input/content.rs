//! Where an input's bytes live: a file on disk (memory-mapped or streamed when read) or a
//! buffer unpacked from an archive. Inputs are opened read-only and never written.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

/// The bytes behind one input.
#[derive(Debug, Clone)]
pub enum Content {
    /// A file on disk, opened when it is read.
    File(PathBuf),
    /// A file mapped once for all its readers: the hash and the parser share its pages (two
    /// maps of one file count twice in the resident memory).
    Mapped {
        /// The file, for readers that stream it themselves.
        path: PathBuf,
        /// Its pages.
        map: Arc<memmap2::Mmap>,
    },
    /// Bytes unpacked from an archive.
    Memory(Arc<[u8]>),
}

/// A read-only view of a whole input (or of one window of a big one).
#[derive(Debug)]
pub enum Bytes {
    /// A memory-mapped file.
    Mapped(Arc<memmap2::Mmap>),
    /// A shared in-memory buffer.
    Shared(Arc<[u8]>),
    /// A zero-length file (which cannot be mapped).
    Empty,
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Shared(buf) => buf,
            Bytes::Empty => &[],
        }
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Content {
    /// The first `n` bytes (fewer if the input is shorter).
    pub fn head(&self, n: usize) -> io::Result<Vec<u8>> {
        match self {
            Content::File(path) => {
                let mut out = Vec::with_capacity(n);
                File::open(path)?.take(n as u64).read_to_end(&mut out)?;
                Ok(out)
            }
            Content::Mapped { map, .. } => Ok(map[..n.min(map.len())].to_vec()),
            Content::Memory(buf) => Ok(buf[..n.min(buf.len())].to_vec()),
        }
    }

    /// The SHA-256 of every byte; a file of [`MAP_BYTES`] or more is read in blocks rather
    /// than mapped, so hashing it does not hold it in memory.
    pub fn sha256(&self) -> io::Result<[u8; 32]> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        match self {
            Content::File(path) if std::fs::metadata(path)?.len() < MAP_BYTES => {
                hasher.update(&*map_file(&File::open(path)?)?);
            }
            Content::File(path) => {
                let mut file = io::BufReader::with_capacity(1 << 20, File::open(path)?);
                io::copy(&mut file, &mut hasher)?;
            }
            Content::Mapped { map, .. } => hasher.update(&map[..]),
            Content::Memory(buf) => hasher.update(buf),
        }
        Ok(hasher.finalize().into())
    }

    /// This content with its file mapped, so that every later read shares one mapping. A file
    /// that cannot be mapped, or is empty, stays as it is (its read then says why); so does a
    /// file of `MAP_BYTES` or more, whose readers stream it, so that memory does not grow with
    /// it.
    pub fn mapped(&self) -> Content {
        match self {
            Content::File(path) if std::fs::metadata(path).is_ok_and(|m| m.len() >= MAP_BYTES) => self.clone(),
            Content::File(path) => match File::open(path).and_then(|file| map_file(&file)) {
                Ok(Bytes::Mapped(map)) => Content::Mapped {
                    path: path.clone(),
                    map,
                },
                _ => self.clone(),
            },
            Content::Mapped { .. } | Content::Memory(_) => self.clone(),
        }
    }

    /// The whole input, memory-mapped when it is a file.
    pub fn bytes(&self) -> io::Result<Bytes> {
        match self {
            Content::File(path) => map_file(&File::open(path)?),
            Content::Mapped { map, .. } => Ok(Bytes::Mapped(Arc::clone(map))),
            Content::Memory(buf) => Ok(Bytes::Shared(Arc::clone(buf))),
        }
    }
}

/// Files this large are read in blocks, never mapped whole for one reader.
pub const MAP_BYTES: u64 = 64 << 20;

/// Maps a file read-only.
#[allow(unsafe_code)]
fn map_file(file: &File) -> io::Result<Bytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::Empty);
    }
    // SAFETY: the map is read-only and private to this process. backupdiag reads collected
    // copies of logs, not live files; if another process truncated the file while it is
    // mapped, reads could fault, which is the documented risk of every mmap-based reader
    // (ripgrep takes the same one). The map never outlives the `Bytes` that owns it.
    let map = unsafe { memmap2::Mmap::map(file)? };
    Ok(Bytes::Mapped(Arc::new(map)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Content;

    #[test]
    fn a_file_hashes_as_its_bytes_do_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("CBS.log");
        let bytes = b"2024-05-10 13:00:00, Info CBS hashed\r\n".repeat(100);
        std::fs::write(&path, &bytes).expect("write");
        let from_memory = Content::Memory(Arc::from(bytes.as_slice())).sha256().expect("memory");
        assert_eq!(Content::File(path.clone()).sha256().expect("file"), from_memory);
        assert_eq!(Content::File(path).mapped().sha256().expect("mapped"), from_memory);
        // SHA-256 of no bytes, as `sha256sum /dev/null` prints it.
        let empty = dir.path().join("empty.log");
        std::fs::write(&empty, b"").expect("write");
        let hex: String = Content::File(empty)
            .sha256()
            .expect("empty")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert!(Content::File(dir.path().join("gone.log")).sha256().is_err());
    }
}
