//! The bench's table, in Markdown a README takes as is: the machine, the
//! command and date, the four program rates, the two ratios and the libFuzzer
//! rates, each figure next to its target from issue 11.

use super::fuzz::FuzzRate;
use super::Rates;
use std::fmt::Write;

/// Kernel engine over C floor (issue 11: ≥ 0.25).
pub const KERNEL_OVER_FLOOR: f64 = 0.25;
/// Differential over kernel engine (issue 11: ≥ 0.5).
pub const DIFFERENTIAL_OVER_KERNEL: f64 = 0.5;
/// libFuzzer exec/s without ASan (≥ 50,000) and with it (≥ 10,000).
pub const EXECS_NO_ASAN: f64 = 50_000.0;
pub const EXECS_ASAN: f64 = 10_000.0;
/// Peak RSS per fuzzer process, in MB (< 512).
pub const RSS_LIMIT_MB: u64 = 512;

/// Everything one `swapdiff bench` run measured.
pub struct Report {
    /// `2026-12-01 15:04:05 UTC`.
    pub date: String,
    /// The command line that reproduces the run.
    pub command: String,
    pub cores: usize,
    pub kernel: String,
    pub programs: usize,
    /// Primitive steps the set executed on the kernel engine.
    pub steps: usize,
    /// How the C floor was compiled (`clang -O2`).
    pub floor_build: String,
    pub floor: f64,
    pub rates: Rates,
    pub fuzz: Vec<FuzzRate>,
    pub fuzz_seconds: u64,
    /// Caller-level programs/s through each series and across them (bench::callers).
    pub callers: Option<super::callers::CallerRates>,
    /// The scheduler's cost and the exhaustive walk's rate (bench::interleave).
    pub interleave: Option<super::interleave::InterleaveRates>,
    /// The C floor and the differential rate on `swap_mte`'s seed programs:
    /// what libFuzzer's rate for that target is to be read against.
    pub seeds: Option<SeedRates>,
}

/// One target's seed programs, measured like the generated set.
#[derive(Debug, Clone)]
pub struct SeedRates {
    pub target: String,
    pub programs: usize,
    /// Kernel calls the seed programs made (a repeated op is many).
    pub calls: u64,
    pub floor: f64,
    pub differential: f64,
}

impl Report {
    pub fn kernel_over_floor(&self) -> f64 {
        self.rates.kernel_only / self.floor
    }
}

