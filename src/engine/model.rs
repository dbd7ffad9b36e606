//! The Rust reimplementation (rust-impl) as an [`Engine`](super::Engine).

use super::forward::forward_engine;
use super::{Event, EventKind, Site};
use rust_impl as m;

/// The model: the reference the kernel is compared against.
#[derive(Default)]
pub struct ModelEngine(pub m::Model);

impl ModelEngine {
    pub fn new() -> ModelEngine {
        ModelEngine(m::Model::default())
    }
}

fn site(s: Site) -> m::Site {
    match s {
        Site::ContPage => m::Site::ContPage,
        Site::TagStorage => m::Site::TagStorage,
        Site::XaNode => m::Site::XaNode,
    }
}

fn event(e: m::Event) -> Event {
    let kind = match e.kind {
        m::EventKind::Warn => EventKind::Warn,
        m::EventKind::Bug => EventKind::Bug,
        m::EventKind::Hang => EventKind::Hang,
        m::EventKind::Log => EventKind::Log,
    };
    Event { kind, func: e.func, text: e.text }
}

forward_engine!(ModelEngine, "model", site, event);
