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

/// An event's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventData {
    /// `<Data Name="x">value</Data>` elements, in order.
    Named(Vec<(String, String)>),
    /// Unnamed `<Data>` insertion strings and an optional `<Binary>`, as classic sources write.
    Unnamed {
        /// The insertion strings `%1`, `%2`, ...
        strings: Vec<String>,
        /// The binary data, if any.
        binary: Option<Vec<u8>>,
    },
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
