//! Shared set-up for the model tests: devices with slots in known states, and event
//! constructors.

#![allow(dead_code)]

pub use rust_impl::kernel::*;
pub use rust_impl::{entry, Event, EventKind, Model, Site, REFUSED, TAG_BYTES, TRAPPED};
pub use swapdiff_contract::prelude::*;

/// A model with one device of `clusters` clusters (type 0).
pub fn with_device(clusters: u32, cluster_info: bool) -> Model {
    let mut m = Model::new();
    assert_eq!(m.swapon(clusters, cluster_info), 0);
    m
}

pub use swapdiff_contract::setup::{alloc_n, bytes, counted, tags};

pub fn warn(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Warn, func: func.into(), text: text.into() }
}

pub fn bug(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Bug, func: func.into(), text: text.into() }
}

pub fn hang(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Hang, func: func.into(), text: text.into() }
}

pub fn log(func: &str, text: &str) -> Event {
    Event { kind: EventKind::Log, func: func.into(), text: text.into() }
}
