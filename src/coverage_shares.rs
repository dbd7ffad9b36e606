//! Whose code a libFuzzer target's coverage counters measure: the kernel C
//! (the extracted functions and the shim), the Rust model, or the harness
//! (this crate, the contract, cshim's Rust side, std and other crates).
//!
//! Every inline 8-bit counter has one entry in the binary's PC table
//! (`__sancov_pcs`), in counter order; llvm-symbolizer names the source file
//! of each entry's outermost (not inlined) frame, which is the function the
//! counter was compiled into. The counters the stock seeds reach come from a
//! libFuzzer merge control file (its `COV` lines list PC-table indices). The
//! compare callbacks (`__sanitizer_cov_trace_*cmp*` call sites, from the
//! disassembly) are attributed the same way: they are what
//! `-sanitizer-coverage-trace-compares` costs each side.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

/// Who wrote the code a counter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// Kernel functions extracted from the source tree (their `#line` names:
    /// mm/swapfile.c, arch/arm64/mm/mteswap.c, ...).
    Extract,
    /// cshim's C (cshim/src/c, cshim/include): the kernel's environment.
    Shim,
    /// rust-impl.
    Model,
    /// This crate: runner, comparison, decoding, rendering.
    Root,
    /// cshim's Rust side, the contract, the fuzz target itself.
    Glue,
    /// Rust's standard library, monomorphised into our crates.
    Std,
    /// Other crates (libfuzzer-sys, arbitrary), and what has no source line.
    Deps,
}

/// The three sides the issue asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    KernelC,
    Model,
    Harness,
}

impl Part {
    pub const ALL: [Part; 7] = [Part::Extract, Part::Shim, Part::Model, Part::Root, Part::Glue, Part::Std, Part::Deps];

    pub fn side(self) -> Side {
        match self {
            Part::Extract | Part::Shim => Side::KernelC,
            Part::Model => Side::Model,
            Part::Root | Part::Glue | Part::Std | Part::Deps => Side::Harness,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Part::Extract => "extracted kernel functions",
            Part::Shim => "shim C (cshim/src/c, cshim/include)",
            Part::Model => "rust-impl",
            Part::Root => "root crate (src/)",
            Part::Glue => "cshim Rust, contract, fuzz target",
            Part::Std => "std (monomorphised)",
            Part::Deps => "other crates, unknown",
        }
    }
}

impl Side {
    pub const ALL: [Side; 3] = [Side::KernelC, Side::Model, Side::Harness];

    pub fn name(self) -> &'static str {
        match self {
            Side::KernelC => "kernel C",
            Side::Model => "model",
            Side::Harness => "harness",
        }
    }
}

/// The part a source file (as llvm-symbolizer prints it) belongs to. The
/// only C in a fuzz binary is cshim's (libFuzzer's runtime is not
/// instrumented), so a C file is the extract unless it is the shim's.
pub fn part_of(file: &str) -> Part {
    let file = file.replace('\\', "/");
    let is_c = file.ends_with(".c") || file.ends_with(".h");
    if is_c {
        return if file.contains("cshim/src/c/") || file.contains("cshim/include/") {
            Part::Shim
        } else {
            Part::Extract
        };
    }
    if file.contains("/rustc/") || file.contains("/library/core/") || file.contains("/library/std/") {
        return Part::Std;
    }
    if file.contains("/.cargo/registry/") || file.contains("/.cargo/git/") || file == "??" || file.is_empty() {
        return Part::Deps;
    }
    if file.contains("rust-impl/") {
        return Part::Model;
    }
    if file.contains("cshim/") || file.contains("contract/") || file.contains("fuzz_targets/") {
        return Part::Glue;
    }
    if file.contains("src/") {
        return Part::Root;
    }
    Part::Deps
}

/// Counters (and compare call sites) per part, all of them and those reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Indexed like [`Part::ALL`].
    pub counters: [usize; 7],
    pub reached: [usize; 7],
    pub compares: [usize; 7],
}

