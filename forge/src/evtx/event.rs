//! The event a writer takes: the System values Windows records and the event's data.

use jiff::Timestamp;

/// A provider as it appears in `<Provider Name=.. Guid=.. EventSourceName=..>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Provider {
    /// `Name`.
    pub name: String,
    /// `Guid` (manifest providers), `{xxxxxxxx-...}`.
    pub guid: Option<String>,
    /// `EventSourceName` (classic sources registered through a manifest).
    pub event_source_name: Option<String>,
}

/// An event's payload: `<Data>` elements, named (`<Data Name="x">`, manifest providers and
/// SCM) or not (classic sources' insertion strings), and an optional `<Binary>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventData {
    /// `(Name, value)` of each `<Data>`, in order.
    pub data: Vec<(Option<String>, String)>,
    /// The `<Binary>` bytes.
    pub binary: Option<Vec<u8>>,
}

impl EventData {
    /// Named `<Data>` elements.
    pub fn named<N: Into<String>, V: Into<String>>(fields: impl IntoIterator<Item = (N, V)>) -> EventData {
        EventData {
            data: fields.into_iter().map(|(n, v)| (Some(n.into()), v.into())).collect(),
            binary: None,
        }
    }

    /// Unnamed `<Data>` insertion strings.
    pub fn unnamed<V: Into<String>>(strings: impl IntoIterator<Item = V>) -> EventData {
        EventData {
            data: strings.into_iter().map(|v| (None, v.into())).collect(),
            binary: None,
        }
    }

    /// The same payload with a `<Binary>`.
    pub fn with_binary(mut self, binary: Vec<u8>) -> EventData {
        self.binary = Some(binary);
        self
    }
}

/// One event to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvtxEvent {
    /// Provider.
    pub provider: Provider,
    /// `EventID`.
    pub event_id: u16,
    /// `EventID/@Qualifiers` (classic sources).
    pub qualifiers: Option<u16>,
    /// `Version`.
    pub version: u8,
    /// `Level` (1 critical, 2 error, 3 warning, 4 information).
    pub level: u8,
    /// `Task`.
    pub task: u16,
    /// `Opcode`.
    pub opcode: u8,
    /// `Keywords`.
    pub keywords: u64,
    /// `TimeCreated/@SystemTime`.
    pub time: Timestamp,
    /// `Execution/@ProcessID`.
    pub process_id: u32,
    /// `Execution/@ThreadID`.
    pub thread_id: u32,
    /// `Channel`.
    pub channel: String,
    /// `Computer`.
    pub computer: String,
    /// `Security/@UserID` (`S-1-5-18`).
    pub user_sid: Option<String>,
    /// `EventData`.
    pub data: EventData,
}
