//! Turns a scenario into what Windows really logs, day by day.

pub mod events;
pub mod windows;
