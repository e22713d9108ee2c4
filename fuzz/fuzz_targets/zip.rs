#![no_main]
//! Fuzz target `zip`: see `backupdiag::fuzzing::zip`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::zip(data));
