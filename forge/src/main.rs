//! The `backupdiag-forge` command.

fn main() {}
