#![no_main]
//! Fuzz target `servicing`: see `backupdiag::fuzzing::servicing`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::servicing(data));
