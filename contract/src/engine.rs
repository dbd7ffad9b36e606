//! The [`Engine`] trait and its test-support twin [`Delegate`], both made from the one list
//! of methods below, so a new entry point is declared once.

use crate::{Entry, Event, Site, TAG_BYTES};

/// `engine_methods! { trait Family { fn name(&self or &mut self, args) -> ret; ... } ... }`
/// declares each family trait with its methods, [`Engine`] as all of them together, and
/// [`Delegate`] with every method of every family defaulting to the inner engine's. The
/// receiver (`&self`, `&mut self`) decides which accessor a default goes through.
///
/// The families follow the kernel's grouping (and the model's files): an engine implements
/// each in the file where that family's semantics live, with no forwarding layer.
macro_rules! engine_methods {
    ($(
        $(#[$tdoc:meta])* trait $family:ident {
            $( $(#[$doc:meta])* fn $name:ident(&$($recv:ident)+ $(, $arg:ident: $ty:ty)*) $(-> $ret:ty)?; )*
        }
    )*) => {
        $(
            $(#[$tdoc])*
            pub trait $family {
                $( $(#[$doc])* fn $name(&$($recv)+ $(, $arg: $ty)*) $(-> $ret)?; )*
            }

            impl<D: Delegate> $family for D {
                $(
                    #[inline]
                    fn $name(&$($recv)+ $(, $arg: $ty)*) $(-> $ret)? {
                        <D as Delegate>::$name(engine_methods!(@self $($recv)+) $(, $arg)*)
                    }
                )*
            }
        )*

        /// The environment services, kernel entry points and inspection of
        /// `cshim/include/swapdiff.h`: what the kernel C (`cshim::Kernel`) and the model
        /// (`rust_impl::Model`) both implement, and all the runner and comparison see. It is
        /// its families together; every type that implements them all is an `Engine`.
        ///
        /// Method names are the kernel's own, so a kernel entry point's faces (C wrapper
        /// `sd_K`, method `K`, op `K`) are found by one search. Entry points return the
        /// kernel's value (0 for void, 0/1 for bool), [`TRAPPED`](crate::TRAPPED) after a
        /// BUG or hang, [`REFUSED`](crate::REFUSED) where the argument guards of
        /// ENVIRONMENT.md apply. Inspection reads state and records no event.
        pub trait Engine: $($family +)* {}

        impl<T: $($family +)* ?Sized> Engine for T {}

        /// TEST SUPPORT: an engine that is another engine with chosen calls changed, to
        /// plant a bug in one entry point of an otherwise faithful engine. Give the inner
        /// engine and override only the calls to change; every other call goes to the
        /// inner engine unchanged. Every `Delegate` is an [`Engine`].
        ///
        /// ```
        /// use swapdiff_contract::prelude::*;
        /// use swapdiff_contract::Entry;
        ///
        /// /// `inner` with a swap_free_nr that frees only the first entry of a batch.
        /// struct FreeFirstOnly<E>(E);
        ///
        /// impl<E: Engine> Delegate for FreeFirstOnly<E> {
        ///     type Inner = E;
        ///     fn inner(&self) -> &E { &self.0 }
        ///     fn inner_mut(&mut self) -> &mut E { &mut self.0 }
        ///     fn swap_free_nr(&mut self, entry: Entry, nr: i32) -> i64 {
        ///         self.0.swap_free_nr(entry, nr.min(1))
        ///     }
        /// }
        ///
        /// fn runs_on_any_engine<K: Engine>(_: &mut K) {}
        /// # fn check<E: Engine>(e: E) { runs_on_any_engine(&mut FreeFirstOnly(e)); }
        /// ```
        pub trait Delegate {
            /// The engine every call not overridden goes to.
            type Inner: Engine;
            fn inner(&self) -> &Self::Inner;
            fn inner_mut(&mut self) -> &mut Self::Inner;
            $($(
                #[inline]
                fn $name(&$($recv)+ $(, $arg: $ty)*) $(-> $ret)? {
                    engine_methods!(@inner $($recv)+).$name($($arg),*)
                }
            )*)*
        }

        /// Every family trait, for `use swapdiff_contract::prelude::*`.
        pub mod families {
            pub use super::{$($family),*};
        }
    };
    // `self` is hygienic in macro_rules: the bodies use the list's own `self` token.
    (@inner mut $self:ident) => { $self.inner_mut() };
    (@inner $self:ident) => { $self.inner() };
    (@self mut $self:ident) => { $self };
    (@self $self:ident) => { $self };
}

engine_methods! {
    /// The environment services of ENVIRONMENT.md: devices, the allocator on one device,
    /// queued work, fault injection, folios and the swap cache.
    trait Environment {
        /// Back to the initial state: no devices, no folios, empty tag store, MTE on.
        fn env_reset(&mut self);
        /// `system_supports_mte()`.
        fn set_mte(&mut self, on: bool);
        /// The new device's type, or -EINVAL / -EBUSY. `kind`: `DEV_SSD` and `DEV_DISCARD`
        /// bits (constants.rs); without `DEV_SSD` the device is rotational (no cluster_info).
        fn swapon(&mut self, nr_clusters: u32, kind: u32) -> i32;
        fn swapoff(&mut self, ty: u32) -> i32;
        fn mark_bad(&mut self, entry: Entry) -> i32;
        /// What `get_swap_pages(1, &e, order)` runs on device `ty` (not through the avail
        /// list): the allocated entry, or -EINVAL / -ENOSPC (TRAPPED after a BUG or hang).
        fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<Entry, i32>;
        /// Runs the queued work items, oldest first, each as its own kernel call named by its
        /// worker function: 0, or TRAPPED at the first item that trapped (the rest stay queued).
        fn flush_work(&mut self) -> i64;
        /// The `nth` next allocation at `site` fails (0 disarms).
        fn fault_arm(&mut self, site: Site, nth: u32);
        /// A folio handle, or -EINVAL / -ENOSPC.
        fn folio_new(&mut self, order: u32) -> i32;
        fn folio_free(&mut self, folio: u32) -> i32;
        fn folio_set_swap(&mut self, folio: u32, entry: Entry) -> i32;
        fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32;
        fn swapcache_add(&mut self, folio: u32) -> i32;
        fn swapcache_del(&mut self, folio: u32) -> i32;
        fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32;
    }

    /// Taking references (mm/swapfile.c): `__swap_duplicate`, its callers, and the
    /// continuation pages that counts beyond SWAP_MAP_MAX need.
    trait Duplicate {
        fn __swap_duplicate(&mut self, entry: Entry, usage: u8, nr: i32) -> i64;
        fn swap_duplicate(&mut self, entry: Entry) -> i64;
        fn swapcache_prepare(&mut self, entry: Entry, nr: i32) -> i64;
        fn swap_shmem_alloc(&mut self, entry: Entry, nr: i32) -> i64;
        fn add_swap_count_continuation(&mut self, entry: Entry) -> i64;
    }

    /// Dropping references and the cache flag (mm/swapfile.c).
    trait Free {
        fn swapcache_clear(&mut self, entry: Entry, nr: i32) -> i64;
        fn swap_free_nr(&mut self, entry: Entry, nr: i32) -> i64;
        fn put_swap_folio(&mut self, entry: Entry, order: u32) -> i64;
        fn swapcache_free_entries(&mut self, entries: &[Entry]) -> i64;
        fn free_swap_and_cache_nr(&mut self, entry: Entry, nr: i32) -> i64;
    }

    /// Reading counts (mm/swapfile.c).
    trait Count {
        fn __swap_count(&mut self, entry: Entry) -> i64;
        fn swap_swapcount(&mut self, entry: Entry) -> i64;
        fn swp_swapcount(&mut self, entry: Entry) -> i64;
    }

    /// MTE tags across swap (arch/arm64/mm/mteswap.c).
    trait Mte {
        fn arch_prepare_to_swap(&mut self, folio: u32) -> i64;
        fn arch_swap_restore(&mut self, entry: Entry, folio: u32) -> i64;
        fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64;
        fn mte_restore_tags(&mut self, entry: Entry, folio: u32, idx: u32) -> i64;
        fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64;
        fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64;
        fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64;
        fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64;
    }

    /// Allocating slots over the avail list (mm/swapfile.c `get_swap_pages`).
    trait Allocate {
        /// n_ret and the n_ret entries; TRAPPED or REFUSED (`n_goal` outside 1..=64,
        /// `order` > 4) with no entries.
        fn get_swap_pages(&mut self, n_goal: i32, order: u32) -> (i64, Vec<Entry>);
    }

    /// Inspection: what the comparison reads. Nothing here changes state or records an
    /// event, except `take_events`, which returns and clears the log.
    trait Inspect {
        /// `si->max` of device `ty`, 0 when there is none.
        fn device_max(&self, ty: u32) -> u32;
        fn device_has_clusters(&self, ty: u32) -> bool;
        /// `si->inuse_pages`, 0 without a device.
        fn device_inuse_pages(&self, ty: u32) -> u32;
        /// The raw swap_map byte; None without a device or past its end.
        fn map_byte(&self, entry: Entry) -> Option<u8>;
        /// The whole raw swap_map of device `ty` (`device_max` bytes, header
        /// included; empty without a device): comparisons compare it as one region.
        fn swap_map(&self, ty: u32) -> &[u8];
        /// The byte at the entry's in-page offset in each page of its continuation list,
        /// head first (at most `MAX_CONT_PAGES`).
        fn cont_digits(&self, entry: Entry) -> Vec<u8>;
        /// (count, flags) of cluster `idx`; None without cluster_info or past the device.
        fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)>;
        fn nr_swap_pages(&self) -> i64;
        fn total_swap_pages(&self) -> i64;
        /// Allocations made at `site` and not yet freed.
        fn live_allocs(&self, site: Site) -> u64;
        /// The tag store (`mte_pages`), ascending by key.
        fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])>;
        /// A page's tags and `PG_*` flags; None for a bad handle or index.
        fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)>;
        /// The events recorded since the last call, oldest first; clears them.
        fn take_events(&mut self) -> Vec<Event>;
        /// `WORK_DISCARD` / `WORK_RECLAIM` bits of device `ty`'s queued work items; 0 without
        /// a device.
        fn work_queued(&self, ty: u32) -> u32;
        /// The cluster indices on list `list` (`LIST_FREE`, `list_nonfull(o)`, ...) of device
        /// `ty`, head first; empty without cluster_info or for a bad list.
        fn cluster_list(&self, ty: u32, list: u32) -> Vec<u32>;
        /// CPU 0's `percpu_cluster->next[order]`; 0 without cluster_info.
        fn percpu_next(&self, ty: u32, order: u32) -> u32;
        /// `si->frag_cluster_nr[order]`; 0 without a device or for a bad order.
        fn frag_cluster_nr(&self, ty: u32, order: u32) -> u32;
        /// `lowest_bit, highest_bit, cluster_next, cluster_nr`; zeros without a device.
        fn device_bits(&self, ty: u32) -> [u32; 4];
        /// Cluster `idx`'s `order` field; 0 without cluster_info or past the device.
        fn cluster_order(&self, ty: u32, idx: u32) -> u32;
    }
}
