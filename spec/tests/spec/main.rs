//! The spec against itself (expected values from the contract) and against the 6.12 model.

mod common;
mod generated;
mod model;
mod mte_bugs;
mod mte_rules;
mod oddities;
mod rules;
mod wrong_rule;
