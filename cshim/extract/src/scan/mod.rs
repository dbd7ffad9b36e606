//! The C-aware scanner: tokens, top-level items, and what each item defines and mentions.

mod classify;
mod elements;
pub mod items;
pub mod lexer;
mod split;
mod words;

pub use items::{scan, Item, ItemKind, ScannedFile};

/// The scanner could not split a file (unbalanced brackets or conditionals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    pub line: u32,
    pub message: String,
}

impl ScanError {
    pub fn at(line: u32, message: impl Into<String>) -> Self {
        ScanError { line, message: message.into() }
    }
}
