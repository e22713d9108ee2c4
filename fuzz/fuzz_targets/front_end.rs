#![no_main]
//! Fuzz target `front_end`: see `backupdiag::fuzzing::front_end`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::front_end(data));
