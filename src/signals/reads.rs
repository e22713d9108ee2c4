//! Which recorded events a later stage reads. `analyze` keeps those and tallies the rest (how
//! many, when, on which computer, and the installer starts the clock pairs: `model::Census`):
//! an event kept is one that gives a signal, marks the backup's own virtual disk, or names a
//! computer's Windows version; `inputs` keeps only the last kind. Deciding by asking
//! `recognize` itself keeps the two from drifting apart.

use crate::case::computers;
use crate::model::Event;
use crate::parse::Keep;

use super::{recognize, vhd};

/// Whether a reader keeping `keep` keeps `event`.
pub fn reads(event: &Event, keep: Keep) -> bool {
    match keep {
        Keep::Everything => true,
        Keep::Clock => read_by_case(event),
        Keep::Evidence => read_by_case(event) || vhd::is_mount_event(event) || !recognize::kinds(event).is_empty(),
    }
}

/// The computer list takes each computer's Windows version from its boots.
fn read_by_case(event: &Event) -> bool {
    computers::os_version(event).is_some()
}
