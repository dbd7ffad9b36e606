//! `Kernel`: exclusive access to the process-wide C environment, and its
//! environment-setup methods (ENVIRONMENT.md). The kernel entry points and
//! the inspection methods are in entry_points.rs and inspect.rs.
//!
//! The C side is one set of globals (swap_info[], mte_pages, ...), so at
//! most one `Kernel` exists at a time: `Kernel::acquire()` takes a static
//! mutex and holds it until the `Kernel` is dropped. Every `unsafe` block in
//! this crate relies on that: while `&self`/`&mut self` exists, no other
//! thread is inside the C code.

use std::marker::PhantomData;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::ffi;
use crate::vocabulary::{Site, TAG_BYTES};

static KERNEL_LOCK: Mutex<()> = Mutex::new(());

/// Exclusive handle on the C environment, usable only on the thread that
/// acquired it: neither `Send` nor `Sync`.
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
    _guard: MutexGuard<'static, ()>,
    /// `MutexGuard<()>` is `Sync`; a raw pointer marker makes `Kernel`
    /// neither `Send` nor `Sync`.
    _not_send_sync: PhantomData<*const ()>,
}

/// C's int conversion of the API's u32 handles and types: values above
/// i32::MAX arrive negative, which every sd_* function rejects as a bad
/// handle/type (or, for the MTE functions taking a kernel `int type`, is
/// exactly what the kernel function would receive).
pub(crate) fn c_int(v: u32) -> i32 {
    v as i32
}

impl Kernel {
    /// Waits for exclusive access and resets the environment. A panic while
    /// another thread held the lock poisons it; the reset makes the state
    /// sound again, so the poison is ignored.
    pub fn acquire() -> Kernel {
        crate::bounds::init_from_env();
        let guard = KERNEL_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        let mut kernel = Kernel { _guard: guard, _not_send_sync: PhantomData };
        kernel.env_reset();
        kernel
    }

    pub fn env_reset(&mut self) {
        // SAFETY: we hold the kernel lock; sd_env_reset takes no arguments.
        unsafe { ffi::sd_env_reset() }
    }

    pub fn set_mte(&mut self, on: bool) {
        // SAFETY: we hold the kernel lock; any bool is valid.
        unsafe { ffi::sd_set_mte(on) }
    }

    /// The new device's type, or -EINVAL / -EBUSY.
    pub fn swapon(&mut self, nr_clusters: u32, with_cluster_info: bool) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the size.
        unsafe { ffi::sd_swapon(c_int(nr_clusters), with_cluster_info) }
    }

    pub fn swapoff(&mut self, ty: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the type.
        unsafe { ffi::sd_swapoff(c_int(ty)) }
    }

    pub fn mark_bad(&mut self, entry: u64) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the entry.
        unsafe { ffi::sd_mark_bad(entry) }
    }

    /// The allocated entry, or -EINVAL / -ENOSPC.
    pub fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<u64, i32> {
        let mut entry = 0u64;
        // SAFETY: we hold the kernel lock; `entry` is a valid u64 for the
        // duration of the call; the C side validates type and order.
        let ret = unsafe { ffi::sd_alloc_swap(c_int(ty), c_int(order), &mut entry) };
        if ret == 0 {
            Ok(entry)
        } else {
            Err(ret)
        }
    }

    pub fn fault_arm(&mut self, site: Site, nth: u32) {
        // SAFETY: we hold the kernel lock; the site is one of the C enum's.
        unsafe { ffi::sd_fault_arm(site.to_c(), nth) }
    }

    /// A folio handle, or -EINVAL / -ENOSPC.
    pub fn folio_new(&mut self, order: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the order.
        unsafe { ffi::sd_folio_new(c_int(order)) }
    }

    pub fn folio_free(&mut self, folio: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_folio_free(c_int(folio)) }
    }

    pub fn folio_set_swap(&mut self, folio: u32, entry: u64) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_folio_set_swap(c_int(folio), entry) }
    }

    pub fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32 {
        // SAFETY: we hold the kernel lock; `tags` points to the 128 bytes the
        // C side reads; it validates handle and index before reading.
        unsafe { ffi::sd_page_set(c_int(folio), c_int(idx), tags.as_ptr(), flags) }
    }

    pub fn swapcache_add(&mut self, folio: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_swapcache_add(c_int(folio)) }
    }

    pub fn swapcache_del(&mut self, folio: u32) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_swapcache_del(c_int(folio)) }
    }

    pub fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_folio_set_mapped(c_int(folio), mapped) }
    }
}

impl Drop for Kernel {
    /// Leaves nothing allocated behind (leak checkers see a clean exit).
    fn drop(&mut self) {
        self.env_reset();
    }
}
