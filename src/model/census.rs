//! Who and where a file's events are: the computers they name, the channel of the earliest and
//! when the Windows Modules Installer started, counted over every event read, those kept and
//! those tallied alike, so the list of computers, the kind of each log and the clock do not
//! change when most events are only tallied.

use std::sync::Arc;

use jiff::Timestamp;

use super::{Event, Location};

/// The computers a file's events name and the channel of its earliest event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    /// Each computer name as first written, with how many events name it, in order of first
    /// appearance.
    pub computers: Vec<(Arc<str>, usize)>,
    /// The earliest event (by time, then place in the file) and its channel.
    first: Option<(Timestamp, Location, Option<Arc<str>>)>,
    /// When the Windows Modules Installer started (UTC), in file order: the clock pairs these
    /// with servicing sessions.
    pub installer_starts: Vec<Timestamp>,
    /// How many events were counted.
    counted: usize,
}

impl Census {
    /// The census of `events`.
    pub fn of(events: &[Event]) -> Census {
        let mut census = Census::default();
        for event in events {
            census.count(event);
        }
        census
    }

    /// Counts one more event.
    pub fn count(&mut self, event: &Event) {
        self.counted += 1;
        if let Some(name) = &event.computer {
            match self.computers.iter_mut().find(|(known, _)| known == name) {
                Some((_, count)) => *count += 1,
                None => self.computers.push((Arc::clone(name), 1)),
            }
        }
        if is_installer_start(event) {
            self.installer_starts.extend(event.time.utc());
        }
        // The order of the timeline: time (events without one last), then place.
        let key = (event.time.sort_key(), event.origin.location);
        if self.first.as_ref().is_none_or(|(t, l, _)| key < (*t, *l)) {
            self.first = Some((key.0, key.1, event.channel.clone()));
        }
    }

    /// The channel of the earliest event.
    pub fn first_channel(&self) -> Option<&Arc<str>> {
        self.first.as_ref().and_then(|(_, _, channel)| channel.as_ref())
    }

    /// True when no event was counted.
    pub fn is_empty(&self) -> bool {
        self.counted == 0
    }
}

/// Service Control Manager 7036: the Windows Modules Installer (TrustedInstaller) entered
/// the running state (its binary data names the state, when recorded).
fn is_installer_start(event: &Event) -> bool {
    event.event_id == Some(7036)
        && &*event.provider == "Service Control Manager"
        && event.field("param1") == Some("Windows Modules Installer")
        && event
            .field("Binary")
            .is_none_or(|b| b.ends_with("2F0034000000") || b.ends_with("2F003400"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Census;
    use crate::model::{Certainty, Event, EventTime, Fields, FieldsFrom, Level, Location, Origin, SourceKind};

    fn event(record: u64, second: i64, computer: &str, channel: &str) -> Event {
        Event {
            time: EventTime::Utc(jiff::Timestamp::from_second(second).expect("time")),
            origin: Origin {
                file: Arc::from("System.evtx"),
                location: Location::Record(record),
            },
            source: SourceKind::Evtx,
            provider: Arc::from("Service Control Manager"),
            event_id: Some(7036),
            level: Level::Info,
            channel: Some(Arc::from(channel)),
            computer: Some(Arc::from(computer)),
            fields: Fields::new(),
            message: None,
            certainty: Certainty::Recorded,
            fields_from: FieldsFrom::Xml,
        }
    }

    #[test]
    fn computers_keep_their_first_spelling_and_the_earliest_event_names_the_channel() {
        let events = [
            event(1, 100, "PC1", "System"),
            event(2, 50, "pc2", "Forwarded"),
            event(3, 50, "PC1", "Late"),
            event(4, 200, "pc2", "System"),
        ];
        let census = Census::of(&events);
        let names: Vec<(&str, usize)> = census.computers.iter().map(|(n, c)| (&**n, *c)).collect();
        assert_eq!(names, [("PC1", 2), ("pc2", 2)]);
        assert_eq!(
            census.first_channel().map(|c| &**c),
            Some("Forwarded"),
            "time, then record"
        );
        assert!(!census.is_empty() && Census::default().is_empty());
    }
}
