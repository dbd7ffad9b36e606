//! Runs the extraction the way cshim/build.rs does and reports what it produced and how long it
//! took: `cargo run -p swapdiff-extract --release --example extract -- [CACHE_DIR]`.
//! SWAPDIFF_KERNEL_SRC and SWAPDIFF_PATCHES apply. `--list` prints every emitted function;
//! `--manifest=PATH` replaces cshim/manifest/kernel.toml.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list = args.iter().any(|a| a == "--list");
    let cache = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or_else(|| std::env::temp_dir().join("swapdiff-extract-cache"), PathBuf::from);
    let manifest = args
        .iter()
        .find_map(|a| a.strip_prefix("--manifest=").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../manifest/kernel.toml"));
    let req = swapdiff_extract::request_from_env(manifest, cache.clone());
    let tar_before = swapdiff_extract::tar_runs_on_this_thread();
    let t = Instant::now();
    let ex = match swapdiff_extract::prepare(&req) {
        Ok(ex) => ex,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let took = t.elapsed();
    let tar_runs = swapdiff_extract::tar_runs_on_this_thread() - tar_before;
    println!("Linux {} (series {}), variant {} in {}", ex.version, ex.series, ex.variant_key, cache.display());
    println!("prepare: {:.3} s, tar runs: {tar_runs}", took.as_secs_f64());
    for f in &ex.files {
        let text = std::fs::read(&f.output).unwrap_or_default();
        println!(
            "{}: {} functions, {} lines -> {}",
            f.kernel_path,
            f.functions.len(),
            swapdiff_extract::emit::count_lines(&text),
            f.output.display()
        );
        if list {
            for name in &f.functions {
                println!("    {name}");
            }
        }
    }
    for c in &ex.changed_functions {
        println!("changed: {c}");
    }
    for n in &ex.notes {
        println!("note: {n}");
    }
    ExitCode::SUCCESS
}
