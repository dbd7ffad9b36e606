//! Which kernel build a finding needs, from what its files record, and whether this binary
//! links it. A finding records its build in several places, by its age and kind: the
//! regression entry (`# patch-set:`), program.txt (`# kernel: V (stock)` or
//! `# kernel: V + a.patch (patch set KEY)`), repro.c's header, and the README (its kernel
//! section; a crash finding's README holds `swapdiff build-info`'s lines). The first file that
//! names a field decides it.

use std::path::Path;

/// The build a finding was found on, as far as its files say.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Needs {
    /// Kernel version, e.g. "6.12.117".
    pub version: Option<String>,
    /// The patch-set key of the build under test ("stock", "patched-<hex>").
    pub patch_key: Option<String>,
    pub source_hash: Option<String>,
    /// The patches as recorded (names only), for messages.
    pub patches: Option<String>,
}

/// The files read, in the order they decide.
const SOURCES: [&str; 4] = ["regression.txt", "program.txt", "repro.c", "README.md"];

/// What the finding directory `dir` records. Unreadable or missing files just say nothing.
pub fn read(dir: &Path) -> Needs {
    let mut needs = Needs::default();
    for file in SOURCES {
        if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
            needs.fill(&text);
        }
    }
    needs
}

fn first_word(text: &str) -> Option<String> {
    text.trim().trim_matches('`').split_whitespace().next().map(|w| w.trim_matches('`').to_string())
}

impl Needs {
    /// Fills the fields still unknown from the lines of one file. A line is read whatever
    /// its comment leader (`#`, ` *`, `- `), only before the program or code starts to matter
    /// little: the fields are named distinctly enough.
    pub fn fill(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim_start_matches(|c: char| c == '#' || c == '*' || c == '-' || c.is_whitespace());
            let set = |field: &mut Option<String>, value: Option<String>| {
                if field.is_none() {
                    *field = value.filter(|v| !v.is_empty());
                }
            };
            if let Some(rest) = line.strip_prefix("patch-set:").or_else(|| line.strip_prefix("patch set:")) {
                set(&mut self.patch_key, first_word(rest));
            } else if let Some(rest) = line.strip_prefix("source hash:") {
                set(&mut self.source_hash, first_word(rest));
            } else if let Some(rest) = line.strip_prefix("patches:") {
                set(&mut self.patches, Some(rest.trim().to_string()));
            } else if let Some(rest) = line.strip_prefix("version:") {
                set(&mut self.version, first_word(rest));
            } else if let Some(rest) = line.strip_prefix("kernel:") {
                // `V (stock)`, `V + a.patch + b.patch (patch set KEY)`, or build-info's `V`.
                let rest = rest.trim();
                set(&mut self.version, first_word(rest));
                if rest.ends_with("(stock)") {
                    set(&mut self.patch_key, Some("stock".into()));
                    set(&mut self.patches, Some("none".into()));
                } else if let Some((names, key)) = rest.split_once("(patch set ") {
                    set(&mut self.patch_key, Some(key.trim_end_matches(')').trim().to_string()));
                    let names = names.trim().split_once(" + ").map(|(_, n)| n.trim().replace(" + ", " "));
                    set(&mut self.patches, names);
                }
            }
        }
    }

    /// "kernel 6.12.117 with patch set patched-… (patches: a.patch), source …", for messages.
    pub fn describe(&self) -> String {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "unrecorded".into());
        let mut s = format!("kernel {} with patch set {}", or(&self.version), or(&self.patch_key));
        if let Some(p) = self.patches.as_deref().filter(|p| !p.is_empty() && *p != "none") {
            s.push_str(&format!(" (patches: {p})"));
        }
        if let Some(h) = &self.source_hash {
            s.push_str(&format!(", source hash {h}"));
        }
        s
    }

    /// Whether `b` is this build: the same patch set, and the same version and source where the
    /// finding records them.
    pub fn matches(&self, b: &cshim::Build) -> bool {
        let same = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        self.patch_key.as_deref() == Some(b.patch_key)
            && same(&self.version, b.kernel_version)
            && same(&self.source_hash, b.source_hash)
    }
}

/// The linked build `needs` names, if this binary has it.
pub fn linked(needs: &Needs) -> Option<&'static cshim::Build> {
    // The build under test first: a check-patch finding's build is the patched one, and with no
    // patches the only build is stock; two builds never share a key.
    cshim::builds().iter().rev().find(|b| needs.matches(b))
}

/// What this binary links, for messages: "6.12.117+stock (source …)".
pub fn linked_names() -> String {
    cshim::builds().iter().map(|b| format!("{} (source hash {})", b.name, b.source_hash)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::Needs;

    #[test]
    fn each_record_of_a_build_is_read() {
        // program.txt of a check-patch finding (findings::program_text writes this line).
        let mut n = Needs::default();
        n.fill(
            "# swapdiff finding: a/b/c\n# kernel: 6.12.117 + a.patch + b.patch (patch set patched-0123)\nmode raw\n",
        );
        assert_eq!(n.version.as_deref(), Some("6.12.117"));
        assert_eq!(n.patch_key.as_deref(), Some("patched-0123"));
        assert_eq!(n.patches.as_deref(), Some("a.patch b.patch"));
        // A stock finding.
        let mut n = Needs::default();
        n.fill("# kernel: 6.12.117 (stock)\n");
        assert_eq!((n.patch_key.as_deref(), n.patches.as_deref()), (Some("stock"), Some("none")));
        // A crash finding's README holds build-info's lines inside a code block.
        let mut n = Needs::default();
        n.fill("```text\nkernel: 6.12.117\nsource hash: abc123\npatches: x.patch\npatch set: patched-77\n```\n");
        assert_eq!(n.version.as_deref(), Some("6.12.117"));
        assert_eq!(n.source_hash.as_deref(), Some("abc123"));
        assert_eq!(n.patch_key.as_deref(), Some("patched-77"));
        // The regression entry decides first; a later file does not override it.
        let mut n = Needs::default();
        n.fill("# patch-set: patched-1\n");
        n.fill("# kernel: 6.12.117 (stock)\n- patch set: `patched-2` (a hash)\n- source hash: ff\n");
        assert_eq!(n.patch_key.as_deref(), Some("patched-1"));
        assert_eq!(n.source_hash.as_deref(), Some("ff"));
    }
}
