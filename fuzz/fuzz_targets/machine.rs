#![no_main]
//! Fuzz target `machine`: see `backupdiag::fuzzing::machine`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::machine(data));
