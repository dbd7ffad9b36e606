//! Which C compiler and flags the extract is built with, from the
//! environment: the kernel-semantics baseline, fuzzing instrumentation
//! matching what cargo fuzz / cargo afl do to the Rust side, and the opt-in
//! sanitizer and coverage builds.

use std::env;

/// Everything in the environment that decides the flags.
pub struct Inputs {
    /// CC (or a target-specific CC): honoured as the compiler if set.
    pub cc: Option<String>,
    /// CFLAGS: the cc crate passes it on; if it already sanitizes or adds
    /// coverage (OSS-Fuzz), we add none of our own.
    pub cflags: String,
    /// `--cfg fuzzing` (cargo fuzz, also cargo afl).
    pub fuzzing: bool,
    /// CARGO_CFG_SANITIZE (cargo fuzz's -Zsanitizer list).
    pub sanitize_cfg: String,
    /// CARGO_ENCODED_RUSTFLAGS: cargo afl passes trace-pc-guard there.
    pub rustflags: String,
    /// SWAPDIFF_C_SANITIZE: comma list of address, undefined.
    pub c_sanitize: String,
    /// SWAPDIFF_C_COVERAGE=1.
    pub c_coverage: String,
}

impl Inputs {
    pub fn from_env() -> Inputs {
        let var = |name: &str| env::var(name).unwrap_or_default();
        let target = var("TARGET").replace('-', "_");
        let cc = ["CC".to_string(), format!("CC_{target}"), "TARGET_CC".to_string()]
            .iter()
            .find_map(|name| env::var(name).ok().filter(|v| !v.is_empty()));
        println!("cargo:rerun-if-env-changed=CC_{target}");
        println!("cargo:rerun-if-env-changed=TARGET_CC");
        Inputs {
            cc,
            cflags: var("CFLAGS"),
            fuzzing: env::var_os("CARGO_CFG_FUZZING").is_some(),
            sanitize_cfg: var("CARGO_CFG_SANITIZE"),
            rustflags: var("CARGO_ENCODED_RUSTFLAGS"),
            c_sanitize: var("SWAPDIFF_C_SANITIZE"),
            c_coverage: var("SWAPDIFF_C_COVERAGE"),
        }
    }
}

pub struct Flags {
    /// No CC in the environment: use clang (the fuzz builds need it).
    pub use_clang: bool,
    /// Flags we add after the cc crate's -O2 -g -Wall -Wextra.
    pub added: Vec<String>,
    compiler: String,
    env_cflags: String,
}

impl Flags {
    /// One line for SWAPDIFF_BUILD_FLAGS.
    pub fn describe(&self) -> String {
        let mut text = format!("{} -O2 -g -Wall -Wextra {}", self.compiler, self.added.join(" "));
        if !self.env_cflags.is_empty() {
            text.push_str(&format!(" CFLAGS=[{}]", self.env_cflags));
        }
        text
    }
}

/// The kernel builds with these semantics (-fno-strict-overflow is
/// -fwrapv for clang), so the extract must too: signed overflow wraps,
/// aliasing is unrestricted, NULL checks are never optimised away.
pub const KERNEL_SEMANTICS: &[&str] =
    &["-std=gnu11", "-fwrapv", "-fno-strict-aliasing", "-fno-delete-null-pointer-checks"];

/// Kernel code compared against userspace defaults: int/unsigned long
/// comparisons, unused parameters of stubs, static helpers a given extract
/// does not call, and 7.2's abs() of an unsigned count (swap_put_entries_cluster;
/// the kernel's abs() converts to signed as C's does).
const QUIET: &[&str] = &["-Wno-sign-compare", "-Wno-unused-parameter", "-Wno-unused-function", "-Wno-absolute-value"];

pub fn select(inputs: &Inputs) -> Flags {
    let mut added: Vec<String> = KERNEL_SEMANTICS.iter().chain(QUIET).map(|s| s.to_string()).collect();
    let env_instruments = inputs.cflags.contains("-fsanitize") || inputs.cflags.contains("-fprofile");

    if !env_instruments {
        added.extend(fuzz_flags(inputs));
    }
    added.extend(sanitize_flags(&inputs.c_sanitize));
    match inputs.c_coverage.as_str() {
        "" | "0" => {}
        "1" => added.extend(["-fprofile-instr-generate", "-fcoverage-mapping"].map(String::from)),
        other => panic!("\n\nswapdiff: SWAPDIFF_C_COVERAGE must be 1 or 0, not {other:?}\n\n"),
    }
    Flags {
        use_clang: inputs.cc.is_none(),
        compiler: inputs.cc.clone().unwrap_or_else(|| "clang".to_string()),
        added,
        env_cflags: inputs.cflags.clone(),
    }
}

/// Without C coverage the fuzzer is blind to kernel branches. cargo afl
/// also sets --cfg fuzzing, so it is recognised first; libFuzzer's
/// fuzzer-no-link does not link there. fuzzer-no-link includes trace-cmp:
/// the kernel C keeps its compare callbacks when the Rust side is built
/// with `cargo fuzz build --no-trace-compares` (src/drive/build.rs), so the
/// compares libFuzzer learns from are the kernel's.
fn fuzz_flags(inputs: &Inputs) -> Vec<String> {
    if inputs.rustflags.contains("trace-pc-guard") {
        return vec!["-fsanitize-coverage=trace-pc-guard,trace-cmp".to_string()];
    }
    if !inputs.fuzzing {
        return Vec::new();
    }
    let mut flags = vec!["-fsanitize=fuzzer-no-link".to_string()];
    if inputs.sanitize_cfg.split(',').any(|s| s.trim() == "address") {
        flags.push("-fsanitize=address".to_string());
    }
    flags
}

/// SWAPDIFF_C_SANITIZE for `make test-sanitize` (see tests/sanitize.sh).
fn sanitize_flags(list: &str) -> Vec<String> {
    let mut flags = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match name {
            "address" => flags.push("-fsanitize=address".to_string()),
            "undefined" => flags.extend(
                [
                    "-fsanitize=undefined",
                    // defined behaviour under the kernel's -fno-strict-overflow
                    "-fno-sanitize=signed-integer-overflow",
                    "-fno-sanitize-recover=undefined",
                ]
                .map(String::from),
            ),
            other => panic!(
                "\n\nswapdiff: SWAPDIFF_C_SANITIZE lists {other:?}; it takes a comma list of \
                 address and undefined\n\n"
            ),
        }
    }
    if !flags.is_empty() {
        flags.push("-fno-omit-frame-pointer".to_string());
    }
    flags
}
