//! `builds_from_env` and `request_from_env` (its own test binary: it sets process environment variables).

use std::path::PathBuf;

use swapdiff_extract::{builds_from_env, companion_requests, request_from_env, DEFAULT_SOURCE, ENV_VARS};

#[test]
fn reads_the_source_and_the_colon_separated_patches() {
    assert_eq!(
        ENV_VARS,
        [
            "SWAPDIFF_KERNEL_SRC",
            "SWAPDIFF_BASE_PATCHES",
            "SWAPDIFF_PATCHES",
            "SWAPDIFF_KERNEL_SRC_612",
            "SWAPDIFF_KERNEL_SRC_72"
        ]
    );
    std::env::remove_var("SWAPDIFF_BASE_PATCHES");
    let m = PathBuf::from("m.toml");
    let c = PathBuf::from("cache");

    std::env::remove_var("SWAPDIFF_KERNEL_SRC");
    std::env::remove_var("SWAPDIFF_PATCHES");
    let r = request_from_env(m.clone(), c.clone());
    // Unset: the default tarball, the stock source.
    assert_eq!(r.source, None);
    assert!(r.patches.is_empty());
    assert_eq!((r.manifest, r.cache_dir), (m.clone(), c.clone()));

    std::env::set_var("SWAPDIFF_KERNEL_SRC", "");
    std::env::set_var("SWAPDIFF_PATCHES", "");
    let r = request_from_env(m.clone(), c.clone());
    // Empty counts as unset.
    assert_eq!(r.source, None);
    assert!(r.patches.is_empty());

    std::env::set_var("SWAPDIFF_KERNEL_SRC", "/src/linux-6.12.9");
    std::env::set_var("SWAPDIFF_PATCHES", "/p/a.patch::/p/b.patch:");
    let r = request_from_env(m, c);
    assert_eq!(r.source, Some(PathBuf::from("/src/linux-6.12.9")));
    // Order kept, empty entries ignored.
    assert_eq!(r.patches, [PathBuf::from("/p/a.patch"), PathBuf::from("/p/b.patch")]);

    base_patches_come_first_and_without_patches_one_build();
}

/// Called by the test above: the tests of one binary run in parallel threads and both set the
/// same process environment.
fn base_patches_come_first_and_without_patches_one_build() {
    let m = PathBuf::from("m.toml");
    let c = PathBuf::from("cache");
    let paths = |v: &[&str]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
    let lists = |rs: &[swapdiff_extract::Request]| rs.iter().map(|r| r.patches.clone()).collect::<Vec<_>>();
    std::env::set_var("SWAPDIFF_KERNEL_SRC", "/src/linux");

    // Nothing to compare against: one build, the stock source.
    std::env::remove_var("SWAPDIFF_BASE_PATCHES");
    std::env::set_var("SWAPDIFF_PATCHES", "");
    let rs = builds_from_env(m.clone(), c.clone());
    assert_eq!(lists(&rs), vec![Vec::<PathBuf>::new()]);

    // Patches: the stock base, then the patched build; both from the same source.
    std::env::set_var("SWAPDIFF_PATCHES", "/p/fix.patch");
    let rs = builds_from_env(m.clone(), c.clone());
    assert_eq!(lists(&rs), vec![vec![], paths(&["/p/fix.patch"])]);
    assert!(rs.iter().all(|r| r.source == Some(PathBuf::from("/src/linux"))));

    // A base patch set stands in for stock: the patched build applies it first (the fix is
    // written against the planted bug), and request_from_env is the patched build.
    std::env::set_var("SWAPDIFF_BASE_PATCHES", "/p/bug.patch:");
    let rs = builds_from_env(m.clone(), c.clone());
    assert_eq!(lists(&rs), vec![paths(&["/p/bug.patch"]), paths(&["/p/bug.patch", "/p/fix.patch"])]);
    assert_eq!(request_from_env(m.clone(), c.clone()).patches, paths(&["/p/bug.patch", "/p/fix.patch"]));

    // Base patches alone: one build, the base.
    std::env::remove_var("SWAPDIFF_PATCHES");
    let rs = builds_from_env(m, c);
    assert_eq!(lists(&rs), vec![paths(&["/p/bug.patch"])]);
}

#[test]
fn every_series_has_a_companion_source_the_environment_can_name() {
    let (m, c) = (PathBuf::from("m.toml"), PathBuf::from("cache"));
    let fetched = std::env::temp_dir().join("swapdiff-env-test-no-such-dir");
    std::env::remove_var("SWAPDIFF_KERNEL_SRC_612");
    std::env::remove_var("SWAPDIFF_KERNEL_SRC_72");
    let all = companion_requests(m.clone(), c.clone(), &fetched);
    let series: Vec<&str> = all.iter().map(|x| x.series).collect();
    assert_eq!(series, ["6.12", "7.2"]);
    // Unset: the Debian package of 6.12; for 7.2 the fetched tarball, or (not fetched, as
    // here) the package's path.
    assert_eq!(all[0].request.source.as_deref(), Some(std::path::Path::new(DEFAULT_SOURCE)));
    assert_eq!(all[1].request.source.as_deref(), Some(std::path::Path::new("/usr/src/linux-source-7.2.tar.xz")));
    assert!(all.iter().all(|x| x.request.patches.is_empty()), "companions are stock");

    std::env::set_var("SWAPDIFF_KERNEL_SRC_72", "/src/linux-7.2.13");
    let all = companion_requests(m, c, &fetched);
    assert_eq!(all[1].request.source.as_deref(), Some(std::path::Path::new("/src/linux-7.2.13")));
    assert_eq!(all[1].env, "SWAPDIFF_KERNEL_SRC_72");
    std::env::remove_var("SWAPDIFF_KERNEL_SRC_72");
}
