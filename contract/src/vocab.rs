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
    /// `blkdev_issue_discard()`: a range of pages discarded, as a message
    /// (`"discard %u:%lu+%lu\n"`: type, first page, pages), func the kernel caller.
    Discard,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Warn => "WARN",
            EventKind::Bug => "BUG",
            EventKind::Hang => "HANG",
            EventKind::Log => "LOG",
            EventKind::Discard => "DISCARD",
        }
    }
}

/// A value a message's format read, as printk reads it: an integer
/// conversion as 64 bits (signed ones sign-extended, `%p` the address) or a
/// `%s` string.
#[derive(Debug, Clone, Copy, Eq)]
pub enum Arg {
    Int(u64),
    Str(&'static str),
}

/// The most arguments an event keeps (`SD_EVENT_MAX_ARGS`).
pub const MAX_EVENT_ARGS: usize = 4;

/// The arguments of one event, in the order its format reads them.
#[derive(Debug, Clone, Copy, Eq)]
pub struct Args {
    len: u8,
    values: [Arg; MAX_EVENT_ARGS],
}

impl Args {
    pub const NONE: Args = Args { len: 0, values: [Arg::Int(0); MAX_EVENT_ARGS] };

    /// The first [`MAX_EVENT_ARGS`] of `values` (the C side keeps no more
    /// either; the rest of the format is then shown as is).
    pub fn new(values: &[Arg]) -> Args {
        let mut a = Args::NONE;
        for (slot, v) in a.values.iter_mut().zip(values) {
            *slot = *v;
            a.len += 1;
        }
        a
    }

    pub fn as_slice(&self) -> &[Arg] {
        &self.values[..usize::from(self.len)]
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// One recorded diagnostic, as a value: nothing is formatted until it is
/// shown ([`Event::message`]), so recording and comparing events costs no
/// allocation. `func` is the kernel function holding the macro. `text` is the
/// macro's condition as the preprocessor stringifies it, or, for a LOG (and
/// any event with arguments), the message's printf format, newline included,
/// with `args` what it read. Two events are equal when all of that is: a LOG
/// is compared by its format and arguments, the parts of a message its code
/// decides.
#[derive(Debug, Clone, Copy, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub func: &'static str,
    pub text: &'static str,
    pub args: Args,
}

/// Equal text, by address first: one engine's events share their literals,
/// so comparing an event with the one its previous call recorded (runs of
/// calls, exec.rs) rarely reads the bytes.
fn same_text(a: &str, b: &str) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

impl PartialEq for Arg {
    fn eq(&self, other: &Arg) -> bool {
        match (self, other) {
            (Arg::Int(a), Arg::Int(b)) => a == b,
            (Arg::Str(a), Arg::Str(b)) => same_text(a, b),
            _ => false,
        }
    }
}

impl PartialEq for Args {
    fn eq(&self, other: &Args) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.kind == other.kind
            && same_text(self.func, other.func)
            && same_text(self.text, other.text)
            && self.args == other.args
    }
}

impl Event {
    /// An event without arguments (a WARN, BUG or HANG at its condition).
    pub const fn new(kind: EventKind, func: &'static str, text: &'static str) -> Event {
        Event { kind, func, text, args: Args::NONE }
    }

    /// A message: `format` and the values it reads.
    pub fn message_of(kind: EventKind, func: &'static str, format: &'static str, args: &[Arg]) -> Event {
        Event { kind, func, text: format, args: Args::new(args) }
    }

    /// Whether `text` is a format (and not a condition, which may hold a `%`).
    pub fn is_format(&self) -> bool {
        matches!(self.kind, EventKind::Log | EventKind::Discard) || !self.args.is_empty()
    }

    /// What a reader sees: the condition, or the message formatted as
    /// printk prints it, without its trailing newline.
    pub fn message(&self) -> std::borrow::Cow<'static, str> {
        if self.is_format() {
            std::borrow::Cow::Owned(crate::printf::format(self.text, self.args.as_slice()))
        } else {
            std::borrow::Cow::Borrowed(self.text)
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in {}: {}", self.kind.name(), self.func, self.message())
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
        let e = Event::new(EventKind::Warn, "__swap_duplicate", "!si");
        assert_eq!(e.to_string(), "WARN in __swap_duplicate: !si");
        // A condition is never a format, even with a `%` in it.
        let e = Event::new(EventKind::Warn, "__swap_duplicate", "nr > SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER");
        assert_eq!(e.message(), "nr > SWAPFILE_CLUSTER - offset % SWAPFILE_CLUSTER");
    }

    #[test]
    fn a_discard_is_a_message_of_type_page_and_pages() {
        // INTERFACES-17 section 4: "discard %u:%lu+%lu\n" with (type, first page, pages).
        let d = Event::message_of(
            EventKind::Discard,
            "discard_swap_cluster",
            "discard %u:%lu+%lu\n",
            &[Arg::Int(0), Arg::Int(512), Arg::Int(512)],
        );
        assert!(d.is_format());
        assert_eq!(d.to_string(), "DISCARD in discard_swap_cluster: discard 0:512+512");
    }

    #[test]
    fn a_message_is_formatted_only_when_shown_and_compared_by_format_and_values() {
        // _swap_info_get's pr_err("%s: %s%08lx\n", __func__, Unused_offset, entry.val).
        let log = |v| {
            Event::message_of(
                EventKind::Log,
                "_swap_info_get",
                "%s: %s%08lx\n",
                &[Arg::Str("_swap_info_get"), Arg::Str("Unused swap offset entry "), Arg::Int(v)],
            )
        };
        assert_eq!(log(5).to_string(), "LOG in _swap_info_get: _swap_info_get: Unused swap offset entry 00000005");
        assert_eq!(log(5), log(5));
        assert_ne!(log(5), log(6));
        // More than MAX_EVENT_ARGS values: the C side keeps four, so does this.
        let many = [Arg::Int(1), Arg::Int(2), Arg::Int(3), Arg::Int(4), Arg::Int(5)];
        assert_eq!(Args::new(&many).as_slice(), &many[..MAX_EVENT_ARGS]);
    }
}
