#![no_main]
//! Fuzz target `paste`: see `backupdiag::fuzzing::paste`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::paste(data));
