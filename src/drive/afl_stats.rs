//! What an AFL++ instance says about itself: its `fuzzer_stats` file
//! (`key : value` lines, rewritten about once a minute and at exit) and the
//! last row of its `plot_data` (a CSV with a `# name, name, ...` header,
//! appended every few seconds, which is fresher for the progress line).

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AflStats {
    pub execs: u64,
    pub exec_per_sec: Option<f64>,
    pub corpus: Option<u64>,
    /// Crashes saved (AFL++ 4 `saved_crashes`, older `unique_crashes`).
    pub crashes: Option<u64>,
    pub hangs: Option<u64>,
    /// Percent of the coverage map hit (`bitmap_cvg`, `map_size` in plot_data).
    pub bitmap_cvg: Option<f64>,
    pub edges: Option<u64>,
}

fn number(v: &str) -> Option<f64> {
    v.trim().trim_end_matches('%').parse().ok()
}

/// Parses a `fuzzer_stats` text. Unknown keys are ignored; a missing
/// `execs_done` is an error (not an AFL++ stats file).
pub fn parse_fuzzer_stats(text: &str) -> Result<AflStats, String> {
    let map: HashMap<&str, &str> =
        text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim(), v.trim())).collect();
    let get = |k: &str| map.get(k).and_then(|v| number(v));
    let execs = get("execs_done").ok_or("no execs_done in fuzzer_stats")?;
    Ok(stats(execs, get("bitmap_cvg"), get))
}

/// The fields `fuzzer_stats` and `plot_data` name alike (AFL++ 4 names, else AFL++ 3's).
fn stats(execs: f64, bitmap_cvg: Option<f64>, get: impl Fn(&str) -> Option<f64>) -> AflStats {
    let count = |new: &str, old: &str| get(new).or_else(|| get(old)).map(|v| v as u64);
    AflStats {
        execs: execs as u64,
        exec_per_sec: get("execs_per_sec"),
        corpus: count("corpus_count", "paths_total"),
        crashes: count("saved_crashes", "unique_crashes"),
        hangs: count("saved_hangs", "unique_hangs"),
        bitmap_cvg,
        edges: get("edges_found").map(|v| v as u64),
    }
}

/// The last row of a `plot_data` text, by its header's column names; None
/// without a header or a row.
pub fn parse_plot_data(text: &str) -> Option<AflStats> {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next()?.trim_start_matches('#').split(',').map(|h| h.trim().to_string()).collect();
    let row: Vec<&str> = lines.rfind(|l| !l.trim().is_empty() && !l.starts_with('#'))?.split(',').collect();
    let get = |k: &str| header.iter().position(|h| h == k).and_then(|i| row.get(i)).and_then(|v| number(v));
    // plot_data calls the bitmap coverage map_size.
    Some(stats(get("total_execs")?, get("map_size"), get))
}