fn index(p: Part) -> usize {
    Part::ALL.iter().position(|&q| q == p).unwrap_or(Part::ALL.len() - 1)
}

impl Tally {
    /// `files[i]` is the source file of PC-table entry `i`; `reached` holds
    /// the indices the seeds covered; `compare_files` one file per compare
    /// call site.
    pub fn new(files: &[String], reached: &BTreeSet<usize>, compare_files: &[String]) -> Tally {
        let mut t = Tally::default();
        for (i, f) in files.iter().enumerate() {
            let k = index(part_of(f));
            t.counters[k] += 1;
            if reached.contains(&i) {
                t.reached[k] += 1;
            }
        }
        for f in compare_files {
            t.compares[index(part_of(f))] += 1;
        }
        t
    }

    fn side_sum(column: &[usize; 7], side: Side) -> usize {
        Part::ALL.iter().zip(column).filter(|(p, _)| p.side() == side).map(|(_, n)| n).sum()
    }

    /// (counters, reached, compare sites) of one side.
    pub fn side(&self, side: Side) -> (usize, usize, usize) {
        (
            Self::side_sum(&self.counters, side),
            Self::side_sum(&self.reached, side),
            Self::side_sum(&self.compares, side),
        )
    }

    /// The table `make coverage-shares` prints: per side, then per part.
    pub fn render(&self) -> String {
        let total = |c: &[usize; 7]| c.iter().sum::<usize>();
        let (tc, tr, tx) = (total(&self.counters), total(&self.reached), total(&self.compares));
        let pct = |n: usize, of: usize| if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 };
        let row = |name: &str, c: usize, r: usize, x: usize| {
            format!(
                "  {name:<38} {c:>6} {:>5.1}%   {r:>6} {:>5.1}%   {x:>6} {:>5.1}%\n",
                pct(c, tc),
                pct(r, tr),
                pct(x, tx)
            )
        };
        let mut out = format!("  {:<38} {:>13}   {:>13}   {:>13}\n", "", "counters", "reached", "compare sites");
        for side in Side::ALL {
            let (c, r, x) = self.side(side);
            out.push_str(&row(side.name(), c, r, x));
            for (k, p) in Part::ALL.iter().enumerate() {
                if p.side() == side && (self.counters[k] > 0 || self.compares[k] > 0) {
                    out.push_str(&row(&format!("  {}", p.name()), self.counters[k], self.reached[k], self.compares[k]));
                }
            }
        }
        out.push_str(&row("total", tc, tr, tx));
        out
    }
}

/// The PCs of a binary's `__sancov_pcs` table, in counter order. Each entry
/// is (PC, flags), 8 bytes each; in a position-independent binary the PC
/// words are zero in the file and the value is a relative relocation's
/// addend, else the word itself.
pub fn pc_table(elf: &[u8]) -> Result<Vec<u64>, String> {
    let sections = sections(elf)?;
    let pcs = sections
        .iter()
        .find(|s| s.name == "__sancov_pcs")
        .ok_or("no __sancov_pcs section: not a libFuzzer-instrumented binary")?;
    let mut relocated = std::collections::HashMap::new();
    for s in sections.iter().filter(|s| s.kind == SHT_RELA) {
        for e in bytes(elf, s.offset, s.size)?.chunks_exact(24) {
            let (at, info, addend) = (u64_at(e, 0)?, u64_at(e, 8)?, u64_at(e, 16)?);
            if info & 0xffff_ffff == R_X86_64_RELATIVE {
                relocated.insert(at, addend);
            }
        }
    }
    let table = bytes(elf, pcs.offset, pcs.size)?;
    let mut out = Vec::with_capacity(table.len() / 16);
    for (i, e) in table.chunks_exact(16).enumerate() {
        let at = pcs.addr + 16 * i as u64;
        out.push(relocated.get(&at).copied().unwrap_or(u64_at(e, 0)?));
    }
    Ok(out)
}

