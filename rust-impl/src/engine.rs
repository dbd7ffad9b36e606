//! The model is an [`Engine`]. Each entry point is implemented, with its semantics, where
//! its family lives (`ops/*.rs`, `inspect.rs`) as an inherent method of the same name and
//! signature; this impl only names them for the trait, and the compiler checks that each
//! signature is the contract's.

use swapdiff_contract::{Engine, Entry, Event, Site, TAG_BYTES};

use crate::Model;

impl Engine for Model {
    fn env_reset(&mut self) {
        Model::env_reset(self)
    }

    fn set_mte(&mut self, on: bool) {
        Model::set_mte(self, on)
    }

    fn swapon(&mut self, nr_clusters: u32, with_cluster_info: bool) -> i32 {
        Model::swapon(self, nr_clusters, with_cluster_info)
    }

    fn swapoff(&mut self, ty: u32) -> i32 {
        Model::swapoff(self, ty)
    }

    fn mark_bad(&mut self, entry: Entry) -> i32 {
        Model::mark_bad(self, entry)
    }

    fn alloc_swap(&mut self, ty: u32, order: u32) -> Result<Entry, i32> {
        Model::alloc_swap(self, ty, order)
    }

    fn fault_arm(&mut self, site: Site, nth: u32) {
        Model::fault_arm(self, site, nth)
    }

    fn folio_new(&mut self, order: u32) -> i32 {
        Model::folio_new(self, order)
    }

    fn folio_free(&mut self, folio: u32) -> i32 {
        Model::folio_free(self, folio)
    }

    fn folio_set_swap(&mut self, folio: u32, entry: Entry) -> i32 {
        Model::folio_set_swap(self, folio, entry)
    }

    fn page_set(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES], flags: u32) -> i32 {
        Model::page_set(self, folio, idx, tags, flags)
    }

    fn swapcache_add(&mut self, folio: u32) -> i32 {
        Model::swapcache_add(self, folio)
    }

    fn swapcache_del(&mut self, folio: u32) -> i32 {
        Model::swapcache_del(self, folio)
    }

    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) -> i32 {
        Model::folio_set_mapped(self, folio, mapped)
    }

    fn __swap_duplicate(&mut self, entry: Entry, usage: u8, nr: i32) -> i64 {
        Model::__swap_duplicate(self, entry, usage, nr)
    }

    fn swap_duplicate(&mut self, entry: Entry) -> i64 {
        Model::swap_duplicate(self, entry)
    }

    fn swapcache_prepare(&mut self, entry: Entry, nr: i32) -> i64 {
        Model::swapcache_prepare(self, entry, nr)
    }

    fn swap_shmem_alloc(&mut self, entry: Entry, nr: i32) -> i64 {
        Model::swap_shmem_alloc(self, entry, nr)
    }

    fn swapcache_clear(&mut self, entry: Entry, nr: i32) -> i64 {
        Model::swapcache_clear(self, entry, nr)
    }

    fn add_swap_count_continuation(&mut self, entry: Entry) -> i64 {
        Model::add_swap_count_continuation(self, entry)
    }

    fn swap_free_nr(&mut self, entry: Entry, nr: i32) -> i64 {
        Model::swap_free_nr(self, entry, nr)
    }

    fn put_swap_folio(&mut self, entry: Entry, order: u32) -> i64 {
        Model::put_swap_folio(self, entry, order)
    }

    fn swapcache_free_entries(&mut self, entries: &[Entry]) -> i64 {
        Model::swapcache_free_entries(self, entries)
    }

    fn free_swap_and_cache_nr(&mut self, entry: Entry, nr: i32) -> i64 {
        Model::free_swap_and_cache_nr(self, entry, nr)
    }

    fn __swap_count(&mut self, entry: Entry) -> i64 {
        Model::__swap_count(self, entry)
    }

    fn swap_swapcount(&mut self, entry: Entry) -> i64 {
        Model::swap_swapcount(self, entry)
    }

    fn swp_swapcount(&mut self, entry: Entry) -> i64 {
        Model::swp_swapcount(self, entry)
    }

    fn arch_prepare_to_swap(&mut self, folio: u32) -> i64 {
        Model::arch_prepare_to_swap(self, folio)
    }

    fn arch_swap_restore(&mut self, entry: Entry, folio: u32) -> i64 {
        Model::arch_swap_restore(self, entry, folio)
    }

    fn mte_save_tags(&mut self, folio: u32, idx: u32) -> i64 {
        Model::mte_save_tags(self, folio, idx)
    }

    fn mte_restore_tags(&mut self, entry: Entry, folio: u32, idx: u32) -> i64 {
        Model::mte_restore_tags(self, entry, folio, idx)
    }

    fn mte_invalidate_tags(&mut self, ty: u32, offset: u64) -> i64 {
        Model::mte_invalidate_tags(self, ty, offset)
    }

    fn mte_invalidate_tags_area(&mut self, ty: u32) -> i64 {
        Model::mte_invalidate_tags_area(self, ty)
    }

    fn arch_swap_invalidate_page(&mut self, ty: u32, offset: u64) -> i64 {
        Model::arch_swap_invalidate_page(self, ty, offset)
    }

    fn arch_swap_invalidate_area(&mut self, ty: u32) -> i64 {
        Model::arch_swap_invalidate_area(self, ty)
    }

    fn device_max(&self, ty: u32) -> u32 {
        Model::device_max(self, ty)
    }

    fn device_has_clusters(&self, ty: u32) -> bool {
        Model::device_has_clusters(self, ty)
    }

    fn device_inuse_pages(&self, ty: u32) -> u32 {
        Model::device_inuse_pages(self, ty)
    }

    fn map_byte(&self, entry: Entry) -> Option<u8> {
        Model::map_byte(self, entry)
    }

    fn cont_digits(&self, entry: Entry) -> Vec<u8> {
        Model::cont_digits(self, entry)
    }

    fn cluster(&self, ty: u32, idx: u32) -> Option<(u32, u32)> {
        Model::cluster(self, ty, idx)
    }

    fn nr_swap_pages(&self) -> i64 {
        Model::nr_swap_pages(self)
    }

    fn total_swap_pages(&self) -> i64 {
        Model::total_swap_pages(self)
    }

    fn live_allocs(&self, site: Site) -> u64 {
        Model::live_allocs(self, site)
    }

    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])> {
        Model::tag_store(self)
    }

    fn page_get(&self, folio: u32, idx: u32) -> Option<([u8; TAG_BYTES], u32)> {
        Model::page_get(self, folio, idx)
    }

    fn take_events(&mut self) -> Vec<Event> {
        Model::take_events(self)
    }
}
