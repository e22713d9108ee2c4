#![no_main]
//! Fuzz target `evtx`: see `backupdiag::fuzzing::evtx`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::evtx(data));
