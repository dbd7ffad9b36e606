//! Every seed in corpus/seeds runs through both engines without divergence.

use std::path::Path;
use swapdiff::engine::{KernelEngine, ModelEngine};
use swapdiff::runner::{differential, Options};

#[test]
fn every_seed_agrees_on_stock_kernel() {
    let seeds = swapdiff::corpus::text_programs(Path::new("corpus/seeds")).expect("seed corpus parses");
    assert!(seeds.len() >= 30, "the seed corpus shrank to {}", seeds.len());
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    let mut failures = vec![];
    for (path, p) in &seeds {
        let run = differential(&mut model, &mut kernel, p, Options { record: true, ..Options::default() });
        if let Some(d) = &run.divergence {
            failures.push(format!("{}:\n{}", path.display(), swapdiff::render::divergence(&run, d)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A regression entry's header: the patches it was found with and what must
/// happen on that kernel (`expect`) and on stock 6.12 (`stock`).
struct Expectation {
    patches: Vec<String>,
    expect: String,
    stock: String,
}

fn expectation(text: &str) -> Expectation {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("# {key}:")))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    Expectation {
        patches: field("patches").split_whitespace().map(String::from).collect(),
        expect: field("expect"),
        stock: field("stock"),
    }
}

#[test]
fn every_regression_replays_with_its_recorded_outcome() {
    let dir = Path::new("corpus/regressions");
    let entries = swapdiff::corpus::text_programs(dir).expect("regressions parse");
    assert!(!entries.is_empty(), "corpus/regressions holds no entry");
    let built_with: Vec<String> = swapdiff::engine::patches_applied().iter().map(|s| s.to_string()).collect();
    let (mut model, mut kernel) = (ModelEngine::new(), KernelEngine::acquire());
    for (path, p) in &entries {
        let e = expectation(&std::fs::read_to_string(path).unwrap());
        let want = if built_with == e.patches {
            e.expect
        } else if built_with.is_empty() {
            e.stock
        } else {
            continue; // built for other patches: this entry says nothing about them
        };
        let run = differential(&mut model, &mut kernel, p, Options::default());
        let got = run.divergence.as_ref().map_or("agree".to_string(), |d| d.signature());
        assert_eq!(got, want, "{}", path.display());
    }
}

#[test]
fn make_seeds_converts_the_default_corpus() {
    // `make fuzz` starts with this command; the known-bug catalog's
    // expected.txt/level.txt files must not be read as programs.
    let out = std::env::temp_dir().join(format!("swapdiff-seeds-{}", std::process::id()));
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_swapdiff")).arg("seeds").arg("--out").arg(&out).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for (target, _) in swapdiff::harness::TARGETS {
        let n = std::fs::read_dir(out.join(target)).unwrap().count();
        assert!(n >= 10, "{target}: only {n} seeds");
    }
    let _ = std::fs::remove_dir_all(&out);
}
