//! Ctrl-C and SIGTERM as a flag the long-running loops poll: the first one
//! asks for an orderly stop (workers stopped, what was found filed, a
//! partial verdict printed); a second one ends the process at once (130).

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The flag of the process's installed handlers, for code deep below the
/// command (the minimizer) that must give up early on an interrupt.
static INSTALLED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Whether an interrupt arrived since [`Interrupt::install`] (never, if not installed).
pub fn requested() -> bool {
    INSTALLED.get().is_some_and(|f| f.load(Ordering::Relaxed))
}

#[derive(Clone)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Installs the handlers (process-wide).
    pub fn install() -> Result<Interrupt, String> {
        let f = Arc::new(AtomicBool::new(false));
        for sig in [SIGINT, SIGTERM] {
            // Registered first, so it sees the flag before this signal sets it.
            flag::register_conditional_shutdown(sig, 130, Arc::clone(&f)).map_err(|e| format!("signal {sig}: {e}"))?;
            flag::register(sig, Arc::clone(&f)).map_err(|e| format!("signal {sig}: {e}"))?;
        }
        let _ = INSTALLED.set(Arc::clone(&f));
        Ok(Interrupt(f))
    }
    /// A flag nothing sets (commands that cannot be interrupted halfway).
    pub fn never() -> Interrupt {
        Interrupt(Arc::new(AtomicBool::new(false)))
    }
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