/// `12,345` (rounded to a whole number).
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "missed"
    }
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "swapdiff bench, {} on {} cores (available parallelism), kernel {}: `{}`",
        r.date, r.cores, r.kernel, r.command
    );
    let _ = writeln!(
        s,
        "{} generated programs (seed 0x5eed), {} primitive steps on the kernel engine ({:.1} per program)\n",
        r.programs,
        thousands(r.steps as f64),
        r.steps as f64 / r.programs.max(1) as f64
    );
    s.push_str("| what | rate | target |\n| --- | --- | --- |\n");
    let row = |s: &mut String, what: &str, rate: String, target: String| {
        let _ = writeln!(s, "| {what} | {rate} | {target} |");
    };
    let ps = |v: f64| format!("{} programs/s", thousands(v));
    row(
        &mut s,
        &format!("(a) C floor: the executed steps as plain `sd_*` calls ({})", r.floor_build),
        ps(r.floor),
        String::new(),
    );
    row(&mut s, "(b) kernel engine only", ps(r.rates.kernel_only), String::new());
    row(&mut s, "(c) Rust model only", ps(r.rates.model_only), String::new());
    row(
        &mut s,
        "(d) differential, two-way: model against kernel, compared after every step",
        ps(r.rates.differential),
        String::new(),
    );
    row(
        &mut s,
        "(e) kernel engine judged by the spec alone (`spec_alone`)",
        ps(r.rates.kernel_and_spec),
        String::new(),
    );
    row(
        &mut s,
        "(f) two-way with the spec judging (every differential run's default)",
        ps(r.rates.differential_and_spec),
        String::new(),
    );
    if let Some(t) = r.rates.three_way {
        let how = "in one process of a two-build variant";
        row(&mut s, &format!("(d'') two-way, {how}"), ps(t.two_way), String::new());
        row(
            &mut s,
            &format!("(g) three-way: stock C against patched C, the spec judging (check-patch), {how}"),
            ps(t.three_way),
            String::new(),
        );
    }
    let (ba, db) = (r.kernel_over_floor(), r.rates.ratio());
    row(
        &mut s,
        "b/a kernel engine / C floor",
        format!("{ba:.3}"),
        format!("≥ {KERNEL_OVER_FLOOR} ({})", verdict(ba >= KERNEL_OVER_FLOOR)),
    );
    row(
        &mut s,
        "d/b differential / kernel engine",
        format!("{db:.2}"),
        format!("≥ {DIFFERENTIAL_OVER_KERNEL} ({})", verdict(db >= DIFFERENTIAL_OVER_KERNEL)),
    );
    let d = r.rates.differential;
    row(
        &mut s,
        "f/d the spec's cost on the two-way run",
        format!("{:.2}", r.rates.differential_and_spec / d),
        String::new(),
    );
    if let Some(t) = r.rates.three_way {
        row(&mut s, "g/d'' three-way / two-way", format!("{:.2}", t.three_way / t.two_way), String::new());
    }
    for f in &r.fuzz {
        let (build, want) = if f.asan { ("ASan", EXECS_ASAN) } else { ("no ASan", EXECS_NO_ASAN) };
        let rate = f.exec_per_sec();
        let res = &f.result;
        let rss = match res.peak_rss_mb() {
            Some(mb) => format!(", peak RSS {mb} MB"),
            None => ", peak RSS not sampled".into(),
        };
        let stopped =
            if res.has_findings() { format!(", stopped on: {}", res.findings.join("; ")) } else { String::new() };
        row(
            &mut s,
            &format!("libFuzzer `{}`, {build}, {} s from its seeds", f.target, r.fuzz_seconds),
            format!(
                "{} exec/s ({} in {:.0} s{rss}{stopped})",
                thousands(rate),
                thousands(res.execs as f64),
                res.seconds
            ),
            format!("≥ {} ({})", thousands(want), verdict(rate >= want)),
        );
    }
    if let Some(seeds) = &r.seeds {
        let what = format!(
            "`{}`'s {} seed programs ({:.0} kernel calls per program)",
            seeds.target,
            seeds.programs,
            seeds.calls as f64 / seeds.programs.max(1) as f64
        );
        row(&mut s, &format!("(a') C floor on {what}"), ps(seeds.floor), String::new());
        row(&mut s, &format!("(d') differential on {what}"), ps(seeds.differential), String::new());
        if let Some(f) = r.fuzz.iter().find(|f| !f.asan && f.target == seeds.target) {
            row(
                &mut s,
                &format!("libFuzzer `{}` no ASan / its seeds' C floor (a')", seeds.target),
                format!("{:.2}", f.exec_per_sec() / seeds.floor),
                "(50,000 exec/s is above 1 when the floor is below it)".into(),
            );
        }
    }
    if let Some(c) = &r.callers {
        let what = format!("{} caller-level programs ({:.1} ops each)", c.programs, c.ops);
        row(&mut s, &format!("(h) 6.12's C alone, the caller-level spec judging, {what}"), ps(c.v612), String::new());
        row(&mut s, &format!("(i) {}'s C alone, likewise", c.series), ps(c.v7x), String::new());
        row(
            &mut s,
            &format!("(j) cross-series: 6.12 and {} compared after every op, the spec judging each", c.series),
            ps(c.cross),
            String::new(),
        );
        row(&mut s, "j/h cross-series / 6.12 alone", format!("{:.2}", c.cross / c.v612), String::new());
        row(
            &mut s,
            &format!("j/i cross-series / {} alone", c.series),
            format!("{:.2}", c.cross / c.v7x),
            String::new(),
        );
    }
    if let Some(i) = &r.interleave {
        let what = format!("{} hunt programs run sequentially", i.programs);
        row(&mut s, &format!("(k) {what}, plain"), ps(i.plain), String::new());
        row(
            &mut s,
            &format!("(l) the same as one CPU under the scheduler ({:.0} yield points each, each a switch)", i.stops),
            ps(i.scheduled),
            String::new(),
        );
        row(&mut s, "l/k scheduler / plain", format!("{:.2}", i.scheduled / i.plain), String::new());
        row(
            &mut s,
            "(m) exhaustive walk (2 CPUs, <= 2 preemptions, each run checked against the spec)",
            format!("{} schedules/s", thousands(i.schedules)),
            String::new(),
        );
        row(
            &mut s,
            "(n) the same on 7.x (each run checked against the build's sequential orders)",
            format!("{} schedules/s", thousands(i.schedules72)),
            String::new(),
        );
    }
    if !r.fuzz.is_empty() {
        let peak = r.fuzz.iter().filter_map(|f| f.result.peak_rss_mb()).max();
        let all = r.fuzz.iter().all(|f| f.result.peak_rss_mb().is_some());
        let (shown, met) = match peak {
            Some(mb) if all => (format!("{mb} MB"), mb < RSS_LIMIT_MB),
            _ => ("not sampled for every run".into(), false),
        };
        row(
            &mut s,
            &format!("largest peak RSS of a fuzzer process ({} s runs; `make bench-memory` for 600 s)", r.fuzz_seconds),
            shown,
            format!("< {RSS_LIMIT_MB} MB ({})", verdict(met)),
        );
    }
    s
}
