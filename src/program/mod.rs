//! Programs: a mode and a sequence of ops, with a text form (seeds,
//! regressions, reports) and a total byte decoding (fuzzers).
//!
//! The ops are declared once, as rows of [`table`]; the text form, the byte
//! form, exec dispatch, shrinking and C emission all derive from the rows.

mod bytes;
mod derive;
pub mod field;
mod op;
pub mod table;
pub mod text;

pub use bytes::{decode, encode};
pub use op::{domain, tags_from_seed, Device, Family, Slot, SWAP_HAS_CACHE, SWAP_MAP_SHMEM, USAGE_MAP};
pub use table::{Op, KINDS};
pub use text::{parse, ParseError};

/// How ops are chosen against the kernel's caller contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Ops are steered onto arguments that respect the callers' contracts
    /// (judged on the model's state), so any divergence is a bug.
    #[default]
    Contract,
    /// Anything goes; both sides must still agree, warnings and BUGs included.
    Raw,
    /// The executed steps of a contract-mode run: called as written (no steering, raw by
    /// form), and respecting the contracts, so the spec judges them as in contract mode.
    /// What minimized findings and replays of contract-mode runs are.
    Steered,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Contract => "contract",
            Mode::Raw => "raw",
            Mode::Steered => "steered",
        }
    }

    /// The spec judges programs of this mode (raw mode passes arguments outside the
    /// callers' contracts, where the spec promises nothing).
    pub fn judged(self) -> bool {
        self != Mode::Raw
    }

    /// The mode of the executed steps of a program of this mode.
    pub fn executed(self) -> Mode {
        match self {
            Mode::Raw => Mode::Raw,
            Mode::Contract | Mode::Steered => Mode::Steered,
        }
    }
}

/// Most ops a program holds; longer inputs are cut (the fuzzer gains nothing
/// from them that a shorter program with bulk ops cannot reach).
pub const MAX_OPS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Program {
    pub mode: Mode,
    pub ops: Vec<Op>,
}

impl std::fmt::Display for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&text::print(self))
    }
}
