//! Turning a diverging input into a finding directory a kernel developer can
//! file: `DIR/<signature>/` with README.md, program.txt, input.bin, repro.c
//! and every input seen with that signature, plus a regression entry
//! (`regression.txt` in the finding; copied to `corpus/regressions/`, which
//! `cargo test` replays, only when asked).
//!
//! Writes are atomic (a finding is assembled in a temporary directory and
//! renamed into place) and nothing existing is overwritten: a second input
//! with a known signature is added to that finding ("seen N times").

use crate::engine::{kernel_version, patches_applied};
use crate::input::{target_name, Input};
use crate::minimize::minimize_until;
use crate::oracle::{Names, Oracle};
use crate::program::{encode, Program};
use crate::runner::{Divergence, Options, Phase, Run};
use crate::state_diff::StateDiff;
use crate::{render, repro, trace};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub enum Filed {
    /// A new finding directory, with the minimized program's length and the verdict
    /// (`verdict.txt`: regression, fix, change or latent).
    New { dir: PathBuf, signature: String, ops_before: usize, ops_after: usize, verdict: Option<&'static str> },
    /// The signature was filed already; the input was added to it.
    Seen { dir: PathBuf, signature: String, times: usize },
}

/// A signature as a directory name: `op/class/func` → `op--class--func`.
pub fn dir_name(signature: &str) -> String {
    signature
        .split('/')
        .map(|part| {
            part.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("--")
}

fn hash(bytes: &[u8]) -> String {
    // FNV-1a: a stable name for an input file, not a security property.
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    format!("{h:016x}")
}

fn io(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}

/// Writes `data` to `path` only if it does not exist yet (never overwrites).
/// `<pid>-<n>`, different for every call in every process: the supervisor files from
/// several threads, and two of them can file one signature (or one input) at the same
/// moment; a temporary name shared between them let one delete the other's half-written
/// directory (CI run of stop 18).
pub(crate) fn unique_suffix() -> String {
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{n}", std::process::id())
}

fn write_new(path: &Path, data: &[u8]) -> Result<bool, String> {
    if path.exists() {
        return Ok(false);
    }
    let tmp = path.with_extension(format!("tmp-{}", unique_suffix()));
    std::fs::write(&tmp, data).map_err(|e| io(&tmp, e))?;
    // hard_link fails if the target appeared meanwhile: no overwrite, ever.
    let linked = std::fs::hard_link(&tmp, path).is_ok();
    let _ = std::fs::remove_file(&tmp);
    Ok(linked)
}

/// The bytes a fuzzer would replay for this input.
fn input_bytes(input: &Input) -> Vec<u8> {
    input.bytes.clone().unwrap_or_else(|| encode(&input.program, input.family).unwrap_or_default())
}

pub struct FileOptions {
    pub minimize: bool,
    /// Minimization stops here with the smallest program so far.
    pub deadline: Option<std::time::Instant>,
    /// The comparison level the divergence was found at.
    pub level: crate::compare::Level,
    /// Where regression entries are added besides the finding's own
    /// `regression.txt` (`corpus/regressions`, on request); `None`: nowhere else.
    pub regressions: Option<PathBuf>,
}

/// Files `input` under `out` if it diverges. `Ok(None)`: it does not.
pub fn file<O: Oracle + ?Sized>(
    oracle: &mut O,
    input: &Input,
    out: &Path,
    opts: &FileOptions,
) -> Result<Option<Filed>, String> {
    let level = Options { level: opts.level, ..Options::default() };
    let first = oracle.run(&input.program, level);
    let Some(d) = &first.divergence else { return Ok(None) };
    let signature = d.signature();
    let name = dir_name(&signature);
    let dir = out.join(&name);
    let bytes = input_bytes(input);
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;

    if dir.exists() {
        return seen(&dir, &bytes, signature).map(Some);
    }

    let (program, before, after) = if opts.minimize {
        match minimize_until(oracle, &input.program, opts.level, opts.deadline) {
            Some(m) => (m.program, m.before, m.after),
            None => (input.program.clone(), first.steps.len(), input.program.ops.len()),
        }
    } else {
        (input.program.clone(), first.steps.len(), input.program.ops.len())
    };
    let run = oracle.run(&program, Options { record: true, ..level });

    // Judged on the minimal program (a raw-mode input's misuse before the difference, which
    // leaves the spec unable to follow, is mostly gone from it), then, when the spec had no
    // say there, on the program as found: a difference the spec does not read may break a
    // promise later in it, past what the minimal program keeps.
    let mut judged = match &run.divergence {
        Some(dm) => oracle.verdict(&program, &run, dm, opts.level),
        None => oracle.verdict(&input.program, &first, d, opts.level),
    };
    if judged.verdict == crate::verdict::Verdict::Change && judged.reference.is_none() && judged.under_test.is_none() {
        let found = oracle.verdict(&input.program, &first, d, opts.level);
        if found.verdict != crate::verdict::Verdict::Change {
            judged = found;
        }
    }
    let names = oracle.names();
    let explained = judged.explain(run.divergence.as_ref().unwrap_or(d), (&names.reference, &names.under_test));

    let entry = regression(&program, &signature);
    let state = run.divergence.as_ref().map(|dm| state_text(oracle, &run, dm, opts.level, &names)).unwrap_or_default();
    let about = about_text(&signature, judged.verdict.name(), &explained, opts.level, (before, after), input);
    let files = [
        ("program.txt", program_text(&program, &signature).into_bytes()),
        ("input.bin", bytes.clone()),
        ("repro.c", repro_source(&run, &signature, &names).into_bytes()),
        (
            "README.md",
            readme(&run, &program, input, &signature, (before, after), (&explained, &state), &names).into_bytes(),
        ),
        ("state.txt", state.into_bytes()),
        ("about.txt", about.into_bytes()),
        ("regression.txt", entry.clone().into_bytes()),
        ("verdict.txt", format!("{}\n{explained}\n", judged.verdict.name()).into_bytes()),
    ];
    let filed = publish(out, &signature, &bytes, &files)?;
    if let (Some(reg), Filed::New { .. }) = (&opts.regressions, &filed) {
        add_regression(reg, &name, &entry)?;
    }
    Ok(Some(match filed {
        Filed::New { dir, signature, .. } => {
            Filed::New { dir, signature, ops_before: before, ops_after: after, verdict: Some(judged.verdict.name()) }
        }
        seen => seen,
    }))
}

/// Adds a regression entry to `dir` (`corpus/regressions`) as `<name>.txt`,
/// never overwriting one.
pub fn add_regression(dir: &Path, name: &str, entry: &str) -> Result<bool, String> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    write_new(&dir.join(format!("{name}.txt")), entry.as_bytes())
}

/// Files a finding directory `out/<signature>/` with `files` and the input
/// `bytes` under `inputs/`, assembled in a temporary directory and renamed
/// into place, so a reader (or an interrupt) never sees half of one. When
/// the signature is filed already, the input joins it ("seen N times").
pub fn publish(out: &Path, signature: &str, bytes: &[u8], files: &[(&str, Vec<u8>)]) -> Result<Filed, String> {
    let name = dir_name(signature);
    let dir = out.join(&name);
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    if dir.exists() {
        return seen(&dir, bytes, signature.to_string());
    }
    let tmp = out.join(format!(".tmp-{name}-{}", unique_suffix()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("inputs")).map_err(|e| io(&tmp, e))?;
    for (file, data) in files {
        std::fs::write(tmp.join(file), data).map_err(|e| io(&tmp.join(file), e))?;
    }
    std::fs::write(tmp.join(format!("inputs/{}.bin", hash(bytes))), bytes).map_err(|e| io(&tmp, e))?;
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another process filed the same signature first.
        let _ = std::fs::remove_dir_all(&tmp);
        return seen(&dir, bytes, signature.to_string());
    }
    Ok(Filed::New { dir, signature: signature.to_string(), ops_before: 0, ops_after: 0, verdict: None })
}

fn seen(dir: &Path, bytes: &[u8], signature: String) -> Result<Filed, String> {
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).map_err(|e| io(&inputs, e))?;
    write_new(&inputs.join(format!("{}.bin", hash(bytes))), bytes)?;
    let times = std::fs::read_dir(&inputs).map_err(|e| io(&inputs, e))?.count();
    Ok(Filed::Seen { dir: dir.to_path_buf(), signature, times })
}

fn variant() -> String {
    let patches = patches_applied();
    if patches.is_empty() {
        format!("{} (stock)", kernel_version())
    } else {
        format!("{} + {} (patch set {})", kernel_version(), patches.join(" + "), crate::identity::build_key())
    }
}

fn program_text(p: &Program, signature: &str) -> String {
    format!("# swapdiff finding: {signature}\n# kernel: {}\n{p}", variant())
}

/// A regression entry: the program, and what `cargo test` must see when it
/// replays it on the kernel it was found on (`expect`) and on stock 6.12.
fn regression(p: &Program, signature: &str) -> String {
    let patches = patches_applied().join(" ");
    let stock = if patches.is_empty() { signature.to_string() } else { "agree".to_string() };
    format!(
        "# swapdiff regression, found on {}\n# patches: {patches}\n# patch-set: {}\n# expect: {signature}\n# stock: {stock}\n{p}",
        variant(),
        crate::identity::build_key()
    )
}

/// The state diff of the divergence `d` of `run` (its plain sentence, a blank line, the
/// table): each side replays the executed steps alone up to the op that diverged (for an
/// end-of-program difference, the last one).
fn state_text<O: Oracle + ?Sized>(
    oracle: &mut O,
    run: &Run,
    d: &Divergence,
    level: crate::compare::Level,
    names: &Names,
) -> String {
    let ops: Vec<_> = run.steps.iter().map(|s| s.op.clone()).collect();
    let Some(last) = ops.len().checked_sub(1) else { return String::new() };
    let at = if d.phase == Phase::Step { d.step.min(last) } else { last };
    let sides = oracle.states(&ops, at);
    let diff = StateDiff::new(ops.get(at), sides, level);
    let sentence = diff.sentence().unwrap_or_else(|| plain_mismatch(d, names));
    let mut out = format!("{}.\n\n", capitalized(sentence.trim_end_matches('.')));
    if d.phase != Phase::Step {
        let _ = writeln!(
            out,
            "(the difference is in the {} state; shown around the last op)",
            if d.phase == Phase::End { "end" } else { "teardown" }
        );
    }
    out.push_str(&diff.table());
    out
}

/// A sentence starts with a capital, even when it starts with a side's name ("kernel").
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// What differed, when the state shows nothing (a return value, an event): in words.
fn plain_mismatch(d: &Divergence, names: &Names) -> String {
    let (e, a) = render::sides(d, names);
    let at = d.op.as_ref().map_or("the end state".to_string(), |o| format!("`{}`", crate::program::text::print_op(o)));
    match d.mismatch.class {
        "ret" => format!("at {at}, {a} returns {} where {e} returns {}", d.mismatch.actual, d.mismatch.expected),
        "events" | "hang" => {
            format!("at {at}, {a} reports {} where {e} reports {}", d.mismatch.actual, d.mismatch.expected)
        }
        _ => format!(
            "at {at}, {a} and {e} disagree on {}: {} against {}",
            d.mismatch.detail, d.mismatch.actual, d.mismatch.expected
        ),
    }
}

/// The finding's facts as `key: value` lines, for tools (`report --mail`) to read back.
fn about_text(
    signature: &str,
    verdict: &str,
    explained: &str,
    level: crate::compare::Level,
    (before, after): (usize, usize),
    input: &Input,
) -> String {
    let patches = patches_applied();
    let mut s = String::new();
    let _ = writeln!(s, "signature: {signature}");
    let _ = writeln!(s, "verdict: {verdict}");
    let _ = writeln!(s, "verdict-line: {}", explained.replace('\n', " "));
    let _ = writeln!(s, "kernel: {}", kernel_version());
    let _ = writeln!(s, "source-hash: {}", cshim::source_hash());
    let _ = writeln!(s, "patches: {}", patches.join(", "));
    let _ = writeln!(s, "patch-set: {}", crate::identity::build_key());
    let _ = writeln!(s, "build: {}", variant());
    let _ = writeln!(s, "level: {}", level.name());
    let _ = writeln!(s, "target: {}", target_name(input.family));
    let _ = writeln!(s, "steps-executed: {before}");
    let _ = writeln!(s, "ops: {after}");
    s
}

fn repro_source(run: &Run, signature: &str, names: &Names) -> String {
    let d = run.divergence.as_ref();
    let mut header = format!(
        "swapdiff reproducer for {signature}\nkernel: {}\nsource hash: {}\n\n",
        variant(),
        cshim::source_hash()
    );
    if let Some(d) = d {
        let (e, a) = render::sides(d, names);
        let _ = writeln!(header, "{}:", d.mismatch.detail);
        let _ = writeln!(header, "  {e}: {}", d.mismatch.expected);
        let _ = writeln!(header, "  {a}: {}", d.mismatch.actual);
    }
    let _ = write!(header, "\n{}", crate::export::repro_build_lines());
    let upto = d.map_or(run.steps.len(), |d| (d.step + 1).min(run.steps.len()));
    let ops: Vec<_> = run.steps[..upto].iter().map(|s| s.op.clone()).collect();
    repro::c_source(&ops, &header)
}

fn readme(
    run: &Run,
    p: &Program,
    input: &Input,
    signature: &str,
    (before, after): (usize, usize),
    (explained, state): (&str, &str),
    names: &Names,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# swapdiff: {signature}\n");
    let _ = writeln!(s, "**Verdict:** {explained}\n");
    if let Some(d) = &run.divergence {
        let (e, a) = render::sides(d, names);
        let at = d.op.as_ref().map_or("end state", |o| o.kind());
        let _ = writeln!(s, "At `{at}`, {e} and {a} disagree on {}.\n", d.mismatch.detail);
        let _ = writeln!(s, "| | value |\n| --- | --- |");
        let _ = writeln!(s, "| {e} | `{}` |", d.mismatch.expected);
        let _ = writeln!(s, "| {a} | `{}` |\n", d.mismatch.actual);
    }
    if !state.is_empty() {
        let (sentence, table) = state.split_once("\n\n").unwrap_or((state, ""));
        let _ = writeln!(s, "## What went wrong\n\n{sentence}\n");
        if !table.is_empty() {
            let _ = writeln!(
                s,
                "The state around the op, on each side (`*`: the sides differ there):\n\n```text\n{table}```\n"
            );
        }
    }
    let _ = writeln!(s, "## Kernel\n");
    let _ = writeln!(s, "- version: {}", kernel_version());
    let _ = writeln!(s, "- source hash: {}", cshim::source_hash());
    let patches = patches_applied();
    let _ = writeln!(s, "- patches: {}", if patches.is_empty() { "none".to_string() } else { patches.join(", ") });
    let _ = writeln!(s, "- patch set: `{}` (a hash of the patches' bytes, in order)", crate::identity::build_key());
    let _ = writeln!(s, "- C build flags: `{}`\n", cshim::build_flags());
    let _ = writeln!(s, "## Minimal program\n");
    let _ = writeln!(
        s,
        "Found by the `{}` target; {before} steps executed, minimized to {after} ops.\n",
        target_name(input.family)
    );
    let _ = writeln!(s, "```text\n{p}```\n");
    let _ = writeln!(
        s,
        "## Trace\n\n`expected` is {}, `actual` {}.\n\n```text\n{}```\n",
        names.reference,
        names.under_test,
        trace::text_labelled(run, ("expected", "actual"))
    );
    if let Some(d) = &run.divergence {
        let _ = writeln!(s, "## Divergence\n\n```text\n{}```\n", render::divergence_named(run, d, names));
    }
    s.push_str(&crate::export::reproduce_section());
    s
}
