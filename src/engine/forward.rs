//! Both implementations expose the same inherent methods (cshim's safe
//! wrapper and rust-impl's Model), so each adapter is this macro plus how to
//! translate that crate's `Site` and `Event`.

/// `forward_engine!(Adapter, "name", |s| their_site, |e| our_event)`:
/// implements [`Engine`](crate::engine::Engine) for `Adapter`, a wrapper
/// whose `.0` has the implementation's methods. Inherent methods of `.0` win
/// over methods it reaches by deref, which is how tests plant a bug in one
/// entry point of an otherwise faithful engine.
#[doc(hidden)]
#[macro_export]
macro_rules! forward_engine {
    ($adapter:ty, $name:expr, $site:expr, $event:expr) => {
        impl $crate::engine::Engine for $adapter {
            fn name(&self) -> &'static str {
                $name
            }
            fn env_reset(&mut self) {
                self.0.env_reset()
            }
            fn set_mte(&mut self, on: bool) {
                self.0.set_mte(on)
            }
            fn swapon(&mut self, nr_clusters: u32, with_cluster_info: bool) -> i32 {
                self.0.swapon(nr_clusters, with_cluster_info)
            }
            fn swapoff(&mut self, ty: u32) -> i32 {
                self.0.swapoff(ty)
            }
            fn mark_bad(&mut self, entry: u64) -> i32 {
                self.0.mark_bad(entry)
            }
            fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<u64, i32> {
                self.0.alloc_swap(ty, order)
            }
            fn fault_arm(&mut self, site: $crate::engine::Site, nth: u32) {
                self.0.fault_arm(($site)(site), nth)
            }
            fn folio_new(&mut self, order: u32) -> i32 {
                self.0.folio_new(order)
            }
            fn folio_free(&mut self, folio: u32) -> i32 {
                self.0.folio_free(folio)
            }
            fn folio_set_swap(&mut self, folio: u32, entry: u64) -> i32 {
                self.0.folio_set_swap(folio, entry)
            }
            fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; 128], flags: u32) -> i32 {
                self.0.page_set(folio, idx, tags, flags)
            }
            fn swapcache_add(&mut self, folio: u32) -> i32 {
                self.0.swapcache_add(folio)
            }
            fn swapcache_del(&mut self, folio: u32) -> i32 {
                self.0.swapcache_del(folio)
            }
            fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32 {
                self.0.folio_set_mapped(folio, mapped)
            }
            fn __swap_duplicate(&mut self, entry: u64, usage: u8, nr: i32) -> i64 {
                self.0.__swap_duplicate(entry, usage, nr)
            }
            fn swap_duplicate(&mut self, entry: u64) -> i64 {
                self.0.swap_duplicate(entry)
            }
            fn swapcache_prepare(&mut self, entry: u64, nr: i32) -> i64 {
                self.0.swapcache_prepare(entry, nr)
            }
            fn swap_shmem_alloc(&mut self, entry: u64, nr: i32) -> i64 {
                self.0.swap_shmem_alloc(entry, nr)
            }
            fn swapcache_clear(&mut self, entry: u64, nr: i32) -> i64 {
                self.0.swapcache_clear(entry, nr)
            }
            fn add_swap_count_continuation(&mut self, entry: u64) -> i64 {
                self.0.add_swap_count_continuation(entry)
            }
            fn swap_free_nr(&mut self, entry: u64, nr: i32) -> i64 {
                self.0.swap_free_nr(entry, nr)
            }
            fn put_swap_folio(&mut self, entry: u64, order: u32) -> i64 {
                self.0.put_swap_folio(entry, order)
            }
            fn swapcache_free_entries(&mut self, entries: &[u64]) -> i64 {
                self.0.swapcache_free_entries(entries)
            }
            fn free_swap_and_cache_nr(&mut self, entry: u64, nr: i32) -> i64 {
                self.0.free_swap_and_cache_nr(entry, nr)
            }
            fn __swap_count(&mut self, entry: u64) -> i64 {
                self.0.__swap_count(entry)
            }
            fn swap_swapcount(&mut self, entry: u64) -> i64 {
                self.0.swap_swapcount(entry)
            }
            fn swp_swapcount(&mut self, entry: u64) -> i64 {
                self.0.swp_swapcount(entry)
            }
            fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
                self.0.arch_prepare_to_swap(folio)
            }
            fn arch_swap_restore(&mut self, entry: u64, folio: u32) -> i64 {
                self.0.arch_swap_restore(entry, folio)
            }
            fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64 {
                self.0.mte_save_tags(folio, idx)
            }
            fn mte_restore_tags(&mut self, entry: u64, folio: u32, idx: u32) -> i64 {
                self.0.mte_restore_tags(entry, folio, idx)
            }
            fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64 {
                self.0.mte_invalidate_tags(ty, offset)
            }
            fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64 {
                self.0.mte_invalidate_tags_area(ty)
            }
            fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64 {
                self.0.arch_swap_invalidate_page(ty, offset)
            }
            fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64 {
                self.0.arch_swap_invalidate_area(ty)
            }
            fn device_max(&self, ty: u32) -> u32 {
                self.0.device_max(ty)
            }
            fn device_has_clusters(&self, ty: u32) -> bool {
                self.0.device_has_clusters(ty)
            }
            fn device_inuse_pages(&self, ty: u32) -> u32 {
                self.0.device_inuse_pages(ty)
            }
            fn map_byte(&self, entry: u64) -> Option<u8> {
                self.0.map_byte(entry)
            }
            fn cont_digits(&self, entry: u64) -> Vec<u8> {
                self.0.cont_digits(entry)
            }
            fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)> {
                self.0.cluster(ty, idx)
            }
            fn nr_swap_pages(&self) -> i64 {
                self.0.nr_swap_pages()
            }
            fn total_swap_pages(&self) -> i64 {
                self.0.total_swap_pages()
            }
            fn live_allocs(&self, site: $crate::engine::Site) -> u64 {
                self.0.live_allocs(($site)(site))
            }
            fn tag_store(&self) -> Vec<(u64, [u8; 128])> {
                self.0.tag_store()
            }
            fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; 128], u32)> {
                self.0.page_get(folio, idx)
            }
            fn take_events(&mut self) -> Vec<$crate::engine::Event> {
                self.0.take_events().into_iter().map($event).collect()
            }
        }
    };
}

pub(crate) use crate::forward_engine;
