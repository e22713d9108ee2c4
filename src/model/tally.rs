//! The events a reader read but did not keep.
//!
//! Most lines of a servicing log say nothing any signal reads ("Read out cached package
//! applicability ..."), yet they count: a file's record count, its first and last time and the
//! history chart's density are those of every line. A [`Tally`] keeps exactly that, how many
//! and when, in runs of lines written at one time, so a 256 MiB CBS.log costs a few thousand
//! runs instead of millions of events.

use super::EventTime;

/// The events of one file that were read and not kept, as runs in line order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    runs: Vec<TallyRun>,
    /// The next event starts a run even at the same time (the clock's offset changed).
    cut: bool,
}

/// Tallied lines written at one time, the first of them on `line`; lines kept as events may lie
/// between them, never a change of the clock's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TallyRun {
    /// The first line of the run.
    pub line: u64,
    /// The time every line of the run was written at.
    pub time: EventTime,
    /// How many lines.
    pub count: u32,
}

impl Tally {
    /// Counts one more event, read on `line` at `time`.
    pub fn add(&mut self, line: u64, time: EventTime) {
        match self.runs.last_mut() {
            Some(last) if !self.cut && last.time == time && last.count < u32::MAX => last.count += 1,
            _ => self.runs.push(TallyRun { line, time, count: 1 }),
        }
        self.cut = false;
    }

    /// The clock's offset changes from the next event on: it starts a run of its own.
    pub fn cut(&mut self) {
        self.cut = true;
    }

    /// `self` followed by `next`, the tally of the lines after it.
    pub fn append(&mut self, next: Tally) {
        self.runs.extend(next.runs);
        self.cut = next.cut;
    }

    /// How many events were tallied.
    pub fn count(&self) -> usize {
        self.runs.iter().map(|r| r.count as usize).sum()
    }

    /// The runs, in line order.
    pub fn runs(&self) -> &[TallyRun] {
        &self.runs
    }

    /// The runs, for the clock to fill in their UTC times.
    pub fn runs_mut(&mut self) -> &mut [TallyRun] {
        &mut self.runs
    }

    /// True when nothing was tallied.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

/// Harmless events read and not kept: each one's only signal names it harmless and nothing else
/// reads it. A CbsPersist log can hold a million `CBS_E_INVALID_PACKAGE` lines; the harmless
/// groups need only how many of each reason and its first occurrence (kept as an event), and the
/// history only their times. The lines are counted in the file's [`Tally`] as well.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HarmlessTally {
    counts: Vec<(&'static str, usize)>,
    times: Tally,
}

impl HarmlessTally {
    /// Counts one more event harmless for `reason`, read on `line` at `time`.
    pub fn add(&mut self, reason: &'static str, line: u64, time: EventTime) {
        match self.counts.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += 1,
            None => self.counts.push((reason, 1)),
        }
        self.times.add(line, time);
    }

    /// The clock's offset changes from the next event on.
    pub fn cut(&mut self) {
        self.times.cut();
    }

    /// `self` followed by `next`, the tally of the lines after it.
    pub fn append(&mut self, next: HarmlessTally) {
        for (reason, count) in next.counts {
            match self.counts.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, mine)) => *mine += count,
                None => self.counts.push((reason, count)),
            }
        }
        self.times.append(next.times);
    }

    /// How many events were tallied for `reason`.
    pub fn count(&self, reason: &str) -> usize {
        self.counts
            .iter()
            .find(|(r, _)| *r == reason)
            .map_or(0, |(_, count)| *count)
    }

    /// Their times, in runs in line order.
    pub fn runs(&self) -> &[TallyRun] {
        self.times.runs()
    }

    /// The runs, for the clock to fill in their UTC times.
    pub fn runs_mut(&mut self) -> &mut [TallyRun] {
        self.times.runs_mut()
    }
}

/// A reader's earliest event of each harmless reason so far, by a key that orders as the
/// timeline will (local time under one clock offset, then line; or UTC time, then record).
/// A reader keeps each event that is earlier than every one of its reason before it, and
/// tallies the others: the first of each reason on the timeline is then always kept, because
/// it is earlier than everything read before it.
#[derive(Debug, Clone)]
pub struct Earliest<K> {
    seen: Vec<(&'static str, K)>,
}

impl<K> Default for Earliest<K> {
    fn default() -> Self {
        Earliest { seen: Vec::new() }
    }
}

impl<K: Ord> Earliest<K> {
    /// Whether an event of `reason` at `key` is earlier than all of its reason so far (it is
    /// then the earliest).
    pub fn is_earliest(&mut self, reason: &'static str, key: K) -> bool {
        match self.seen.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, earliest)) if key >= *earliest => false,
            Some((_, earliest)) => {
                *earliest = key;
                true
            }
            None => {
                self.seen.push((reason, key));
                true
            }
        }
    }

    /// Forgets what was seen: the keys that follow do not order with the earlier ones (the
    /// clock's offset changed).
    pub fn clear(&mut self) {
        self.seen.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::{Earliest, HarmlessTally, Tally};
    use crate::model::EventTime;

    fn at(second: i8) -> EventTime {
        EventTime::local(jiff::civil::date(2024, 5, 10).at(13, 0, second, 0))
    }

    #[test]
    fn lines_at_one_time_share_a_run_unless_the_clock_changes_between_them() {
        let mut tally = Tally::default();
        tally.add(1, at(0));
        tally.add(2, at(0));
        tally.add(4, at(1));
        tally.cut();
        tally.add(5, at(1));
        tally.add(6, at(1));
        let runs: Vec<(u64, u32)> = tally.runs().iter().map(|r| (r.line, r.count)).collect();
        assert_eq!(runs, [(1, 2), (4, 1), (5, 2)]);
        assert_eq!(tally.count(), 5);
    }

    #[test]
    fn appending_keeps_the_line_order() {
        let (mut first, mut second) = (Tally::default(), Tally::default());
        first.add(1, at(0));
        second.add(9, at(0));
        first.append(second);
        let lines: Vec<u64> = first.runs().iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 9], "a seam starts a run: the next range's clock is its own");
        assert_eq!(first.count(), 2);
    }

    #[test]
    fn harmless_counts_add_up_per_reason_across_a_seam() {
        let (mut first, mut second) = (HarmlessTally::default(), HarmlessTally::default());
        first.add("a", 1, at(0));
        first.add("b", 2, at(0));
        second.add("a", 7, at(0));
        second.add("a", 8, at(1));
        first.append(second);
        assert_eq!((first.count("a"), first.count("b"), first.count("c")), (3, 1, 0));
        let lines: Vec<(u64, u32)> = first.runs().iter().map(|r| (r.line, r.count)).collect();
        assert_eq!(lines, [(1, 2), (7, 1), (8, 1)]);
    }

    #[test]
    fn only_an_event_earlier_than_all_of_its_reason_is_the_earliest() {
        let mut earliest = Earliest::default();
        let seen: Vec<bool> = [("a", 5), ("a", 5), ("a", 6), ("b", 9), ("a", 4), ("b", 9)]
            .into_iter()
            .map(|(reason, key)| earliest.is_earliest(reason, key))
            .collect();
        assert_eq!(seen, [true, false, false, true, true, false]);
        earliest.clear();
        assert!(earliest.is_earliest("a", 7));
    }
}
