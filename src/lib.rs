//! swapdiff: differential fuzzing of the kernel's swap-count code
//! (mm/swapfile.c) and arm64 MTE tag-on-swap code (arch/arm64/mm/mteswap.c),
//! judged by three oracles: the spec (swapdiff-spec: what callers are
//! promised, independent of any kernel's code), stock C (the unpatched
//! kernel, linked next to a patched build: the baseline of a patch), and
//! the 6.12 reference model (rust-impl: follows 6.12's control flow, so it
//! shares 6.12's bugs; kept for raw-level comparison and explaining encodings).
//!
//! - [`engine`]: the one trait both implementations answer to;
//! - [`program`]: ops, programs, their text and byte forms;
//! - [`runner`]: steering, composites, per-step comparison ([`compare`]) and
//!   the spec's judgement ([`judge`]); [`oracle`]: which engines a run
//!   compares (a pair, or one engine alone against the spec); [`verdict`]:
//!   what a finding means (regression, fix, change, latent);
//! - [`features`]: which interesting states a run reached;
//! - [`harness`]: the fuzz targets' entry;
//! - with the `cli` feature (default): `worker`, `diagnose`, `jobs`,
//!   `abnormal` (supervised child processes, and every way they can end
//!   classified and filed), findings, hunts, triage and the fuzz driver.
//!
//! The fuzz targets build this crate without `cli`: they compile and link the
//! hot path only (the modules above `cli`'s below), none of the CLI's
//! dependencies (clap, serde_json, signal-hook, rustix, the extractor).

#![forbid(unsafe_code)]

// The hot path: what one fuzz input runs through.
pub mod caller;
pub mod compare;
pub mod counts;
pub mod engine;
pub mod exec;
pub mod features;
pub mod harness;
pub mod interleave;
pub mod judge;
pub mod oracle;
pub mod program;
pub mod render;
pub mod runner;
pub mod state_diff;
pub mod verdict;
mod shadow;
mod steer;

// Everything else: the CLI's, behind the `cli` feature.
macro_rules! cli_modules {
    ($($name:ident),* $(,)?) => { $(#[cfg(feature = "cli")] pub mod $name;)* };
}
cli_modules!(
    abnormal, bench, caller_fuzz, campaign, catalog, corpus, coverage_shares, diagnose, drive, export, findings, generate, hunt,
    identity, input, interrupt, jobs, mail, minimize, repro, trace, triage, variant, worker,
);
