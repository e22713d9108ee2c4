//! The harmless background of a machine in daily use: boots and shutdowns, services starting
//! and stopping, update installs with their CBS sessions (and the `CBS_E_INVALID_PACKAGE`
//! lines every CBS.log is full of), VSS idle shutdowns, restore points. A diagnosis has to
//! find the signal in this, and stay quiet on it.

use jiff::civil::{Date, DateTime};
use jiff::SignedDuration;

use crate::scenario::{Noise, StartType};
use crate::text::servicing::ServicingLog;

use super::servicing::{session, Lines};
use super::{windows, Expander, Output};

impl Expander<'_> {
    /// A local time on `day`.
    pub(super) fn local(day: Date, hour: i8, minute: i8, second: i8) -> DateTime {
        day.at(hour, minute, second, 0)
    }

    pub(super) fn later(local: DateTime, seconds: i64) -> DateTime {
        local.checked_add(SignedDuration::from_secs(seconds)).unwrap_or(local)
    }

    pub(super) fn noise(&mut self, day: Date, out: &mut Vec<Output>) {
        let active = match self.scenario.collect.noise {
            Noise::None => false,
            Noise::Light => day.day() % 3 == 0,
            Noise::Normal => true,
        };
        if !active {
            return;
        }
        let boot = Self::local(day, 7, 30, 0);
        let boot = Self::later(boot, self.rng.between(0, 5400) as i64);
        self.boot(boot, out);
        if self.scenario.collect.noise == Noise::Normal {
            self.daytime(day, out);
        }
        let off = Self::later(Self::local(day, 22, 0, 0), self.rng.between(0, 5400) as i64);
        self.shutdown(off, false, out);
    }

    fn daytime(&mut self, day: Date, out: &mut Vec<Output>) {
        let busy = ["BITS", "WinHttpAutoProxySvc", "TrustedInstaller", "wuauserv"];
        let count = self.rng.between(3, 10) * u64::from(self.scale);
        for _ in 0..count {
            let key = *self.rng.pick(&busy);
            let start = Self::later(Self::local(day, 10, 0, 0), self.rng.between(0, 10 * 3600) as i64);
            let stop = Self::later(start, self.rng.between(30, 600) as i64);
            self.state_change(key, start, true, out);
            self.state_change(key, stop, false, out);
        }
        if self.rng.chance(30) {
            let at = Self::later(Self::local(day, 12, 0, 0), self.rng.between(0, 3600) as i64);
            out.push(self.evtx(self.machine.vss_idle(self.utc(at))));
        }
        if self.rng.chance(10) {
            let at = Self::later(Self::local(day, 11, 0, 0), self.rng.between(0, 3600) as i64);
            let bits = windows::service("BITS");
            out.push(
                self.evtx(
                    self.machine
                        .start_type_changed(self.utc(at), bits, StartType::Auto, StartType::Demand),
                ),
            );
            out.push(self.evtx(self.machine.start_type_changed(
                self.utc(Self::later(at, 900)),
                bits,
                StartType::Demand,
                StartType::Auto,
            )));
        }
        if self.rng.chance(25) {
            let at = Self::later(Self::local(day, 15, 0, 0), self.rng.between(0, 3 * 3600) as i64);
            self.update_install(at, out);
        }
    }

    /// A Windows Update install: restore point, a CBS session, the update event.
    fn update_install(&mut self, at: DateTime, out: &mut Vec<Output>) {
        out.push(self.evtx(self.machine.restore_point(self.utc(at), "Windows Update")));
        self.state_change("TrustedInstaller", Self::later(at, 5), true, out);
        let mut lines = Lines::new(ServicingLog::Cbs, Self::later(at, 6), self.utc(Self::later(at, 6)));
        session(
            &mut lines,
            self.machine.os,
            "WindowsUpdateAgent",
            20 * self.scale as usize,
        );
        out.extend(lines.lines.into_iter().map(Output::Text));
        let kb = 2_900_000 + self.rng.below(99_999);
        let title = format!("Security Update for Windows (KB{kb})");
        out.push(self.evtx(self.machine.update_installed(self.utc(Self::later(at, 180)), &title)));
        self.state_change("TrustedInstaller", Self::later(at, 400), false, out);
    }

    /// SCM 7036 for a service, unless it is disabled (a disabled service never runs).
    pub(super) fn state_change(&mut self, key: &str, at: DateTime, running: bool, out: &mut Vec<Output>) {
        let service = windows::service(key);
        if self.state.services.get(service.key) == Some(&StartType::Disabled) {
            return;
        }
        out.push(self.evtx(self.machine.service_state(self.utc(at), service, running)));
    }

    /// A boot: OS start, event log start and version banner, boot-type events (Windows 8+),
    /// services starting.
    pub(super) fn boot(&mut self, at: DateTime, out: &mut Vec<Output>) {
        let utc = self.utc(at);
        out.push(self.evtx(self.machine.os_started(utc)));
        let uefi = self.state.firmware == crate::scenario::Firmware::Uefi;
        for event in self.machine.kernel_boot(utc, uefi) {
            out.push(self.evtx(event));
        }
        for event in self.machine.eventlog_started(self.utc(Self::later(at, 20))) {
            out.push(self.evtx(event));
        }
        for (i, key) in ["EventSystem", "SENS", "Themes", "Spooler", "sppsvc", "wuauserv"]
            .iter()
            .enumerate()
        {
            self.state_change(key, Self::later(at, 25 + 3 * i as i64), true, out);
        }
        self.state_change("sppsvc", Self::later(at, 60), false, out);
    }

    /// A shutdown (with its User32 1074 when it is a restart).
    pub(super) fn shutdown(&mut self, at: DateTime, restart: bool, out: &mut Vec<Output>) {
        if restart {
            out.push(self.evtx(self.machine.restart_initiated(self.utc(at))));
        }
        out.push(self.evtx(self.machine.os_stopping(self.utc(Self::later(at, 10)))));
        out.push(self.evtx(self.machine.eventlog_stopped(self.utc(Self::later(at, 12)))));
    }

    pub(super) fn evtx(&self, (log, event): super::events::LogEvent) -> Output {
        Output::Evtx(log, event)
    }
}
