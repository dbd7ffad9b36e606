//! The kernel entry points. Each returns the kernel function's value (0 for
//! void, 0/1 for bool), TRAPPED after a BUG or hang, REFUSED where the
//! argument guards of ENVIRONMENT.md apply. The sd_* function checks its
//! own arguments, so every call below is sound for any input.

use crate::ffi;
use crate::kernel::{c_int, Kernel};

impl Kernel {
    pub fn __swap_duplicate(&mut self, entry: u64, usage: u8, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd___swap_duplicate(entry, usage, nr) }
    }

    pub fn swap_duplicate(&mut self, entry: u64) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, guarded in C.
        unsafe { ffi::sd_swap_duplicate(entry) }
    }

    pub fn swapcache_prepare(&mut self, entry: u64, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd_swapcache_prepare(entry, nr) }
    }

    pub fn swap_shmem_alloc(&mut self, entry: u64, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd_swap_shmem_alloc(entry, nr) }
    }

    pub fn swapcache_clear(&mut self, entry: u64, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd_swapcache_clear(entry, nr) }
    }

    pub fn add_swap_count_continuation(&mut self, entry: u64) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, checked by the kernel.
        unsafe { ffi::sd_add_swap_count_continuation(entry) }
    }

    pub fn swap_free_nr(&mut self, entry: u64, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd_swap_free_nr(entry, nr) }
    }

    pub fn put_swap_folio(&mut self, entry: u64, order: u32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd_put_swap_folio(entry, c_int(order)) }
    }

    pub fn swapcache_free_entries(&mut self, entries: &[u64]) -> i64 {
        // A slice longer than i32::MAX becomes i32::MAX, which the C guard
        // (n > 64) refuses without reading the array.
        let n = i32::try_from(entries.len()).unwrap_or(i32::MAX);
        // SAFETY: we hold the kernel lock; the pointer is valid for
        // entries.len() >= n reads and C copies at most n <= 64 of them.
        unsafe { ffi::sd_swapcache_free_entries(entries.as_ptr(), n) }
    }

    pub fn free_swap_and_cache_nr(&mut self, entry: u64, nr: i32) -> i64 {
        // SAFETY: we hold the kernel lock; scalar arguments, guarded in C.
        unsafe { ffi::sd_free_swap_and_cache_nr(entry, nr) }
    }

    pub fn __swap_count(&mut self, entry: u64) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, guarded in C.
        unsafe { ffi::sd___swap_count(entry) }
    }

    pub fn swap_swapcount(&mut self, entry: u64) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, guarded in C.
        unsafe { ffi::sd_swap_swapcount(entry) }
    }

    pub fn swp_swapcount(&mut self, entry: u64) -> i64 {
        // SAFETY: we hold the kernel lock; scalar argument, checked by the kernel.
        unsafe { ffi::sd_swp_swapcount(entry) }
    }

    pub fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_arch_prepare_to_swap(c_int(folio)) }
    }

    pub fn arch_swap_restore(&mut self, entry: u64, folio: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates the handle.
        unsafe { ffi::sd_arch_swap_restore(entry, c_int(folio)) }
    }

    pub fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates handle and index.
        unsafe { ffi::sd_mte_save_tags(c_int(folio), c_int(idx)) }
    }

    pub fn mte_restore_tags(&mut self, entry: u64, folio: u32, idx: u32) -> i64 {
        // SAFETY: we hold the kernel lock; the C side validates handle and index.
        unsafe { ffi::sd_mte_restore_tags(entry, c_int(folio), c_int(idx)) }
    }

    pub fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64 {
        // SAFETY: we hold the kernel lock; any type/offset only names xarray keys.
        unsafe { ffi::sd_mte_invalidate_tags(c_int(ty), offset) }
    }

    pub fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64 {
        // SAFETY: we hold the kernel lock; any type only names xarray keys.
        unsafe { ffi::sd_mte_invalidate_tags_area(c_int(ty)) }
    }

    pub fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64 {
        // SAFETY: we hold the kernel lock; any type/offset only names xarray keys.
        unsafe { ffi::sd_arch_swap_invalidate_page(c_int(ty), offset) }
    }

    pub fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64 {
        // SAFETY: we hold the kernel lock; any type only names xarray keys.
        unsafe { ffi::sd_arch_swap_invalidate_area(c_int(ty)) }
    }
}
