//! `Kernel`: exclusive access to one build's C environment. What it
//! does (environment setup, kernel entry points, inspection) is its
//! `Engine` implementation, in engine.rs.
//!
//! Each build's C side is one set of globals (swap_info[], mte_pages, ...),
//! so at most one `Kernel` per build exists at a time: `Kernel::acquire_build`
//! takes that build's mutex and holds it until the `Kernel` is dropped.
//! Every `unsafe` block in this crate relies on that: while `&self`/`&mut
//! self` exists, no other thread is inside that build's C code. Kernels of
//! different builds are independent (separate globals, separate locks) and
//! may be held together, on one thread or several.

use std::marker::PhantomData;
use std::sync::{MutexGuard, PoisonError};

use crate::builds::{primary, Build};

use swapdiff_contract::prelude::*;

/// Exclusive handle on one build's C environment, usable only on the thread
/// that acquired it: neither `Send` nor `Sync`.
///
/// Not `Send`: the mutex guard must be released by the thread that took it,
/// and the C side ties a running call to its thread (the call watchdog
/// signals that thread; the trap's jump buffer lives on its stack). Not
/// `Sync`: a `&Kernel` on another thread could run the inspection methods
/// while this thread is inside a kernel call, reading state mid-update.
///
/// ```compile_fail
/// fn must_be_send<T: Send>() {}
/// must_be_send::<cshim::Kernel>();
/// ```
///
/// ```compile_fail
/// fn must_be_sync<T: Sync>() {}
/// must_be_sync::<cshim::Kernel>();
/// ```
///
/// The same checks compile for a type that is both, so the two tests above
/// fail for the reason they claim, not for a typo:
///
/// ```
/// fn must_be_send<T: Send>() {}
/// fn must_be_sync<T: Sync>() {}
/// must_be_send::<cshim::Event>();
/// must_be_sync::<cshim::Event>();
/// ```
pub struct Kernel {
    /// Whose C this is; its table is how every call gets there.
    pub(crate) build: &'static Build,
    _guard: MutexGuard<'static, ()>,
    /// `MutexGuard<()>` is `Sync`; a raw pointer marker makes `Kernel`
    /// neither `Send` nor `Sync`.
    _not_send_sync: PhantomData<*const ()>,
    /// The event log's strings as `&'static str` (intern.rs).
    pub(crate) strings: crate::intern::EventStrings,
}

/// C's int conversion of the API's u32 handles and types: values above
/// i32::MAX arrive negative, which every sd_* function rejects as a bad
/// handle/type (or, for the MTE functions taking a kernel `int type`, is
/// exactly what the kernel function would receive).
pub(crate) fn c_int(v: u32) -> i32 {
    v as i32
}

impl Kernel {
    /// The build under test ([`primary`](crate::primary)): waits for
    /// exclusive access and resets the environment, as [`Kernel::acquire_build`].
    pub fn acquire() -> Kernel {
        Kernel::acquire_build(primary())
    }

    /// Waits for exclusive access to `build` and resets its environment. A
    /// panic while another thread held the lock poisons it; the reset makes
    /// the state sound again, so the poison is ignored. Each build has its
    /// own lock: holding a `Kernel` of one build never blocks another's (on
    /// one thread, acquiring the same build twice waits forever, as before).
    pub fn acquire_build(build: &'static Build) -> Kernel {
        crate::bounds::init_from_env();
        let guard = build.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut kernel = Kernel { build, _guard: guard, _not_send_sync: PhantomData, strings: Default::default() };
        kernel.env_reset();
        kernel
    }

    /// The build this `Kernel` runs.
    pub fn build(&self) -> &'static Build {
        self.build
    }
}

impl Drop for Kernel {
    /// Leaves nothing allocated behind (leak checkers see a clean exit).
    fn drop(&mut self) {
        self.env_reset();
    }
}
