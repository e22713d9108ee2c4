//! Each happening of a scenario as Windows logs it (and, where Windows logs nothing, as
//! nothing: a manual MBR repair from WinRE or a firmware setting change leave no event).

use jiff::civil::DateTime;

use crate::scenario::{BackupKind, Firmware, StartType, What};
use crate::text::console::{WriterRow, APPLICATION_WRITERS};
use crate::text::servicing::ServicingLog;

use super::events::MalwareOutcome;
use super::servicing::{restore_health, session, setup, sfc, Lines};
use super::{windows, Expander, Output};

/// The message Windows shows for the backup error codes the scenarios use.
fn error_message(code: &str) -> &'static str {
    match code.to_ascii_lowercase().as_str() {
        "0x80070422" => "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.",
        "0x81000019" => "A shadow copy could not be created. Please check \"VSS\" and \"SPP\" application event logs for more information.",
        "0x8007045d" => "The request could not be performed because of an I/O device error.",
        "0x80070070" => "There is not enough space on the disk.",
        "0x80070005" => "Access is denied.",
        "0x80040154" => "Class not registered",
        "0x80042306" => "The shadow copy provider had an error.",
        "0x80070570" => "The file or directory is corrupted and unreadable.",
        "0x8007048f" => "The device is not connected.",
        // VSS_E_WRITER_STATUS_NOT_AVAILABLE (vsserror.h).
        "0x80042409" => "Writer status is not available for one or more writers.",
        _ => "The backup operation failed.",
    }
}

