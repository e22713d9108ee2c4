#![no_main]
//! Fuzz target `cab`: see `backupdiag::fuzzing::cab`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::cab(data));
