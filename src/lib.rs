//! swapdiff: differential fuzzing of the kernel's swap-count code
//! (mm/swapfile.c) and arm64 MTE tag-on-swap code (arch/arm64/mm/mteswap.c)
//! against an independent Rust model.
//!
//! - [`engine`]: the one trait both implementations answer to;
//! - [`program`]: ops, programs, their text and byte forms;
//! - [`runner`]: steering, composites, per-step comparison ([`compare`]);
//! - [`features`]: which interesting states a run reached;
//! - [`worker`], [`diagnose`], [`jobs`], [`abnormal`]: supervised child
//!   processes, and every way they can end classified and filed.

#![forbid(unsafe_code)]

pub mod abnormal;
pub mod bench;
pub mod campaign;
pub mod catalog;
pub mod compare;
pub mod corpus;
pub mod counts;
pub mod diagnose;
pub mod drive;
pub mod engine;
pub mod exec;
pub mod features;
pub mod findings;
pub mod generate;
pub mod harness;
pub mod hunt;
pub mod identity;
pub mod input;
pub mod interrupt;
pub mod jobs;
pub mod minimize;
pub mod program;
pub mod render;
pub mod repro;
pub mod runner;
mod shadow;
mod steer;
pub mod trace;
pub mod triage;
pub mod variant;
pub mod worker;