impl Expander<'_> {
    pub(super) fn happening(&mut self, at: DateTime, what: &What, out: &mut Vec<Output>) {
        let utc = self.utc(at);
        match what {
            What::OsInstalled => self.os_installed(at, out),
            What::Boot => self.boot(at, out),
            What::Reboot => {
                self.shutdown(at, true, out);
                self.boot(Self::later(at, 90), out);
            }
            What::BackupSucceeded { kind } => {
                let end = self.utc(Self::later(
                    at,
                    if *kind == BackupKind::SystemImage { 2400 } else { 900 },
                ));
                for event in self.machine.backup_succeeded(utc, end, "E:") {
                    out.push(self.evtx(event));
                }
                out.push(self.evtx(self.machine.vss_idle(self.utc(Self::later(at, 3600)))));
            }
            What::BackupFailed { kind, code } => self.backup_failed(at, *kind, code, out),
            What::FirmwareSwitched { to } => self.state.firmware = *to,
            What::MalwareDetected {
                threat,
                removed,
                removal_failed,
            } => {
                let path = "C:\\Users\\user\\AppData\\Local\\Temp\\svchost32.exe";
                let outcome = match (*removed, *removal_failed) {
                    (_, true) => MalwareOutcome::RemovalFailed,
                    (true, false) => MalwareOutcome::Removed,
                    (false, false) => MalwareOutcome::Detected,
                };
                for event in self.machine.malware(utc, threat, path, outcome) {
                    out.push(self.evtx(event));
                }
            }
            What::MbrRepairedManually => {}
            What::ImageRestored { image_from } => self.image_restored(at, image_from, out),
            What::WindowsReactivated => {
                for event in self.machine.reactivation(utc) {
                    out.push(self.evtx(event));
                }
            }
            What::ServiceStartTypeChanged { service, to } => {
                let service = windows::service(service);
                let from = self
                    .state
                    .services
                    .get(service.key)
                    .copied()
                    .unwrap_or(service.default_start);
                out.push(self.evtx(self.machine.start_type_changed(utc, service, from, *to)));
                self.state.services.insert(service.key, *to);
                self.remember_services(at);
            }
            What::ServiceStartFailed { service, error } => {
                let error = error.unwrap_or(1058);
                out.push(self.evtx(self.machine.service_start_failed(utc, windows::service(service), error)));
            }
            What::DiskBadBlock { disk, count } => {
                for i in 0..*count {
                    let when = self.utc(Self::later(at, i64::from(i) * 7));
                    out.push(self.evtx(self.machine.io_retried(when, *disk, 0x0041_6e32 + u64::from(i) * 8)));
                    out.push(self.evtx(self.machine.bad_block(when, *disk)));
                }
            }
            What::DiskSurpriseRemoved { disk } => out.push(self.evtx(self.machine.disk_surprise_removed(utc, *disk))),
            What::SfcRun { result } => {
                self.state_change("TrustedInstaller", at, true, out);
                let mut lines = Lines::new(ServicingLog::Cbs, at, utc);
                session(&mut lines, self.machine.os, "TrustedInstaller", 0);
                sfc(&mut lines, self.machine.os, *result);
                out.extend(lines.lines.into_iter().map(Output::Text));
            }
            What::DismRestoreHealth { result } => {
                self.state_change("TrustedInstaller", at, true, out);
                let mut lines = Lines::new(ServicingLog::Cbs, at, utc);
                session(&mut lines, self.machine.os, "DISM Package Manager Provider", 0);
                restore_health(&mut lines, self.machine.os, *result);
                out.extend(lines.lines.into_iter().map(Output::Text));
            }
            What::SecurityUpdateUnfinished { product } => {
                out.push(self.evtx(self.machine.restart_pending(utc, product)));
            }
            What::VssWriterFailed { writer, state, error } => {
                if !self.state.writers.iter().any(|w| w.name == writer.as_str()) {
                    // An application's writer (Hyper-V, NTDS, SQL Server) joins the listing.
                    let known = APPLICATION_WRITERS.iter().find(|(name, _)| *name == writer.as_str());
                    if let Some((name, id)) = known {
                        let instance = self.rng.guid();
                        self.state.writers.push(WriterRow {
                            name,
                            id,
                            instance,
                            state: 1,
                            error: "No error".into(),
                        });
                    }
                }
                if let Some(row) = self.state.writers.iter_mut().find(|w| w.name == writer.as_str()) {
                    row.state = *state;
                    row.error = error.clone();
                }
            }
            What::VssError { id, code } => {
                let hr = code
                    .as_deref()
                    .map_or_else(String::new, |c| format!("{c}, {}\r\n", error_message(c)));
                out.push(self.evtx(self.machine.vss_error(utc, *id, &hr)));
            }
            What::ShadowStorageExhausted => out.push(self.evtx(self.machine.shadow_storage_aborted(utc))),
            What::Event { provider, id, data } => {
                if let Some(event) = self.machine.error_event(utc, provider, *id, data) {
                    out.push(self.evtx(event));
                }
            }
            What::WritersVanished => self.state.writers.clear(),
            What::VssProviderInstalled { name } => self.state.providers.push(name.clone()),
            What::SystemWriterDenied => {
                self.state.writers.retain(|w| w.name != "System Writer");
                out.push(self.evtx(self.machine.system_writer_denied(utc)));
            }
            What::BackupCatalogCorrupt => out.push(self.evtx(self.machine.backup_catalog_corrupt(utc, "E:"))),
            What::ChkdskRun { fixed } => {
                self.boot(at, out);
                out.push(self.evtx(self.machine.chkdsk_report(self.utc(Self::later(at, 240)), *fixed)));
            }
            What::UserNote { text } => self.state.notes.push((at, text.clone())),
        }
    }

    fn backup_failed(&mut self, at: DateTime, kind: BackupKind, code: &str, out: &mut Vec<Output>) {
        let utc = self.utc(at);
        let lower = code.to_ascii_lowercase();
        if lower == "0x80070422" {
            let disabled: Vec<&'static str> = self
                .state
                .services
                .iter()
                .filter(|(key, start)| {
                    **start == StartType::Disabled && ["wbengine", "RpcSs", "VSS", "swprv", "SDRSVC"].contains(key)
                })
                .map(|(key, _)| *key)
                .collect();
            for key in disabled {
                out.push(self.evtx(self.machine.service_start_failed(utc, windows::service(key), 1058)));
            }
        }
        if lower == "0x81000019" {
            let hr = "0x8007007e, The specified module could not be found.\r\n";
            out.push(
                self.evtx(
                    self.machine
                        .vss_routine_error(self.utc(Self::later(at, 30)), "CoCreateInstance", hr),
                ),
            );
        }
        let seconds = if lower == "0x8007045d" && kind == BackupKind::SystemImage {
            2100
        } else {
            60
        };
        if lower == "0x8007045d" {
            for i in 0..3u64 {
                let when = self.utc(Self::later(at, seconds - 120 + 10 * i as i64));
                out.push(self.evtx(self.machine.io_retried(when, 0, 0x02a4_1f80 + i * 8)));
            }
            out.push(self.evtx(self.machine.bad_block(self.utc(Self::later(at, seconds - 60)), 0)));
        }
        let end = self.utc(Self::later(at, seconds));
        for event in self.machine.backup_failed(utc, end, code, error_message(code), "E:") {
            out.push(self.evtx(event));
        }
    }

    fn os_installed(&mut self, at: DateTime, out: &mut Vec<Output>) {
        let setup_start = Self::later(at, -super::SETUP_SECONDS);
        let mut lines = Lines::new(ServicingLog::Setupact, setup_start, self.utc(setup_start));
        setup(&mut lines, self.state.firmware);
        out.extend(lines.lines.into_iter().map(Output::Text));
        self.state.installed_in = self.state.firmware;
        self.installs.push((at, self.state.firmware));
        self.state.services = windows::SERVICES.iter().map(|s| (s.key, s.default_start)).collect();
        self.remember_services(at);
        for row in &mut self.state.writers {
            row.state = 1;
            row.error = "No error".into();
        }
        self.boot(at, out);
    }

    /// The first boot of a restored image: the image was taken from a running system, so the
    /// restored Windows reports its last shutdown (at the image's time) as unexpected.
    fn image_restored(&mut self, at: DateTime, image_from: &str, out: &mut Vec<Output>) {
        let image = crate::scenario::parse_local(image_from).unwrap_or(at);
        self.state.services = self.services_at(image);
        self.remember_services(at);
        self.boot(at, out);
        out.push(self.evtx(self.machine.unexpected_shutdown(self.utc(Self::later(at, 21)), image)));
        // The restored system carries the installation (and its boot mode) of the image.
        self.state.installed_in = self.installed_before(image);
    }

    /// The firmware mode of the installation that was current at `when`.
    fn installed_before(&self, when: DateTime) -> Firmware {
        self.installs
            .iter()
            .rev()
            .find(|(at, _)| *at <= when)
            .map_or(self.scenario.machine.firmware, |(_, f)| *f)
    }
}
