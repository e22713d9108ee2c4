//! Turns a scenario into what Windows really logs, one day at a time: background noise around
//! the happenings, each happening expanded into its events and log lines, then only what
//! survives reinstalls and image restores (see `retention`). A day's output is sorted by time,
//! so a bundle of any length is written in bounded memory.

pub mod events;
mod happenings;
mod noise;
pub mod retention;
pub mod servicing;
pub mod windows;

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::evtx::EvtxEvent;
use crate::rng::Rng;
use crate::scenario::{Firmware, Scenario, StartType, What};
use crate::text::console::{WriterRow, STANDARD_WRITERS};
use crate::text::servicing::ServicingLine;

use events::{Log, Machine};
use retention::Retention;

/// How long before an install's first boot Windows Setup starts logging.
pub(crate) const SETUP_SECONDS: i64 = 1800;

fn noise_later(local: DateTime, seconds: i64) -> DateTime {
    local
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap_or(local)
}

/// One thing to write.
#[derive(Debug, Clone)]
pub enum Output {
    /// An event for an evtx log.
    Evtx(Log, EvtxEvent),
    /// A line for a servicing log.
    Text(ServicingLine),
}

/// The machine as it stands while the story unfolds.
#[derive(Debug, Clone)]
pub struct State {
    /// Current firmware boot mode.
    pub firmware: Firmware,
    /// Firmware mode Windows was installed in.
    pub installed_in: Firmware,
    /// Service start types by key name.
    pub services: BTreeMap<&'static str, StartType>,
    /// VSS writers as `vssadmin list writers` shows them.
    pub writers: Vec<WriterRow>,
    /// Third-party VSS providers registered (Microsoft's own is always listed).
    pub providers: Vec<String>,
    /// The user's notes, in time order.
    pub notes: Vec<(DateTime, String)>,
}

/// Expands one scenario.
#[derive(Debug)]
pub struct Expander<'a> {
    scenario: &'a Scenario,
    tz: TimeZone,
    machine: Machine,
    rng: Rng,
    retention: Retention,
    /// The machine's state so far.
    pub state: State,
    service_history: Vec<(DateTime, BTreeMap<&'static str, StartType>)>,
    installs: Vec<(DateTime, Firmware)>,
    scale: u32,
}

impl<'a> Expander<'a> {
    /// Prepares the expansion (`scale` multiplies the background noise).
    pub fn new(scenario: &'a Scenario, scale: u32) -> Result<Expander<'a>, String> {
        let tz = TimeZone::get(&scenario.machine.time_zone).map_err(|e| e.to_string())?;
        let mut rng = Rng::new(scenario.machine.seed);
        let writers = STANDARD_WRITERS
            .iter()
            .map(|(name, id)| WriterRow {
                name,
                id,
                instance: rng.guid(),
                state: 1,
                error: "No error".into(),
            })
            .collect();
        let services = windows::SERVICES.iter().map(|s| (s.key, s.default_start)).collect();
        let mut expander = Expander {
            scenario,
            machine: Machine {
                computer: scenario.machine.name.clone(),
                os: scenario.machine.os,
                language: scenario.machine.language,
            },
            rng,
            retention: Retention::default(),
            state: State {
                firmware: scenario.machine.firmware,
                installed_in: scenario.machine.firmware,
                services,
                writers,
                providers: Vec::new(),
                notes: Vec::new(),
            },
            service_history: Vec::new(),
            installs: Vec::new(),
            scale: scale.max(1),
            tz,
        };
        expander.plan_retention();
        Ok(expander)
    }

    fn plan_retention(&mut self) {
        for happening in self.scenario.sorted_happenings() {
            let at = self.utc(happening.at);
            match &happening.what {
                What::OsInstalled => {
                    let setup = self.utc(noise_later(happening.at, -SETUP_SECONDS));
                    self.retention.reinstall(setup, at);
                }
                What::ImageRestored { image_from } => {
                    let image = crate::scenario::parse_local(image_from)
                        .map(|t| self.utc(t))
                        .unwrap_or(at);
                    self.retention.restore(image, at);
                }
                _ => {}
            }
        }
    }

    /// The UTC instant of a local wall-clock time on the machine.
    pub fn utc(&self, local: DateTime) -> Timestamp {
        local
            .to_zoned(self.tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// The days the bundle covers.
    pub fn days(&self) -> Vec<Date> {
        let mut days = Vec::new();
        let mut day = self.scenario.collect.from;
        while day <= self.scenario.collect.to {
            days.push(day);
            day = match day.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        days
    }

    /// Everything written on `day`, sorted by time, that survives to collection.
    pub fn day(&mut self, day: Date) -> Vec<Output> {
        let mut out = Vec::new();
        let happenings: Vec<_> = self
            .scenario
            .sorted_happenings()
            .into_iter()
            .filter(|h| h.at.date() == day)
            .cloned()
            .collect();
        let busy = happenings
            .iter()
            .any(|h| matches!(h.what, What::OsInstalled | What::ImageRestored { .. }));
        if !busy {
            self.noise(day, &mut out);
        }
        for happening in &happenings {
            self.happening(happening.at, &happening.what, &mut out);
        }
        let mut keyed: Vec<(Timestamp, usize, Output)> = out
            .into_iter()
            .enumerate()
            .map(|(i, o)| (self.time_of(&o), i, o))
            .collect();
        keyed.sort_by_key(|(t, i, _)| (*t, *i));
        keyed
            .into_iter()
            .filter(|(t, _, _)| self.retention.keeps(*t))
            .map(|(_, _, o)| o)
            .collect()
    }

    fn time_of(&self, output: &Output) -> Timestamp {
        match output {
            Output::Evtx(_, event) => event.time,
            Output::Text(line) => self.utc(line.local),
        }
    }

    fn remember_services(&mut self, at: DateTime) {
        self.service_history.push((at, self.state.services.clone()));
    }

    fn services_at(&self, at: DateTime) -> BTreeMap<&'static str, StartType> {
        self.service_history
            .iter()
            .rev()
            .find(|(when, _)| *when <= at)
            .map_or_else(
                || windows::SERVICES.iter().map(|s| (s.key, s.default_start)).collect(),
                |(_, s)| s.clone(),
            )
    }
}