const SHT_RELA: u32 = 4;
const R_X86_64_RELATIVE: u64 = 8;

struct Section {
    name: String,
    kind: u32,
    addr: u64,
    offset: u64,
    size: u64,
}

fn bytes(elf: &[u8], offset: u64, size: u64) -> Result<&[u8], String> {
    let (start, len) = (usize::try_from(offset).ok(), usize::try_from(size).ok());
    start
        .zip(len)
        .and_then(|(s, l)| elf.get(s..s.checked_add(l)?))
        .ok_or_else(|| format!("ELF: {size} bytes at {offset} lie outside the file"))
}

fn u64_at(b: &[u8], at: usize) -> Result<u64, String> {
    b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().unwrap_or_default())).ok_or("ELF: truncated".into())
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes(s.try_into().unwrap_or_default())).ok_or("ELF: truncated".into())
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes(s.try_into().unwrap_or_default())).ok_or("ELF: truncated".into())
}

/// The section headers of a little-endian ELF64 file.
fn sections(elf: &[u8]) -> Result<Vec<Section>, String> {
    if elf.get(..6) != Some(&[0x7f, b'E', b'L', b'F', 2, 1][..]) {
        return Err("not a little-endian 64-bit ELF file".into());
    }
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(elf, 0x28)?, u16_at(elf, 0x3a)? as u64, u16_at(elf, 0x3c)? as u64, u16_at(elf, 0x3e)? as u64);
    let header = |i: u64| bytes(elf, shoff + i * shentsize, shentsize);
    let strtab = header(shstrndx)?;
    let names = bytes(elf, u64_at(strtab, 0x18)?, u64_at(strtab, 0x20)?)?;
    (0..shnum)
        .map(|i| {
            let h = header(i)?;
            let at = u32_at(h, 0)? as usize;
            let name = names.get(at..).unwrap_or_default();
            let name = String::from_utf8_lossy(&name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())]);
            Ok(Section {
                name: name.into_owned(),
                kind: u32_at(h, 4)?,
                addr: u64_at(h, 0x10)?,
                offset: u64_at(h, 0x18)?,
                size: u64_at(h, 0x20)?,
            })
        })
        .collect()
}

/// The PC-table indices a libFuzzer merge control file's `COV` lines list
/// (`COV <file index> <pc index>...`).
pub fn reached(control_file: &str) -> BTreeSet<usize> {
    control_file
        .lines()
        .filter_map(|l| l.strip_prefix("COV "))
        .flat_map(|l| l.split_whitespace().skip(1).filter_map(|w| w.parse().ok()))
        .collect()
}

/// The file of each address's outermost frame, from llvm-symbolizer's LLVM
/// output style (per address: function and `file:line:col` line pairs,
/// innermost inlined frame first, then a blank line).
pub fn outermost_files(symbolizer_output: &str) -> Vec<String> {
    symbolizer_output
        .split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let location = block.trim().lines().last().unwrap_or("??");
            strip_line_col(location).to_string()
        })
        .collect()
}

fn strip_line_col(location: &str) -> &str {
    let mut s = location;
    for _ in 0..2 {
        if let Some((head, tail)) = s.rsplit_once(':') {
            if tail.chars().all(|c| c.is_ascii_digit()) {
                s = head;
            }
        }
    }
    s
}

/// Addresses of the calls to `__sanitizer_cov_trace_*cmp*` (compare
/// callbacks, not the switch one) in `objdump -d` output.
pub fn compare_call_sites(disassembly: &str) -> Vec<u64> {
    disassembly
        .lines()
        .filter(|l| l.contains("call") && l.contains("<__sanitizer_cov_trace_") && l.contains("cmp"))
        .filter_map(|l| u64::from_str_radix(l.trim_start().split(':').next()?.trim(), 16).ok())
        .collect()
}

