//! What an engine's answers are made of: allocation sites, events and the two sentinel
//! return values of swapdiff.h.

/// `SD_TRAPPED`: the call hit `BUG()` or a hang and was abandoned part-way.
pub const TRAPPED: i64 = -100_000;
/// `SD_REFUSED`: the argument guard refused the call (ENVIRONMENT.md "Argument guards").
pub const REFUSED: i64 = -100_001;

/// An allocation site where a fault can be injected and live allocations are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// `alloc_page()` in `add_swap_count_continuation`.
    ContPage,
    /// `kmalloc()` in `mte_allocate_tag_storage`.
    TagStorage,
    /// The node `xa_store()` needs for a key that is not yet present.
    XaNode,
}

impl Site {
    /// Every site, in `SD_SITE_*` order.
    pub const ALL: [Site; 3] = [Site::ContPage, Site::TagStorage, Site::XaNode];

    /// The site's `enum sd_site` value (its place in [`Site::ALL`]).
    pub const fn index(self) -> usize {
        match self {
            Site::ContPage => 0,
            Site::TagStorage => 1,
            Site::XaNode => 2,
        }
    }

    /// The name programs and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Site::ContPage => "cont_page",
            Site::TagStorage => "tag_storage",
            Site::XaNode => "xa_node",
        }
    }

    pub fn from_name(s: &str) -> Option<Site> {
        Site::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// What kind of diagnostic the kernel code produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// `WARN*`, `VM_WARN*`: recorded, the call goes on.
    Warn,
    /// `BUG*`, `VM_BUG_ON*`: the call is abandoned and returns [`TRAPPED`].
    Bug,
    /// A wait that cannot end single-threaded; abandoned like a BUG.
    Hang,
    /// `pr_err*`: the formatted message without its newline.
    Log,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Warn => "WARN",
            EventKind::Bug => "BUG",
            EventKind::Hang => "HANG",
            EventKind::Log => "LOG",
        }
    }
}

/// One recorded diagnostic. `func` is the kernel function holding the macro, `text` the
/// macro's condition as the preprocessor stringifies it (or the formatted LOG message).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Event {
    pub kind: EventKind,
    pub func: String,
    pub text: String,
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in {}: {}", self.kind.name(), self.func, self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_index_is_its_place_in_all() {
        // The C enum numbers the sites 0, 1, 2 in ALL's order; cshim relies on it.
        for (i, s) in Site::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }

    #[test]
    fn site_names_round_trip_and_unknown_names_are_none() {
        for s in Site::ALL {
            assert_eq!(Site::from_name(s.name()), Some(s));
        }
        assert_eq!(Site::from_name("ContPage"), None);
    }

    #[test]
    fn an_event_reads_kind_function_condition() {
        let e = Event { kind: EventKind::Warn, func: "__swap_duplicate".into(), text: "!si".into() };
        assert_eq!(e.to_string(), "WARN in __swap_duplicate: !si");
    }
}
