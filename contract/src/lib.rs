#![forbid(unsafe_code)]
//! The contract of `cshim/include/swapdiff.h`, declared once for every crate: the
//! [`Engine`] trait both implementations answer to (cshim's `Kernel`, rust-impl's
//! `Model`), the values it speaks in ([`Site`], [`Event`], the sentinels, the swap entry
//! encoding) and the kernel and API constants a caller needs to read its answers.
//!
//! cshim checks at compile time that every constant here that swapdiff.h also defines
//! has the header's value, so the model and the harness cannot drift from the C side.
//! Test support: [`Delegate`] (an engine with some calls changed) and [`setup`] (the
//! states scenarios start from).

pub mod caller;
mod constants;
mod engine;
mod entry;
pub mod printf;
pub mod setup;
pub mod table72;
mod vocab;

pub use constants::*;
pub use engine::{families, Allocate, Count, Delegate, Duplicate, Engine, Environment, Free, Inspect, Mte};
pub use entry::{entry, entry_offset, entry_type, Entry, SWP_OFFSET_MASK, SWP_TYPE_SHIFT};
pub use vocab::{Arg, Args, Event, EventKind, Site, MAX_EVENT_ARGS, REFUSED, TRAPPED};

/// What a caller of an engine imports: the traits whose methods it calls
/// (`use swapdiff_contract::prelude::*;`), so code calling a concrete engine
/// keeps compiling however the trait is arranged.
pub mod prelude {
    pub use crate::families::*;
    pub use crate::{Delegate, Engine};
}
