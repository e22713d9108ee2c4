//! A small case builder for in-process rule tests: events and facts written in a line each,
//! turned into the `Analysis` the rules read, and the one rule's assessment.

use std::sync::Arc;

use crate::case::Case;
use crate::history::Analysis;
use crate::model::{
    Certainty, Event, EventTime, Fact, FactKind, Fields, FieldsFrom, Level, Location, Origin, SourceKind,
};

use super::{Hypothesis, Rule};

/// Events and facts of one made-up case.
#[derive(Debug, Default, Clone)]
pub struct CaseBuilder {
    events: Vec<Event>,
    facts: Vec<Fact>,
}

impl CaseBuilder {
    /// An empty case.
    pub fn new() -> CaseBuilder {
        CaseBuilder::default()
    }

    /// A recorded event of `provider`/`id` at `time` (RFC 3339, or `""` for no time), with
    /// `fields` as `name=value`.
    pub fn event(mut self, time: &str, provider: &str, id: u32, fields: &[(&str, &str)]) -> CaseBuilder {
        let number = self.events.len() as u64 + 1;
        let mut values = Fields::new();
        for (name, value) in fields {
            values.push(name, value);
        }
        let time = time
            .parse::<jiff::Timestamp>()
            .map_or(EventTime::Unknown, EventTime::Utc);
        self.events.push(Event {
            time,
            origin: Origin {
                file: Arc::from("case.evtx"),
                location: Location::Record(number),
            },
            source: SourceKind::Evtx,
            provider: Arc::from(provider),
            event_id: Some(id),
            level: Level::Error,
            channel: None,
            computer: None,
            fields: values,
            message: None,
            certainty: Certainty::Recorded,
            fields_from: FieldsFrom::Record,
        });
        self
    }

    /// A backup run that failed with `code` (Microsoft-Windows-Backup 517).
    pub fn failure(self, time: &str, code: &str) -> CaseBuilder {
        self.event(time, "Microsoft-Windows-Backup", 517, &[("ErrorCode", code)])
    }

    /// A backup run that succeeded (Microsoft-Windows-Backup 4).
    pub fn success(self, time: &str) -> CaseBuilder {
        self.event(time, "Microsoft-Windows-Backup", 4, &[("HRESULT", "0x0")])
    }

    /// An untimed fact (a vssadmin listing, a dialog's statement).
    pub fn fact(mut self, kind: FactKind) -> CaseBuilder {
        let number = self.facts.len() as u64 + 1;
        self.facts.push(Fact {
            origin: Origin {
                file: Arc::from("notes.txt"),
                location: Location::Line(number),
            },
            kind,
        });
        self
    }

    /// A copy of the builder, to grow two cases from one start.
    pub fn clone_events(&self) -> CaseBuilder {
        CaseBuilder {
            events: self.events.clone(),
            facts: self.facts.clone(),
        }
    }

    /// The case, its events in time order.
    pub fn build(self) -> Case {
        let mut events = self.events;
        events.sort_by_key(|e| e.time.sort_key());
        Case {
            events,
            facts: self.facts,
            ..Case::default()
        }
    }
}

/// What `rule` concludes on `case`, the way `evaluate` ranks it (codes alone included).
pub fn assess(rule: &Rule, case: &Case) -> Option<Hypothesis> {
    let analysis = Analysis::new(case);
    super::evaluate(&analysis).into_iter().find(|h| h.rule == rule.code)
}

/// The confidence `rule` reaches on `case` (0 when it does not fire).
pub fn confidence(rule: &Rule, case: &Case) -> f64 {
    assess(rule, case).map_or(0.0, |h| h.confidence)
}

/// A sentence of `parse::paste::phrases` found in a pasted text, as the fact a paste gives.
pub fn phrase(id: &str) -> FactKind {
    FactKind::Mention {
        what: "phrase".into(),
        value: id.into(),
    }
}
