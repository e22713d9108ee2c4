//! End-to-end tests of the `backupdiag` binary: real corpus files, archives, encodings, the
//! timeline contract, exit codes and the demo case. One test binary; helpers in `util`.

mod archives;
mod batch;
mod binxml;
mod collect;
mod contract;
mod corpus;
mod demo;
mod diagnosis;
mod encodings;
mod evidence_only;
mod exit_codes;
mod exports;
mod first_run;
mod forge_evtx;
mod fuzz_corpus;
mod honest;
mod html;
mod integrity;
mod japanese;
mod limits;
mod output;
mod pastes;
mod properties;
mod robustness;
mod scenarios;
mod tickets;
mod timeline;
mod util;
