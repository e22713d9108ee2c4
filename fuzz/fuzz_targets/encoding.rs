#![no_main]
//! Fuzz target `encoding`: see `backupdiag::fuzzing::encoding`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::encoding(data));
