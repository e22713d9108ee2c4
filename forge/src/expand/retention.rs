//! What survives in the logs at collection time. A clean reinstall formats the system volume
//! (every earlier log is gone); restoring a system image brings back the logs as they were
//! when the image was taken, and the history between then and the restore is lost. A record
//! is written only if its time lies in a kept interval.

use jiff::Timestamp;

type Intervals = Vec<(Timestamp, Timestamp)>;

/// Kept time intervals (`[start, end)`), and how they stood at every change.
#[derive(Debug, Clone)]
pub struct Retention {
    current: Intervals,
    history: Vec<(Timestamp, Intervals)>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            current: vec![(Timestamp::MIN, Timestamp::MAX)],
            history: Vec::new(),
        }
    }
}

impl Retention {
    /// A clean install finished at `at`, whose setup started at `setup`: nothing before the
    /// setup survives (Windows Setup's own log is kept).
    pub fn reinstall(&mut self, setup: Timestamp, at: Timestamp) {
        self.set(at, vec![(setup, Timestamp::MAX)]);
    }

    /// A restore at `at` of an image taken at `image`: the logs as they stood at `image`, then
    /// everything from `at` on.
    pub fn restore(&mut self, image: Timestamp, at: Timestamp) {
        let at_image = self
            .history
            .iter()
            .rev()
            .find(|(when, _)| *when <= image)
            .map_or_else(|| vec![(Timestamp::MIN, Timestamp::MAX)], |(_, kept)| kept.clone());
        let mut kept: Intervals = at_image
            .into_iter()
            .filter(|(start, _)| *start < image)
            .map(|(start, end)| (start, end.min(image)))
            .collect();
        kept.push((at, Timestamp::MAX));
        self.set(at, kept);
    }

    fn set(&mut self, at: Timestamp, kept: Intervals) {
        self.history.push((at, kept.clone()));
        self.current = kept;
    }

    /// True when a record at `time` is in the logs at collection.
    pub fn keeps(&self, time: Timestamp) -> bool {
        self.current.iter().any(|(start, end)| time >= *start && time < *end)
    }
}

#[cfg(test)]
mod tests {
    use super::Retention;

    fn t(text: &str) -> jiff::Timestamp {
        text.parse().expect("time")
    }

    #[test]
    fn a_restored_image_brings_back_the_logs_it_held() {
        let mut retention = Retention::default();
        // March image taken, May clean install, October restore of the March image.
        retention.reinstall(t("2012-05-10T00:00:00Z"), t("2012-05-10T00:00:00Z"));
        assert!(!retention.keeps(t("2012-03-01T00:00:00Z")));
        assert!(retention.keeps(t("2012-06-01T00:00:00Z")));
        retention.restore(t("2012-03-10T00:00:00Z"), t("2012-10-20T00:00:00Z"));
        assert!(
            retention.keeps(t("2012-03-01T00:00:00Z")),
            "the March image holds the March logs"
        );
        assert!(
            !retention.keeps(t("2012-06-01T00:00:00Z")),
            "the reinstall's logs are gone"
        );
        assert!(!retention.keeps(t("2012-10-19T00:00:00Z")));
        assert!(retention.keeps(t("2012-10-21T00:00:00Z")));
    }
}
