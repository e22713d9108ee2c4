//! backupdiag-forge writes realistic case bundles: the files a support engineer collects from
//! a Windows PC whose backup failed, binary `.evtx` logs included, from a short scenario file.
//!
//! `scenario` (TOML) -> `expand` (happenings to the events and log lines Windows writes, with
//! background noise) -> `evtx` (a spec-conformant writer) and `bundle` (files in a folder or a
//! zip, in the chosen encodings). Output is deterministic for a scenario and seed.

pub mod bundle;
pub mod evtx;
pub mod expand;
pub mod rng;
pub mod scenario;
pub mod text;
