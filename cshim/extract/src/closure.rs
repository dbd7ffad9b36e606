//! Which items of a file to keep: the root functions and, transitively, every item of the same
//! file that a kept item mentions (static helpers, macros, globals, prototypes, constants).
//!
//! Names are matched without regard to C's separate namespaces (a struct tag and a variable of
//! the same name are one name here): keeping one item too many is harmless, one too few would
//! not compile. Member names (`si->lock`) are not references, so they pull nothing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::scan::{ItemKind, ScannedFile};

pub struct Closure {
    /// Indices of kept items, in file order.
    pub kept: Vec<usize>,
    /// Excluded names that kept items mention (the shim must provide them).
    pub excluded_refs: BTreeSet<String>,
}

/// Computes the closure. Fails with the first root that no function definition in the file
/// defines.
pub fn closure(file: &ScannedFile, roots: &[String], exclude: &[String]) -> Result<Closure, String> {
    let mut defs: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (n, it) in file.items.iter().enumerate() {
        for name in &it.names {
            defs.entry(name.as_str()).or_default().push(n);
        }
    }
    for root in roots {
        let is_fn =
            defs.get(root.as_str()).is_some_and(|v| v.iter().any(|&n| file.items[n].kind == ItemKind::Function));
        if !is_fn {
            return Err(root.clone());
        }
    }
    let excluded: BTreeSet<&str> = exclude.iter().map(String::as_str).collect();
    let mut keep = vec![false; file.items.len()];
    let mut queue: VecDeque<&str> = roots.iter().map(String::as_str).collect();
    // Conditional structure is always emitted, so whatever its conditions mention is needed too.
    for (n, it) in file.items.iter().enumerate() {
        if always_emitted(it.kind) {
            keep[n] = true;
            queue.extend(it.refs.iter().map(String::as_str));
        }
    }
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut excluded_refs = BTreeSet::new();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name) {
            continue;
        }
        let Some(items) = defs.get(name) else { continue };
        if excluded.contains(name) {
            excluded_refs.insert(name.to_string());
            continue;
        }
        for &n in items {
            if !keep[n] {
                keep[n] = true;
                queue.extend(file.items[n].refs.iter().map(String::as_str));
            }
        }
    }
    let kept = (0..keep.len()).filter(|&n| keep[n]).collect();
    Ok(Closure { kept, excluded_refs })
}

/// Items emitted whatever the roots: the conditional skeleton and directives like `#pragma` or
/// `#error` that belong to it.
pub fn always_emitted(kind: ItemKind) -> bool {
    matches!(kind, ItemKind::Conditional | ItemKind::OtherDirective)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan;

    fn kept_names(src: &str, roots: &[&str], exclude: &[&str]) -> Vec<String> {
        let f = scan(src.as_bytes()).unwrap();
        let roots: Vec<String> = roots.iter().map(|s| s.to_string()).collect();
        let exclude: Vec<String> = exclude.iter().map(|s| s.to_string()).collect();
        let c = closure(&f, &roots, &exclude).unwrap();
        c.kept.iter().flat_map(|&n| f.items[n].names.clone()).collect()
    }

    const SRC: &str = r#"
#define LIMIT 4
#define UNUSED_MACRO 5
static int counter;
static int unused_global;
static const char msg[] = "limit";
static void helper(void);
static int leaf(int x) { return x < LIMIT ? x : counter; }
static void helper(void) { counter = leaf(counter) + sizeof(msg); }
static void untouched(void) { unused_global = UNUSED_MACRO; }
int root(void) { helper(); return 0; }
"#;

    #[test]
    fn pulls_helpers_macros_globals_and_prototypes_transitively() {
        // root -> helper (its prototype and definition) -> leaf, counter, msg -> LIMIT.
        assert_eq!(kept_names(SRC, &["root"], &[]), ["LIMIT", "counter", "msg", "helper", "leaf", "helper", "root"]);
    }

    #[test]
    fn excluded_names_are_not_pulled() {
        // helper is provided by the shim: neither its prototype nor its body, nor what only it
        // needed (leaf, counter, msg, LIMIT), is kept.
        assert_eq!(kept_names(SRC, &["root"], &["helper"]), ["root"]);
    }

    #[test]
    fn member_names_pull_nothing() {
        let src = "static int lock;\nstruct s { int lock; };\nint root(struct s *p) { return p->lock; }\n";
        // root needs struct s (its parameter type), whose member `lock` is no reference to
        // the global `lock`, and `p->lock` is none either.
        assert_eq!(kept_names(src, &["root"], &[]), ["s", "root"]);
    }

    #[test]
    fn missing_root_is_named() {
        let f = scan(b"static int f(void);\nint g(void) { return 0; }\n").unwrap();
        // A prototype alone is not a definition.
        assert_eq!(closure(&f, &["f".into()], &[]).err(), Some("f".to_string()));
    }

    #[test]
    fn conditionals_are_kept_and_pull_what_they_test() {
        let src = "#define WIDE 1\n#if WIDE\nint root(void) { return 1; }\n#else\nint root(void) { return 2; }\n#endif\nint other(void) { return 3; }\n";
        let f = scan(src.as_bytes()).unwrap();
        let c = closure(&f, &["root".into()], &[]).unwrap();
        let lines: Vec<u32> = c.kept.iter().map(|&n| f.items[n].line).collect();
        // #define WIDE (1), #if (2), root (3), #else (4), root (5), #endif (6); not other (7).
        assert_eq!(lines, [1, 2, 3, 4, 5, 6]);
    }
}
