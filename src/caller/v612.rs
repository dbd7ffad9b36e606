//! 6.12 under the caller-level contract: each op as 6.12's callers make it, over the 6.12
//! [`Engine`] (the C build or the model). The callers followed are 6.12's mm/vmscan.c
//! (`shrink_folio_list`: `add_to_swap`, `try_to_unmap`, `pageout`, `__remove_mapping`),
//! mm/rmap.c (`try_to_unmap_one`: `swap_duplicate` per PTE), mm/memory.c (`copy_nonpresent_pte`
//! with `add_swap_count_continuation` on -ENOMEM, `zap_pte_range`'s `free_swap_and_cache_nr`,
//! `do_swap_page`), mm/shmem.c (`shmem_writepage`: `swap_shmem_alloc`; `shmem_swapin_folio`)
//! and mm/swap_state.c (`read_swap_cache_async`: `swapcache_prepare`, `free_swap_cache`).
//!
//! The swap cache of 6.12's harness is the environment's (`swapcache_add`/`swapcache_del`), so
//! this adapter keeps which folio it put there over which entries; a slot whose map byte lost
//! `SWAP_HAS_CACHE` was dropped by the kernel (`delete_from_swap_cache` in reclaim).
//! `folio_free_swap` is not in the 6.12 extract: its two steps (no entry still counted, then
//! `delete_from_swap_cache`) are written here from 6.12's mm/swapfile.c.

use swapdiff_contract::caller::Series;
use swapdiff_contract::prelude::*;
use swapdiff_contract::{
    entry_offset, Entry, Event, DEV_SSD, ENOMEM, PG_MTE_TAGGED, SWAP_HAS_CACHE, SWAP_MAP_SHMEM, TAG_BYTES, TRAPPED,
};

pub struct Caller612<E: Engine> {
    pub engine: E,
    clusters: u32,
    /// The folios this adapter added to the swap cache: (handle, first entry, pages).
    cached: Vec<(u32, Entry, u32)>,
    /// Folios some PTE maps (free_swap_cache leaves those alone).
    mapped: std::collections::BTreeSet<u32>,
}

impl<E: Engine> Caller612<E> {
    pub fn new(engine: E) -> Caller612<E> {
        Caller612 { engine, clusters: 0, cached: Vec::new(), mapped: Default::default() }
    }

    /// Forgets folios whose slots the kernel took out of the cache.
    fn sync_cache(&mut self) {
        let engine = &self.engine;
        self.cached.retain(|&(_, e, _)| engine.map_byte(e).is_some_and(|b| b & SWAP_HAS_CACHE != 0));
    }

    fn order_of(nr: u32) -> u32 {
        nr.trailing_zeros()
    }

    /// `delete_from_swap_cache`: out of the cache, then the cache's reference on the slots.
    fn delete_from_swap_cache(&mut self, folio: u32) -> i64 {
        let Some(pos) = self.cached.iter().position(|c| c.0 == folio) else { return 0 };
        let (_, entry, nr) = self.cached.remove(pos);
        self.engine.swapcache_del(folio);
        self.engine.put_swap_folio(entry, Self::order_of(nr))
    }

    /// `folio_free_swap`: only when no entry of the folio is still counted.
    fn free_swap(&mut self, folio: u32) -> bool {
        let Some(&(_, entry, nr)) = self.cached.iter().find(|c| c.0 == folio) else { return false };
        if (0..u64::from(nr)).any(|i| self.engine.__swap_count(entry + i) != 0) {
            return false;
        }
        self.delete_from_swap_cache(folio) != TRAPPED
    }

    /// `vm_swap_full()`, which `should_try_to_free_swap` asks (mem_cgroup_swap_full without
    /// memcg).
    fn vm_swap_full(&self) -> bool {
        self.engine.nr_swap_pages() * 2 < self.engine.total_swap_pages()
    }

    /// The folio holding `entry` in the cache, and the page of it.
    fn lookup(&mut self, entry: Entry) -> Option<(u32, u32)> {
        self.sync_cache();
        self.cached
            .iter()
            .find(|&&(_, e, nr)| entry >= e && entry < e + u64::from(nr))
            .map(|&(h, e, _)| (h, (entry - e) as u32))
    }

