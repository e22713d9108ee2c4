//! An event's message text: its own copy, or the place in a mapped log where it lies.
//!
//! A damaged system's CBS.log can hold 400,000 lines a diagnosis keeps, of which a report
//! quotes a few dozen. A line read from a big log (read through one map of the whole file,
//! see `parse::servicing::stream`) keeps only where its text lies: the map's pages are
//! given back once read, and the few quoted are read in again when shown.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The text of an event's message; reads as a `str`.
#[derive(Clone)]
pub enum MessageText {
    /// A copy of its own.
    Owned(Box<str>),
    /// A range of a mapped file.
    Mapped(InMap),
}

/// Where a message lies in a mapped file (checked to be UTF-8 when read).
#[derive(Clone)]
pub struct InMap {
    map: Arc<memmap2::Mmap>,
    start: usize,
    len: u32,
}

impl MessageText {
    /// `text` where it lies in `map`, when it is a slice of it (and shorter than 4 GiB);
    /// otherwise a copy.
    pub fn in_map(map: Option<&Arc<memmap2::Mmap>>, text: &str) -> MessageText {
        let within = map.and_then(|map| {
            let range = range_in(map, text.as_bytes())?;
            let len = u32::try_from(range.len()).ok()?;
            Some(InMap {
                map: Arc::clone(map),
                start: range.start,
                len,
            })
        });
        match within {
            Some(place) => MessageText::Mapped(place),
            None => MessageText::Owned(text.into()),
        }
    }
}

/// Where `bytes` lie in `map`, when they are a slice of it.
pub fn range_in(map: &memmap2::Mmap, bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let start = (bytes.as_ptr() as usize).checked_sub(map.as_ptr() as usize)?;
    let end = start.checked_add(bytes.len())?;
    (end <= map.len()).then_some(start..end)
}

impl Deref for MessageText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            MessageText::Owned(text) => text,
            // Checked again on every read: the file could have changed under the map since it
            // was read (then the text reads as empty rather than as invalid UTF-8).
            MessageText::Mapped(place) => place
                .map
                .get(place.start..place.start.saturating_add(place.len as usize))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .unwrap_or_default(),
        }
    }
}

impl fmt::Debug for MessageText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for MessageText {
    fn eq(&self, other: &MessageText) -> bool {
        **self == **other
    }
}

impl Eq for MessageText {}

impl From<&str> for MessageText {
    fn from(text: &str) -> MessageText {
        MessageText::Owned(text.into())
    }
}

impl From<String> for MessageText {
    fn from(text: String) -> MessageText {
        MessageText::Owned(text.into_boxed_str())
    }
}

impl From<Box<str>> for MessageText {
    fn from(text: Box<str>) -> MessageText {
        MessageText::Owned(text)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use super::MessageText;

    #[test]
    fn a_slice_of_the_map_is_left_there_and_reads_as_its_copy() {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all("2024-05-10 13:00:00, Error CBS Failed [HRESULT = 0x800f081f]".as_bytes())
            .expect("write");
        #[allow(unsafe_code)]
        // SAFETY: a private temporary file nothing else writes.
        let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.expect("map"));
        let text = std::str::from_utf8(&map[..]).expect("utf-8");
        let message = &text[27..];
        let mapped = MessageText::in_map(Some(&map), message);
        assert!(matches!(mapped, MessageText::Mapped(_)));
        assert_eq!(&*mapped, "CBS Failed [HRESULT = 0x800f081f]");
        assert_eq!(mapped, MessageText::from(message));
        assert_eq!(format!("{mapped:?}"), format!("{message:?}"));
        // Text that is not a slice of the map is copied.
        let elsewhere = String::from(message);
        assert!(matches!(
            MessageText::in_map(Some(&map), &elsewhere),
            MessageText::Owned(_)
        ));
        assert!(matches!(MessageText::in_map(None, message), MessageText::Owned(_)));
    }
}
