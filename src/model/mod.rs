//! The data model every parser produces and every later stage reads: timed [`Event`]s on a
//! UTC or local clock, untimed [`Fact`]s, and [`Notice`]s about the inputs themselves.

mod cause;
mod census;
mod closed;
pub mod codes;
mod event;
mod fact;
mod lang;
mod log_kind;
mod message_text;
pub mod messages;
mod notice;
pub mod servicing_fields;
mod tally;
mod time;
pub mod zone;

pub use cause::Cause;
pub use census::Census;
pub use closed::{FirmwareMode, Verdict};
pub use event::{Certainty, Event, Fields, FieldsFrom, Interner, Level, Location, Origin, SourceKind};
pub use fact::{Fact, FactKind, MachineKey, ProviderInfo, VssListing, WriterState};
pub use lang::Lang;
pub use log_kind::LogKind;
pub use message_text::{range_in, MessageText};
pub use notice::{Notice, Severity};
pub use tally::{Earliest, HarmlessTally, Tally, TallyRun};
pub use time::{AnchorBasis, ClockAnchor, EventTime, Precision, TimeKeys};
pub use zone::Zone;
