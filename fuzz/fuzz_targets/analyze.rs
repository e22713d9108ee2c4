#![no_main]
//! Fuzz target `analyze`: see `backupdiag::fuzzing::analyze`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::analyze(data));
