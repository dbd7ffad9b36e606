//! The small vocabulary shared in shape with `cshim::Kernel`: allocation sites, events,
//! and the two sentinel return values. Primitive-only so the two crates stay independent.

/// SD_TRAPPED: the call hit `BUG()` or a hang and was abandoned part-way.
pub const TRAPPED: i64 = -100_000;
/// SD_REFUSED: the argument guard refused the call (see ENVIRONMENT.md "Argument guards").
pub const REFUSED: i64 = -100_001;
/// MTE_PAGE_TAG_STORAGE: 4-bit tags of 256 granules of 16 bytes.
pub const TAG_BYTES: usize = 128;

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
    /// Every site, in SD_SITE_* order.
    pub const ALL: [Site; 3] = [Site::ContPage, Site::TagStorage, Site::XaNode];

    pub(crate) fn index(self) -> usize {
        match self {
            Site::ContPage => 0,
            Site::TagStorage => 1,
            Site::XaNode => 2,
        }
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

/// One recorded diagnostic. `func` is the kernel function holding the macro, `text` the
/// macro's condition as the preprocessor stringifies it (or the formatted LOG message).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Event {
    pub kind: EventKind,
    pub func: String,
    pub text: String,
}
