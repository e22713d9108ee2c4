//! The machine's history drawn as inline SVG on one time axis: milestones above, backup runs
//! (succeeded or failed with their code) below, and how many events each source logged
//! underneath. Long stretches where nothing happened are compressed to a fixed-width break
//! labelled with its length, so a week and several years both read at a glance. Only timed
//! items are placed; the caller lists the untimed ones beside the drawing.

use std::fmt::Write as _;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::case::Case;
use crate::config::Lang;
use crate::diagnose::Diagnosis;

use super::html::escape;

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 110.0;
const RIGHT: f64 = 20.0;
/// Width of a compressed gap.
const GAP: f64 = 34.0;
/// Least width of a stretch of activity.
const MIN_STRETCH: f64 = 48.0;
/// Rows of milestone markers, so that close ones do not cover each other.
const LANES: usize = 6;
/// Most sources drawn in the density rows.
const MAX_SOURCES: usize = 6;

/// One stretch of time drawn at a linear scale.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    start: i64,
    end: i64,
    x0: f64,
    x1: f64,
}

/// Time (seconds) to x, over stretches separated by compressed gaps.
#[derive(Debug)]
pub struct Axis {
    stretches: Vec<Stretch>,
}

impl Axis {
    /// An axis through `instants` (seconds): a gap longer than two weeks and than a sixth of
    /// the whole span is compressed (a month of weekly backups stays linear; a year with
    /// quiet months does not).
    pub fn new(instants: &[i64]) -> Option<Axis> {
        let mut sorted = instants.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let (first, last) = (*sorted.first()?, *sorted.last()?);
        let span = (last - first).max(1);
        let threshold = (14 * 86_400).max(span / 6);
        let mut groups: Vec<(i64, i64)> = vec![(first, first)];
        for &t in &sorted[1..] {
            match groups.last_mut() {
                Some(group) if t - group.1 <= threshold => group.1 = t,
                _ => groups.push((t, t)),
            }
        }
        let inner = WIDTH - LEFT - RIGHT - GAP * (groups.len() - 1) as f64;
        let spare = (inner - MIN_STRETCH * groups.len() as f64).max(0.0);
        let total: i64 = groups.iter().map(|(a, b)| b - a).sum::<i64>().max(1);
        let mut x = LEFT;
        let mut stretches = Vec::with_capacity(groups.len());
        for (start, end) in groups {
            let width = MIN_STRETCH + spare * (end - start) as f64 / total as f64;
            stretches.push(Stretch {
                start,
                end,
                x0: x,
                x1: x + width,
            });
            x += width + GAP;
        }
        Some(Axis { stretches })
    }

    /// The x of `t`: inside its stretch, or at the nearest stretch edge.
    pub fn x(&self, t: i64) -> f64 {
        let pad = 6.0;
        for s in &self.stretches {
            if t <= s.end {
                if t < s.start {
                    return s.x0;
                }
                if s.end == s.start {
                    return (s.x0 + s.x1) / 2.0;
                }
                let f = (t - s.start) as f64 / (s.end - s.start) as f64;
                return s.x0 + pad + f * (s.x1 - s.x0 - 2.0 * pad);
            }
        }
        self.stretches.last().map_or(LEFT, |s| s.x1)
    }

    /// How many gaps were compressed.
    pub fn gaps(&self) -> usize {
        self.stretches.len().saturating_sub(1)
    }
}

/// A length of time in words: `5 days`, `3 months`, `2 years`.
fn duration_words(seconds: i64, lang: Lang) -> String {
    let days = seconds / 86_400;
    let (n, en, ja) = match days {
        0..=13 => (days, "days", "日"),
        14..=59 => (days / 7, "weeks", "週間"),
        60..=729 => (days / 30, "months", "か月"),
        _ => (days / 365, "years", "年"),
    };
    match lang {
        Lang::En => format!("{n} {en}"),
        Lang::Ja => format!("{n} {ja}"),
    }
}

fn date(t: i64, zone: Option<&TimeZone>) -> String {
    let Ok(ts) = Timestamp::from_second(t) else {
        return String::new();
    };
    let zone = zone.cloned().unwrap_or(TimeZone::UTC);
    ts.to_zoned(zone).strftime("%Y-%m-%d").to_string()
}

/// Colour of a milestone kind.
fn colour(kind: &str) -> &'static str {
    match kind {
        "malware" => "#b3261e",
        "image-restored" | "build-went-back" | "os-installed" => "#6a1b9a",
        "boot-mode-changed" | "reactivated" => "#e65100",
        "service-disabled" => "#c62828",
        "service-enabled" | "repair" => "#2e7d32",
        "first-backup-failure" | "last-backup-failure" => "#d32f2f",
        "last-backup-success" => "#388e3c",
        _ => "#455a64",
    }
}

