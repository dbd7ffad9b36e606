//! One scenario suite, two engines: each scenario is written once against `dyn Engine`,
//! with the expected values the kernel's code implies (and why, in its comments), and runs
//! on the model, on the kernel C, and then the two end states are compared in full (every
//! slot, cluster, counter, folio, the tag store and live allocations, at the raw level),
//! so a scenario also catches a difference it does not assert.
//!
//! A body that traps (BUG or hang) only inspects or resets afterwards: the kernel C leaves
//! the trapped call's locks held, which the model does not follow (cshim/tests/traps.rs).
//! What cannot run on both stays with its engine, each file saying why: the kernel's
//! bounds, fatal notes, lock, timing and patched builds in cshim/tests, the model's
//! property tests in rust-impl/tests/model.

mod continuation;
mod counts;
mod duplicate;
mod env;
mod free;
mod guards;
mod mte;
mod traps;

use swapdiff::compare::{state, Level, Touch};
use swapdiff::engine::prelude::*;
use swapdiff::engine::{Event, EventKind, KernelEngine, ModelEngine};
pub use swapdiff_contract::setup::{alloc_n, bytes, counted, tags};

/// Runs `scenario` on the model and on the kernel, then compares their end states and the
/// events neither side took.
pub fn on_both(scenario: fn(&mut dyn Engine)) {
    let mut model = ModelEngine::new();
    {
        let _on = Running("model");
        scenario(&mut model);
    }
    let mut kernel = KernelEngine::acquire();
    {
        let _on = Running("kernel C");
        scenario(&mut kernel);
    }
    if let Some(m) = state(&model, &kernel, &Touch::everything(), Level::Raw) {
        panic!("the engines end in different states: {} (model {}, kernel {})", m.detail, m.expected, m.actual);
    }
    assert_eq!(model.take_events(), kernel.take_events(), "events left in the log");
}

/// Names the engine a failing assertion ran on (the panic message alone does not say).
struct Running(&'static str);

impl Drop for Running {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("(the scenario failed on the {})", self.0);
        }
    }
}

/// `-errno` as the entry points (which return i64) give it.
pub const fn err(errno: i32) -> i64 {
    -(errno as i64)
}

/// An event as a reader sees it: kind, function, and the condition or the
/// formatted message. Engines record a message as its format and arguments
/// (nothing formatted on the hot path); an expected event here is written as
/// the text printk prints, and equals an engine's event that shows as it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub kind: EventKind,
    pub func: String,
    pub text: String,
}

impl PartialEq<Shown> for Event {
    fn eq(&self, s: &Shown) -> bool {
        self.kind == s.kind && self.func == s.func && self.message() == s.text
    }
}

/// What `take_events` gives when nothing was recorded.
pub const NO_EVENTS: [Shown; 0] = [];

fn shown(kind: EventKind, func: &str, text: &str) -> Shown {
    Shown { kind, func: func.into(), text: text.into() }
}

pub fn warn(func: &str, text: &str) -> Shown {
    shown(EventKind::Warn, func, text)
}

pub fn bug(func: &str, text: &str) -> Shown {
    shown(EventKind::Bug, func, text)
}

pub fn hang(func: &str, text: &str) -> Shown {
    shown(EventKind::Hang, func, text)
}

pub fn log(func: &str, text: &str) -> Shown {
    shown(EventKind::Log, func, text)
}

/// One device of `clusters` clusters on a reset engine: type 0.
pub fn with_device(e: &mut dyn Engine, clusters: u32, cluster_info: bool) {
    assert_eq!(
        e.swapon(clusters, if cluster_info { swapdiff_contract::DEV_SSD } else { 0 }),
        0,
        "the first device after a reset is type 0"
    );
}

#[test]
fn the_end_state_comparison_sees_what_no_scenario_asserts() {
    // The control for on_both: a device on one side only is a difference in device_max
    // (512 against 0), found without any assertion of the scenario's.
    let (mut model, kernel) = (ModelEngine::new(), KernelEngine::acquire());
    with_device(&mut model, 1, true);
    assert!(state(&model, &kernel, &Touch::everything(), Level::Raw).is_some());
}