    /// `read_swap_cache_async`'s miss: `swapcache_prepare`, a new order-0 folio in the cache.
    fn read_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let ret = self.engine.swapcache_prepare(entry, 1);
        if ret != 0 {
            return Err(ret as i32);
        }
        let h = self.engine.folio_new(0);
        if h < 0 {
            // __read_swap_cache_async: no folio, the cache reference goes back; -ENOMEM.
            self.engine.swapcache_clear(entry, 1);
            return Err(-ENOMEM);
        }
        let h = h as u32;
        self.engine.folio_set_swap(h, entry);
        self.engine.swapcache_add(h);
        self.cached.push((h, entry, 1));
        Ok((h, 0))
    }

    fn first_entry_of(&self, folio: u32) -> Option<(Entry, u32)> {
        self.cached.iter().find(|c| c.0 == folio).map(|c| (c.1, c.2))
    }
}

impl<E: Engine> Series for Caller612<E> {
    fn series(&self) -> &'static str {
        "6.12"
    }

    fn kernel_version(&self) -> String {
        "6.12".into()
    }

    fn start(&mut self, clusters: u32) -> i32 {
        self.engine.env_reset();
        self.cached.clear();
        self.mapped.clear();
        self.clusters = clusters;
        let ty = self.engine.swapon(clusters, DEV_SSD);
        if ty < 0 {
            ty
        } else {
            0
        }
    }

    fn folio_new(&mut self, order: u32) -> Result<u32, i32> {
        // No folio for the fault is the page allocator failing: -ENOMEM, whatever the
        // harness's handle table says (-ENOSPC when it is full).
        let h = self.engine.folio_new(order);
        if h < 0 {
            Err(-ENOMEM)
        } else {
            Ok(h as u32)
        }
    }

    fn folio_free(&mut self, folio: u32) {
        self.engine.folio_free(folio);
    }

    fn page_tag(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES]) {
        self.engine.page_set(folio, idx, tags, PG_MTE_TAGGED);
    }

    fn page_tags(&self, folio: u32, idx: u32) -> ([u8; TAG_BYTES], bool) {
        self.engine.page_get(folio, idx).map_or(([0; TAG_BYTES], false), |(t, f)| (t, f & PG_MTE_TAGGED != 0))
    }

    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) {
        if mapped {
            self.mapped.insert(folio);
        } else {
            self.mapped.remove(&folio);
        }
        self.engine.folio_set_mapped(folio, mapped);
    }

    fn swap_out(&mut self, folio: u32, ptes: &[u32], keep_cache: bool) -> Result<Entry, i32> {
        let nr = ptes.len() as u32;
        // add_to_swap: folio_alloc_swap (get_swap_pages with SWAP_HAS_CACHE), add_to_swap_cache.
        let (n, entries) = self.engine.get_swap_pages(1, Self::order_of(nr));
        if n == TRAPPED {
            return Err(TRAPPED as i32);
        }
        let Some(&entry) = entries.first().filter(|_| n >= 1) else { return Err(-ENOMEM) };
        self.engine.folio_set_swap(folio, entry);
        self.engine.swapcache_add(folio);
        self.cached.push((folio, entry, nr));
        // try_to_unmap_one: one swap_duplicate per PTE of each page.
        for (i, &maps) in ptes.iter().enumerate() {
            for _ in 0..maps {
                let ret = self.engine.swap_duplicate(entry + i as u64);
                if ret != 0 {
                    return Err(ret as i32);
                }
            }
        }
        self.folio_set_mapped(folio, false);
        // pageout -> swap_writepage: a folio no entry holds is freed instead of written;
        // arch_prepare_to_swap failing leaves it dirty in the cache.
        if self.free_swap(folio) {
            return Ok(entry);
        }
        let ret = self.engine.arch_prepare_to_swap(folio);
        if ret == TRAPPED {
            return Err(TRAPPED as i32);
        }
        if ret != 0 || keep_cache {
            return Ok(entry);
        }
        // __remove_mapping: __delete_from_swap_cache and put_swap_folio.
        if self.delete_from_swap_cache(folio) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        Ok(entry)
    }

    fn shmem_swap_out(&mut self, folio: u32) -> Result<Entry, i32> {
        // shmem_writepage: folio_alloc_swap, add_to_swap_cache, swap_shmem_alloc (the file's
        // reference is SWAP_MAP_SHMEM), then writeout and reclaim's removal from the cache.
        let (n, entries) = self.engine.get_swap_pages(1, 0);
        if n == TRAPPED {
            return Err(TRAPPED as i32);
        }
        let Some(&entry) = entries.first().filter(|_| n >= 1) else { return Err(-ENOMEM) };
        self.engine.folio_set_swap(folio, entry);
        self.engine.swapcache_add(folio);
        self.cached.push((folio, entry, 1));
        if self.engine.swap_shmem_alloc(entry, 1) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        let ret = self.engine.arch_prepare_to_swap(folio);
        if ret == TRAPPED {
            return Err(TRAPPED as i32);
        }
        if ret == 0 && self.delete_from_swap_cache(folio) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        Ok(entry)
    }

    fn dup_pte(&mut self, entry: Entry) -> i64 {
        // copy_nonpresent_pte: swap_duplicate (which itself retries with a GFP_ATOMIC
        // continuation); -ENOMEM makes copy_pte_range add one with GFP_KERNEL and retry.
        for _ in 0..3 {
            let ret = self.engine.swap_duplicate(entry);
            if ret != -i64::from(ENOMEM) {
                return ret;
            }
            let ret = self.engine.add_swap_count_continuation(entry);
            if ret != 0 {
                return if ret == TRAPPED { ret } else { -i64::from(ENOMEM) };
            }
        }
        -i64::from(ENOMEM)
    }

    fn zap_ptes(&mut self, entry: Entry, nr: u32) -> i64 {
        let ret = self.engine.free_swap_and_cache_nr(entry, nr as i32);
        self.sync_cache();
        ret
    }

    fn cached_folio(&mut self, entry: Entry) -> Option<u32> {
        self.lookup(entry).map(|(h, _)| h)
    }

    fn swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let (h, idx) = match self.lookup(entry) {
            Some(x) => x,
            None => self.read_in(entry)?,
        };
        let (first, _) = self.first_entry_of(h).unwrap_or((entry, 1));
        // do_swap_page: arch_swap_restore of the folio, then the PTE's reference.
        if self.engine.arch_swap_restore(first, h) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        if self.engine.swap_free_nr(entry, 1) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        if self.vm_swap_full() {
            self.free_swap(h);
        }
        Ok((h, idx))
    }

    fn shmem_swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let (h, idx) = match self.lookup(entry) {
            Some(x) => x,
            None => self.read_in(entry)?,
        };
        let (first, _) = self.first_entry_of(h).unwrap_or((entry, 1));
        if self.engine.arch_swap_restore(first, h) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        // shmem_swapin_folio: delete_from_swap_cache, then swap_free_nr of the file's entry.
        if self.delete_from_swap_cache(h) == TRAPPED || self.engine.swap_free_nr(entry, 1) == TRAPPED {
            return Err(TRAPPED as i32);
        }
        Ok((h, idx))
    }

    fn shmem_free_swap(&mut self, entry: Entry) -> i64 {
        let ret = self.engine.free_swap_and_cache_nr(entry, 1);
        self.sync_cache();
        ret
    }

    fn free_cache(&mut self, folio: u32) -> i64 {
        // free_swap_cache: only an unmapped folio (the caller's trylock always succeeds).
        if !self.mapped.contains(&folio) {
            self.free_swap(folio);
        }
        0
    }

    fn folio_free_swap(&mut self, folio: u32) -> i64 {
        i64::from(self.free_swap(folio))
    }

    fn release_folio(&mut self, folio: u32) -> bool {
        self.sync_cache();
        self.free_cache(folio);
        if self.cached.iter().any(|c| c.0 == folio) {
            return false;
        }
        true
    }

    fn swapoff_and_on(&mut self) -> i32 {
        let ret = self.engine.swapoff(0);
        if ret != 0 {
            return ret;
        }
        self.cached.clear();
        let ty = self.engine.swapon(self.clusters, DEV_SSD);
        if ty < 0 {
            ty
        } else {
            0
        }
    }

    fn swap_count(&mut self, entry: Entry) -> i64 {
        // The file's reference is SWAP_MAP_SHMEM in the map (COUNT_CONTINUED's bit set, so
        // swp_swapcount would walk a continuation that is not there): it is one reference.
        if self.engine.map_byte(entry).is_some_and(|b| b & !SWAP_HAS_CACHE == SWAP_MAP_SHMEM) {
            return 1;
        }
        self.engine.swp_swapcount(entry)
    }

    fn free_pages(&self) -> i64 {
        self.engine.nr_swap_pages()
    }

    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])> {
        self.engine.tag_store()
    }

    fn take_events(&mut self) -> Vec<Event> {
        self.engine.take_events()
    }

    fn encoding_check(&self, entry: Entry, expected: u32) -> Option<String> {
        // The raw 6.12 encoding is the differential run's (the model against the C); here only
        // what a count needs: a counted slot's byte is not free.
        let byte = self.engine.map_byte(entry)?;
        (expected > 0 && byte == 0).then(|| format!("offset {}: map byte 0 with a count", entry_offset(entry)))
    }
}
