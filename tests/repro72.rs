//! The 7.x reproducer (src/caller/repro72.rs): a caller-level program's kernel calls written as
//! standalone C, built with the 7.x build's own standalone command (the same translation unit
//! and extract the process linked), run: it must make the same calls with the same results
//! swapdiff saw, and say so; and a reproducer whose expected value is wrong must fail, naming
//! the call.

use std::path::{Path, PathBuf};
use std::process::Command;
use swapdiff::caller::v72::Caller72;
use swapdiff::caller::CallerProgram;

/// Every entry point the 7.2 adapter uses: an order-2 tagged folio swapped out (folio_alloc_swap,
/// folio_dup_swap per PTE, folio_free_swap, arch_prepare_to_swap, swap_cache_del_folio), forked
/// (swap_dup_entry_direct), swapped in from the device (swap_cache_alloc_folio,
/// arch_swap_restore, folio_put_swap), many sharers (the extend table), zapped
/// (swap_put_entries_direct), shmem out and in, swapoff. Two clusters: on a one-cluster device 7.2
/// answers the order-2 request with -ENOMEM (its only cluster holds the header slot, so it is
/// not free, and a large folio takes a free cluster or one of its own order).
const PROGRAM: &str = "clusters 2
fault mm=0 pte=0 order=2 tagged=1
swap_out mm=0 pte=0 keep_cache=0
fork
swap_in mm=0 pte=1
clone mm=0 pte=2 n=20
exit n=20
zap mm=1 pte=0 nr=4
shmem_new slot=0 order=0
shmem_swap_out slot=0
shmem_swap_in slot=0
swapoff
";

fn build_and_run(c: &str, dir: &Path) -> (i32, String) {
    std::fs::create_dir_all(dir).unwrap();
    let src = dir.join("repro.c");
    std::fs::write(&src, c).unwrap();
    let bin = dir.join("repro");
    let standalone = cshim::kernel72::primary72().standalone;
    let mut words = standalone.split_whitespace();
    let out = Command::new(words.next().unwrap())
        .args(words)
        .arg(&src)
        .arg("-o")
        .arg(&bin)
        .output()
        .expect("the C compiler runs");
    assert!(out.status.success(), "repro.c does not build:\n{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(&bin).output().unwrap();
    (run.status.code().unwrap_or(-1), String::from_utf8_lossy(&run.stdout).into_owned())
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("swapdiff-repro72-{name}-{}", std::process::id()))
}

#[test]
fn the_reproducer_makes_the_same_calls_with_the_same_results_and_fails_when_one_differs() {
    let program = CallerProgram::parse(PROGRAM).unwrap();
    let mut caller = Caller72::new(cshim::kernel72::Kernel72::acquire());
    let c = swapdiff::caller::repro72::c_source(&program, &mut caller, "test reproducer");
    drop(caller);
    // The calls the 7.2 callers make for these ops, each checked against its recorded result.
    for f in [
        "sd72_folio_alloc_swap(",
        "sd72_folio_dup_swap(",
        "sd72_swap_dup_entry_direct(",
        "sd72_swap_cache_alloc_folio(",
        "sd72_arch_swap_restore(",
        "sd72_folio_put_swap(",
        "sd72_swap_put_entries_direct(",
        "sd72_swapoff(",
    ] {
        assert!(c.contains(&format!("(long){f}")), "no checked call of {f}:\n{c}");
    }
    let dir = scratch("same");
    let (code, out) = build_and_run(&c, &dir);
    // Deterministic C over the same extract: every result as recorded, exit 0.
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("results as in swapdiff's run") && out.contains("op 10: swapoff"), "{out}");
    assert!(!out.contains("<-- swapdiff saw"), "{out}");

    // The first folio_alloc_swap returned 0 (the device has room): a reproducer expecting
    // -ENOMEM (-12) there must report that call and exit 1.
    let at = c.find("(long)sd72_folio_alloc_swap(").unwrap();
    let end = at + c[at..].find(", 0L);").expect("the first allocation was recorded as 0");
    let wrong = format!("{}, -12L);{}", &c[..end], &c[end + ", 0L);".len()..]);
    let (code, out) = build_and_run(&wrong, &scratch("wrong"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sd72_folio_alloc_swap(") && out.contains("<-- swapdiff saw -12"), "{out}");
    assert!(out.contains("1 of "), "{out}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(scratch("wrong"));
}
