//! What a rule answers.

use std::fmt;

/// One disagreement between an engine and the spec: the call (kernel function and
/// arguments), what was checked, what the contract allows there and what the engine did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecMismatch {
    pub call: String,
    pub what: &'static str,
    pub allowed: String,
    pub observed: String,
}

impl fmt::Display for SpecMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: allowed {}, observed {}", self.call, self.what, self.allowed, self.observed)
    }
}

/// The spec's answer to one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The return is one the contract allows; the spec's state follows it.
    Agrees,
    /// The contract promises nothing for this call (arguments outside contract mode, or a
    /// question the API leaves unanswered, such as the count of a bad slot). The reason says
    /// which. If the call may have changed state the spec cannot follow, the spec is lost
    /// ([`Spec::lost`](crate::Spec::lost)) until `env_reset`.
    Unpromised(&'static str),
    Disagrees(SpecMismatch),
}

impl Verdict {
    pub fn mismatch(&self) -> Option<&SpecMismatch> {
        match self {
            Verdict::Disagrees(m) => Some(m),
            _ => None,
        }
    }
}