/// The kebab-case name of a serialisable enum value.
pub fn kind_name<T: serde::Serialize>(kind: &T) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The SVG, or `None` when nothing in the case has a time.
pub fn draw(case: &Case, diagnosis: &Diagnosis, zone: Option<&TimeZone>, lang: Lang) -> Option<String> {
    let milestones: Vec<(usize, i64)> = diagnosis
        .milestones
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.at().map(|t| (i, t.as_second())))
        .collect();
    let runs: Vec<(usize, i64)> = diagnosis
        .backups
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.at.map(|t| (i, t.as_second())))
        .collect();
    let instants: Vec<i64> = milestones.iter().chain(&runs).map(|(_, t)| *t).collect();
    let axis = Axis::new(&instants)?;
    let sources = density(case, &axis);
    let placed = place_milestones(&milestones, &axis);
    let lanes = placed.iter().map(|p| p.3 + 1).max().unwrap_or(1);
    let lane_milestones = 30.0;
    let axis_y = lane_milestones + 19.0 * lanes as f64 + 18.0;
    let lane_runs = axis_y + 44.0;
    let density_top = lane_runs + 40.0;
    let height = density_top + 22.0 * sources.len() as f64 + 10.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="history" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}">"##,
        lang.pick(
            "The machine's history and backup runs on one time axis",
            "コンピューターの経緯とバックアップの実行を 1 本の時間軸に並べた図"
        )
    );
    let _ = write!(
        svg,
        r##"<text x="8" y="{}" class="lane">{}</text><text x="8" y="{}" class="lane">{}</text>"##,
        lane_milestones + 4.0,
        lang.pick("history", "経緯"),
        lane_runs + 4.0,
        lang.pick("backups", "バックアップ")
    );
    // The axis: each stretch a line with its dates, each gap a break with its length.
    for (i, s) in axis.stretches.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<line class="axis" x1="{:.1}" y1="{axis_y}" x2="{:.1}" y2="{axis_y}"/><text class="tick" x="{:.1}" y="{}" text-anchor="start">{}</text>"##,
            s.x0,
            s.x1,
            s.x0,
            axis_y + 16.0,
            date(s.start, zone)
        );
        let inner_ticks = ((s.x1 - s.x0) / 170.0).floor() as i64;
        for k in 1..inner_ticks {
            let t = s.start + (s.end - s.start) * k / inner_ticks;
            let x = axis.x(t);
            let _ = write!(
                svg,
                r##"<line class="axis" x1="{x:.1}" y1="{axis_y}" x2="{x:.1}" y2="{}"/><text class="tick" x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
                axis_y + 5.0,
                axis_y + 16.0,
                date(t, zone)
            );
        }
        if s.end - s.start > 86_400 {
            let _ = write!(
                svg,
                r##"<text class="tick" x="{:.1}" y="{}" text-anchor="end">{}</text>"##,
                s.x1,
                axis_y + 30.0,
                date(s.end, zone)
            );
        }
        if let Some(next) = axis.stretches.get(i + 1) {
            let mid = (s.x1 + next.x0) / 2.0;
            let _ = write!(
                svg,
                r##"<g class="gap"><path d="M{:.1} {} l6 -8 l6 16 l6 -8" /><text class="gap-label" x="{mid:.1}" y="{}" text-anchor="middle">{}</text></g>"##,
                mid - 9.0,
                axis_y,
                axis_y - 12.0,
                escape(&duration_words(next.start - s.end, lang))
            );
        }
    }
    // Milestones: numbered markers on alternating heights, linked to the history table.
    for &(i, t, x, lane) in &placed {
        let m = &diagnosis.milestones[i];
        let kind = kind_name(&m.kind);
        let y = lane_milestones + 19.0 * lane as f64;
        let _ = write!(
            svg,
            r##"<a href="#milestone-{i}"><g class="milestone" data-kind="{kind}" data-time="{t}" data-index="{i}"><title>{}</title><line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{axis_y}" class="stem"/><circle cx="{x:.1}" cy="{y:.1}" r="8" fill="{}"/><text x="{x:.1}" y="{:.1}" class="num" text-anchor="middle">{}</text></g></a>"##,
            escape(&m.summary),
            colour(&kind),
            y + 4.0,
            i + 1
        );
    }
    // Backup runs: a green dot for a success, a red cross for a failure.
    for (i, t) in &runs {
        let run = &diagnosis.backups[*i];
        let x = axis.x(*t);
        let title = super::html::run_outcome(run, lang);
        let shape = if run.succeeded {
            format!(r##"<circle cx="{x:.1}" cy="{lane_runs}" r="5"/>"##)
        } else {
            format!(
                r##"<path d="M{:.1} {:.1} l10 10 m0 -10 l-10 10"/>"##,
                x - 5.0,
                lane_runs - 5.0
            )
        };
        let class = if run.succeeded { "run ok" } else { "run failed" };
        let _ = write!(
            svg,
            r##"<a href="#run-{i}"><g class="{class}" data-time="{t}" data-index="{i}"><title>{}</title>{shape}</g></a>"##,
            escape(&title)
        );
    }
    // Evidence density: events per source, in 8-pixel bins.
    for (row, (name, bins)) in sources.iter().enumerate() {
        let y = density_top + 22.0 * row as f64;
        let most = bins.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
        let _ = write!(
            svg,
            r##"<g class="density" data-source="{}"><text x="8" y="{:.1}" class="lane">{}</text>"##,
            escape(name),
            y + 12.0,
            escape(&super::layout::clip(name, 14))
        );
        for (x, n) in bins {
            let h = 2.0 + 14.0 * ((*n as f64).ln_1p() / most.ln_1p());
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="7" height="{h:.1}"><title>{n} {}</title></rect>"##,
                x,
                y + 16.0 - h,
                lang.pick("event(s)", "件のイベント")
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    // One element group a line, so a diff of two reports reads.
    Some(
        svg.replace("</a><a ", "</a>\n<a ")
            .replace("</g><g ", "</g>\n<g ")
            .replace("><line class=\"axis\"", ">\n<line class=\"axis\""),
    )
}

/// Milestones in time order with their x and marker row: the first row whose last marker is
/// clear of this one, else the row that ended earliest.
fn place_milestones(milestones: &[(usize, i64)], axis: &Axis) -> Vec<(usize, i64, f64, usize)> {
    let mut ordered = milestones.to_vec();
    ordered.sort_by_key(|(i, t)| (*t, *i));
    let mut lane_ends = [f64::MIN; LANES];
    ordered
        .into_iter()
        .map(|(i, t)| {
            let x = axis.x(t);
            let lane = (0..LANES).find(|&l| lane_ends[l] + 20.0 <= x).unwrap_or_else(|| {
                (0..LANES)
                    .min_by(|a, b| lane_ends[*a].total_cmp(&lane_ends[*b]))
                    .unwrap_or(0)
            });
            lane_ends[lane] = x;
            (i, t, x, lane)
        })
        .collect()
}

/// Events per source (the input's file name) in 8-pixel bins along the axis, the sources with
/// the most events first.
fn density(case: &Case, axis: &Axis) -> Vec<(String, Vec<(f64, usize)>)> {
    use std::collections::BTreeMap;
    let mut per_source: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    let kept = case.events.iter().map(|e| (&e.origin.file, e.time, 1));
    let tallied = case
        .files
        .iter()
        .flat_map(|f| f.tally.runs().iter().map(move |r| (&f.path, r.time, r.count as usize)));
    for (file, time, count) in kept.chain(tallied) {
        let Some(t) = time.order_key() else { continue };
        let file = super::layout::file_part(file).to_string();
        let bin = (axis.x(t.as_second()) / 8.0).floor() as i64;
        *per_source.entry(file).or_default().entry(bin).or_default() += count;
    }
    let mut sources: Vec<(String, Vec<(f64, usize)>)> = per_source
        .into_iter()
        .map(|(name, bins)| (name, bins.into_iter().map(|(b, n)| (b as f64 * 8.0, n)).collect()))
        .collect();
    sources.sort_by_key(|(name, bins)| {
        (
            std::cmp::Reverse(bins.iter().map(|(_, n)| n).sum::<usize>()),
            name.clone(),
        )
    });
    sources.truncate(MAX_SOURCES);
    sources
}

#[cfg(test)]
mod tests {
    use super::Axis;

    #[test]
    fn long_empty_stretches_are_compressed_and_order_is_kept() {
        let day = 86_400;
        // A month of activity, two years of nothing, another month.
        let times = [0, day, 30 * day, 730 * day, 731 * day, 760 * day];
        let axis = Axis::new(&times).expect("axis");
        assert_eq!(axis.gaps(), 1);
        let xs: Vec<f64> = times.iter().map(|t| axis.x(*t)).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        // Both weeks get real width: the gap does not eat the drawing.
        assert!(xs[2] - xs[0] > 200.0 && xs[5] - xs[3] > 200.0, "{xs:?}");
    }

    #[test]
    fn a_month_of_weekly_backups_is_drawn_linearly() {
        let times: Vec<i64> = (0..5).map(|w| w * 7 * 86_400).collect();
        let axis = Axis::new(&times).expect("axis");
        assert_eq!(axis.gaps(), 0);
        let step1 = axis.x(86_400) - axis.x(0);
        let step2 = axis.x(28 * 86_400) - axis.x(27 * 86_400);
        assert!((step1 - step2).abs() < 0.01);
        assert!(Axis::new(&[]).is_none());
    }
}
