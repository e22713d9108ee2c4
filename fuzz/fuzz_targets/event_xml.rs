#![no_main]
//! Fuzz target `event_xml`: see `backupdiag::fuzzing::event_xml`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| backupdiag::fuzzing::event_xml(data));
