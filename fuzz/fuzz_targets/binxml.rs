#![no_main]
//! Fuzz target `binxml`: see `backupdiag::fuzzing::binxml`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::binxml(data));
