//! Embeds what this build is: the key of the patch set cshim applies to the
//! build under test (SWAPDIFF_BASE_PATCHES then SWAPDIFF_PATCHES, as cshim reads
//! them, hashed by the one function that names variants) and the host target
//! (check-patch's sanitized builds pass it to cargo).

use std::path::PathBuf;

fn main() {
    let list = |var: &str| -> Vec<PathBuf> {
        println!("cargo:rerun-if-env-changed={var}");
        std::env::var_os(var)
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    // The primary build applies the base patches first (cshim::primary()).
    let mut patches = list("SWAPDIFF_BASE_PATCHES");
    patches.extend(list("SWAPDIFF_PATCHES"));
    let mut bytes = vec![];
    for p in &patches {
        println!("cargo:rerun-if-changed={}", p.display());
        // cshim's build reports an unreadable patch with its own message; the key of what could
        // be read is then never used.
        bytes.push(std::fs::read(p).unwrap_or_default());
    }
    println!(
        "cargo:rustc-env=SWAPDIFF_PATCH_SET_KEY={}",
        swapdiff_extract::patch_set_key(&bytes)
    );
    println!(
        "cargo:rustc-env=SWAPDIFF_HOST_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
}
