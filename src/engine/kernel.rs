//! The extracted kernel C (cshim) as an [`Engine`](super::Engine).

use super::forward::forward_engine;
use super::{Event, EventKind, Site};

/// The kernel: the engine under test. Holding one holds cshim's process-wide
/// lock, so at most one exists at a time (others wait in `acquire`).
pub struct KernelEngine(pub cshim::Kernel);

impl KernelEngine {
    pub fn acquire() -> KernelEngine {
        KernelEngine(cshim::Kernel::acquire())
    }
}

fn site(s: Site) -> cshim::Site {
    match s {
        Site::ContPage => cshim::Site::ContPage,
        Site::TagStorage => cshim::Site::TagStorage,
        Site::XaNode => cshim::Site::XaNode,
    }
}

fn event(e: cshim::Event) -> Event {
    let kind = match e.kind {
        cshim::EventKind::Warn => EventKind::Warn,
        cshim::EventKind::Bug => EventKind::Bug,
        cshim::EventKind::Hang => EventKind::Hang,
        cshim::EventKind::Log => EventKind::Log,
    };
    Event { kind, func: e.func, text: e.text }
}

forward_engine!(KernelEngine, "kernel", site, event);

/// Version of the kernel source the C side was built from, e.g. "6.12.117".
pub fn kernel_version() -> &'static str {
    cshim::kernel_version()
}

/// Patches applied to that source (file names), empty for stock.
pub fn patches_applied() -> Vec<&'static str> {
    cshim::patches_applied()
}
