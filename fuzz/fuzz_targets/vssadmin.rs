#![no_main]
//! Fuzz target `vssadmin`: see `backupdiag::fuzzing::vssadmin`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::vssadmin(data));