/// Runs `tool` with `args`, `stdin` fed to it; its stdout, or why it failed.
fn run(tool: &str, args: &[&str], stdin: Option<String>) -> Result<String, String> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {tool}: {e}"))?;
    let feeder = stdin.and_then(|text| {
        let mut pipe = child.stdin.take()?;
        Some(std::thread::spawn(move || std::io::Write::write_all(&mut pipe, text.as_bytes())))
    });
    let out = child.wait_with_output().map_err(|e| format!("{tool}: {e}"))?;
    if let Some(f) = feeder {
        let _ = f.join();
    }
    if !out.status.success() {
        return Err(format!("{tool} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The symbolizer: $LLVM_SYMBOLIZER, else llvm-symbolizer on PATH.
fn symbolizer() -> String {
    std::env::var("LLVM_SYMBOLIZER").unwrap_or_else(|_| "llvm-symbolizer".into())
}

/// The source file of each address in `binary`.
pub fn files_of(binary: &str, addresses: &[u64]) -> Result<Vec<String>, String> {
    let input: String = addresses.iter().map(|a| format!("0x{a:x}\n")).collect();
    let obj = format!("--obj={binary}");
    let out = run(&symbolizer(), &[obj.as_str(), "--output-style=LLVM"], Some(input))?;
    let files = outermost_files(&out);
    if files.len() != addresses.len() {
        return Err(format!("llvm-symbolizer named {} of {} addresses", files.len(), addresses.len()));
    }
    Ok(files)
}

/// Measures `binary` on the inputs in `seeds` (a directory): the PC table,
/// the counters the seeds reach (one libFuzzer merge into a scratch
/// directory under `scratch`), the compare call sites.
pub fn measure(binary: &str, seeds: &str, scratch: &std::path::Path) -> Result<Tally, String> {
    let elf = std::fs::read(binary).map_err(|e| format!("{binary}: {e}"))?;
    let pcs = pc_table(&elf)?;
    let files = files_of(binary, &pcs)?;

    let merged = scratch.join("merged");
    let control = scratch.join("merge-control.txt");
    std::fs::create_dir_all(&merged).map_err(|e| format!("{}: {e}", merged.display()))?;
    let _ = std::fs::remove_file(&control);
    let control_arg = format!("-merge_control_file={}", control.display());
    let merged_arg = merged.display().to_string();
    run(binary, &["-merge=1", control_arg.as_str(), merged_arg.as_str(), seeds], None)?;
    let text = std::fs::read_to_string(&control).map_err(|e| format!("{}: {e}", control.display()))?;
    let reached = reached(&text);
    if let Some(bad) = reached.iter().find(|&&i| i >= pcs.len()) {
        return Err(format!("the merge lists PC index {bad}, past the table's {} entries", pcs.len()));
    }

    let disassembly = run("objdump", &["-d", "--no-show-raw-insn", binary], None)?;
    let sites = compare_call_sites(&disassembly);
    let compare_files = files_of(binary, &sites)?;
    Ok(Tally::new(&files, &reached, &compare_files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_in_the_part_that_wrote_them() {
        // The extract's #line directives name kernel paths under cshim's build tree.
        assert_eq!(part_of("/w/cshim/mm/swapfile.c"), Part::Extract);
        assert_eq!(part_of("/w/cshim/arch/arm64/mm/mteswap.c"), Part::Extract);
        assert_eq!(part_of("/w/cshim/src/c/devices.c"), Part::Shim);
        assert_eq!(part_of("/w/cshim/include/linux/swap.h"), Part::Shim);
        assert_eq!(part_of("/w/rust-impl/src/ops/dup.rs"), Part::Model);
        assert_eq!(part_of("/w/src/compare.rs"), Part::Root);
        assert_eq!(part_of("/w/cshim/src/engine.rs"), Part::Glue);
        assert_eq!(part_of("/w/contract/src/vocab.rs"), Part::Glue);
        assert_eq!(part_of("/rustc/e50aa6/library/core/src/slice/mod.rs"), Part::Std);
        assert_eq!(part_of("/root/.cargo/registry/src/x/libfuzzer-sys-0.4.13/src/lib.rs"), Part::Deps);
        assert_eq!(part_of("??"), Part::Deps);
    }

    #[test]
    fn the_outermost_frame_names_the_function_a_counter_is_in() {
        // Address 1: Vec::push inlined into runner.rs; address 2: no inlining; address 3: unknown.
        let out = "alloc::vec::Vec<T>::push\n/rustc/x/library/alloc/src/vec/mod.rs:10:5\n\
                   swapdiff::runner::differential\n/w/src/runner.rs:200:9\n\n\
                   swap_duplicate\n/w/cshim/mm/swapfile.c:3600:2\n\n??\n??:0:0\n\n";
        assert_eq!(outermost_files(out), ["/w/src/runner.rs", "/w/cshim/mm/swapfile.c", "??"]);
    }

    #[test]
    fn shares_count_every_counter_once_and_reached_ones_from_the_merge() {
        let files: Vec<String> = [
            "/w/cshim/mm/swapfile.c",
            "/w/cshim/mm/swapfile.c",
            "/w/cshim/src/c/devices.c",
            "/w/rust-impl/src/ops/dup.rs",
            "/w/src/compare.rs",
            "/w/src/compare.rs",
            "/w/src/runner.rs",
            "/rustc/x/library/core/src/cmp.rs",
        ]
        .map(String::from)
        .to_vec();
        // Two COV lines: PCs first seen by input 0 (0, 3, 4), then by input 1 (1, 7).
        let reached = reached("STARTED 0 12\nFT 0 1 2\nCOV 0 0 3 4\nSTARTED 1 9\nFT 1 5\nCOV 1 1 7\n");
        assert_eq!(reached, BTreeSet::from([0, 1, 3, 4, 7]));
        let compares = ["/w/src/compare.rs", "/w/src/compare.rs", "/w/cshim/mm/swapfile.c"].map(String::from);
        let t = Tally::new(&files, &reached, &compares);
        // Kernel C: two extract counters (both reached) and one shim one (not); 1 compare site.
        assert_eq!(t.side(Side::KernelC), (3, 2, 1));
        assert_eq!(t.side(Side::Model), (1, 1, 0));
        // Harness: compare.rs x2 (index 4 reached), runner.rs, core (index 7 reached).
        assert_eq!(t.side(Side::Harness), (4, 2, 2));
        let table = t.render();
        // 3 of 8 counters = 37.5%; 2 of 5 reached = 40.0%; 1 of 3 compare sites = 33.3%.
        assert!(table.contains("kernel C") && table.contains("37.5%") && table.contains("40.0%"), "{table}");
        assert!(table.contains("33.3%"), "{table}");
    }

    #[test]
    fn compare_calls_are_found_in_the_disassembly_and_switches_are_not() {
        let d = "  4a10f0:\tcall   4b2000 <__sanitizer_cov_trace_const_cmp8>\n\
                 \x20 4a10f8:\tcall   4b2010 <__sanitizer_cov_trace_switch>\n\
                 \x20 4a1100:\tmov    %rax,%rbx\n\
                 \x20 4a1108:\tcall   4b2020 <__sanitizer_cov_trace_cmp4>\n";
        assert_eq!(compare_call_sites(d), [0x4a10f0, 0x4a1108]);
    }

    #[test]
    fn a_file_that_is_not_elf_is_an_error_not_a_panic() {
        assert!(pc_table(b"not an elf").is_err());
        // A header that points past the file.
        let mut h = vec![0x7f, b'E', b'L', b'F', 2, 1];
        h.resize(64, 0xff);
        assert!(pc_table(&h).is_err());
    }
}
