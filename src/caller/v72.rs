//! 7.2 (and 7.3, compiled through the same face) under the caller-level contract: each op as 7.2's callers make it, over the 7.2 C build
//! ([`Kernel72`]). The callers followed are 7.2's mm/vmscan.c (`shrink_folio_list`:
//! `folio_alloc_swap`, then `__remove_mapping`'s `__swap_cache_del_folio`), mm/rmap.c
//! (`try_to_unmap_one`: `folio_dup_swap(folio, subpage)` per PTE), mm/page_io.c
//! (`swap_writeout`: `folio_free_swap`, `arch_prepare_to_swap`), mm/memory.c
//! (`copy_nonpresent_pte`: `swap_dup_entry_direct`, and `swap_retry_table_alloc` on failure;
//! `zap_pte_range`: `swap_put_entries_direct`; `do_swap_page`: `swap_cache_get_folio` or
//! `swap_cache_alloc_folio`, `arch_swap_restore`, `folio_put_swap(folio, page)`,
//! `should_try_to_free_swap`) and mm/shmem.c (`shmem_writeout`: `folio_alloc_swap`,
//! `folio_dup_swap(folio, NULL)`; `shmem_swapin_folio`: `folio_put_swap`,
//! `swap_cache_del_folio`; truncation: `swap_put_entries_direct`).

use cshim::kernel72::Kernel72;
use swapdiff_contract::caller::Series;
use swapdiff_contract::table72::Slot72;
use swapdiff_contract::{entry_offset, Entry, Event, DEV_SSD, ENOMEM, PG_MTE_TAGGED, TAG_BYTES, TRAPPED};

pub struct Caller72 {
    pub kernel: Kernel72,
    clusters: u32,
    /// The build's series ("7.2", "7.3"), with "+patched" for the build with patches (stock and
    /// patched run side by side).
    label: &'static str,
}

fn trapped(ret: i64) -> Result<(), i32> {
    if ret == TRAPPED {
        Err(TRAPPED as i32)
    } else {
        Ok(())
    }
}

impl Caller72 {
    pub fn new(kernel: Kernel72) -> Caller72 {
        let b = kernel.build();
        let label = match (b.series, b.patches.is_empty()) {
            ("7.3", true) => "7.3",
            ("7.3", false) => "7.3+patched",
            (_, true) => "7.2",
            (_, false) => "7.2+patched",
        };
        Caller72 { kernel, clusters: 0, label }
    }

    fn vm_swap_full(&self) -> bool {
        self.kernel.nr_swap_pages() * 2 < self.kernel.total_swap_pages()
    }

    /// The cache's folio over `entry`, or a new order-0 one read in (do_swap_page's miss).
    fn find_or_read(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let h = self.kernel.swap_cache_get_folio(entry);
        let h = if h >= 0 {
            h as u32
        } else {
            let g = self.kernel.swap_cache_alloc_folio(entry, 0);
            if g < 0 {
                return Err(g as i32);
            }
            g as u32
        };
        let first = self.kernel.folio_info(h).map_or(entry, |i| i.swap);
        Ok((h, (entry - first) as u32))
    }
}

impl Series for Caller72 {
    fn series(&self) -> &'static str {
        self.label
    }

    fn kernel_version(&self) -> String {
        self.kernel.kernel_version()
    }

    fn start(&mut self, clusters: u32) -> i32 {
        self.kernel.env_reset();
        self.clusters = clusters;
        let ty = self.kernel.swapon(clusters, DEV_SSD);
        if ty < 0 {
            ty
        } else {
            0
        }
    }

    fn folio_new(&mut self, order: u32) -> Result<u32, i32> {
        // As for 6.12: no folio is the page allocator's -ENOMEM.
        let h = self.kernel.folio_new(order);
        if h < 0 {
            Err(-ENOMEM)
        } else {
            Ok(h as u32)
        }
    }

    fn folio_free(&mut self, folio: u32) {
        self.kernel.folio_free(folio);
    }

    fn page_tag(&mut self, folio: u32, idx: u32, tags: &[u8; TAG_BYTES]) {
        self.kernel.page_set(folio, idx, tags, PG_MTE_TAGGED);
    }

    fn page_tags(&self, folio: u32, idx: u32) -> ([u8; TAG_BYTES], bool) {
        self.kernel.page_get(folio, idx).map_or(([0; TAG_BYTES], false), |(t, f)| (t, f & PG_MTE_TAGGED != 0))
    }

    fn folio_set_mapped(&mut self, folio: u32, mapped: bool) {
        self.kernel.folio_set_mapped(folio, mapped);
    }

    fn swap_out(&mut self, folio: u32, ptes: &[u32], keep_cache: bool) -> Result<Entry, i32> {
        let ret = self.kernel.folio_alloc_swap(folio);
        trapped(ret)?;
        if ret != 0 {
            return Err(ret as i32);
        }
        let entry = self.kernel.folio_info(folio).map_or(0, |i| i.swap);
        // try_to_unmap_one: folio_dup_swap of the subpage per PTE; a failure restores the PTE
        // (nothing taken for it) and aborts the walk: the rest stay mapped, the folio in the
        // cache.
        for (i, &maps) in ptes.iter().enumerate() {
            for _ in 0..maps {
                let ret = self.kernel.folio_dup_swap(folio, Some(i as u32));
                trapped(ret)?;
                if ret != 0 {
                    return Err(ret as i32);
                }
            }
        }
        self.kernel.folio_set_mapped(folio, false);
        // swap_writeout: a folio no entry holds is freed instead of written.
        let freed = self.kernel.folio_free_swap(folio);
        trapped(freed)?;
        if freed == 1 {
            return Ok(entry);
        }
        let ret = self.kernel.arch_prepare_to_swap(folio);
        trapped(ret)?;
        if ret != 0 || keep_cache {
            return Ok(entry);
        }
        trapped(self.kernel.swap_cache_del_folio(folio))?;
        Ok(entry)
    }

    fn shmem_swap_out(&mut self, folio: u32) -> Result<Entry, i32> {
        let ret = self.kernel.folio_alloc_swap(folio);
        trapped(ret)?;
        if ret != 0 {
            return Err(ret as i32);
        }
        let entry = self.kernel.folio_info(folio).map_or(0, |i| i.swap);
        // shmem_writeout: the file's reference is folio_dup_swap(folio, NULL).
        let ret = self.kernel.folio_dup_swap(folio, None);
        trapped(ret)?;
        if ret != 0 {
            return Err(ret as i32);
        }
        let ret = self.kernel.arch_prepare_to_swap(folio);
        trapped(ret)?;
        if ret == 0 {
            trapped(self.kernel.swap_cache_del_folio(folio))?;
        }
        Ok(entry)
    }

    fn dup_pte(&mut self, entry: Entry) -> i64 {
        // copy_nonpresent_pte: swap_dup_entry_direct < 0 is -EIO, and copy_pte_range then
        // allocates the extend table with GFP_KERNEL (swap_retry_table_alloc) and retries.
        for _ in 0..3 {
            let ret = self.kernel.swap_dup_entry_direct(entry);
            if ret >= 0 || ret == TRAPPED {
                return ret;
            }
            let ret = self.kernel.swap_retry_table_alloc(entry);
            if ret != 0 {
                return if ret == TRAPPED { ret } else { -i64::from(ENOMEM) };
            }
        }
        -i64::from(ENOMEM)
    }

    fn zap_ptes(&mut self, entry: Entry, nr: u32) -> i64 {
        self.kernel.swap_put_entries_direct(entry, nr as i32)
    }

    fn cached_folio(&mut self, entry: Entry) -> Option<u32> {
        let h = self.kernel.swap_cache_get_folio(entry);
        (h >= 0).then_some(h as u32)
    }

    fn swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let (h, idx) = self.find_or_read(entry)?;
        let first = self.kernel.folio_info(h).map_or(entry, |i| i.swap);
        trapped(self.kernel.arch_swap_restore(first, h))?;
        // One PTE maps one page: folio_put_swap(folio, page).
        trapped(self.kernel.folio_put_swap(h, Some(idx)))?;
        // should_try_to_free_swap: a read fault, no SWP_SYNCHRONOUS_IO, no mlock, so only
        // mem_cgroup_swap_full(), which is vm_swap_full() without memcg.
        if self.vm_swap_full() {
            trapped(self.kernel.folio_free_swap(h))?;
        }
        Ok((h, idx))
    }

    fn shmem_swap_in(&mut self, entry: Entry) -> Result<(u32, u32), i32> {
        let (h, idx) = self.find_or_read(entry)?;
        let first = self.kernel.folio_info(h).map_or(entry, |i| i.swap);
        trapped(self.kernel.arch_swap_restore(first, h))?;
        trapped(self.kernel.folio_put_swap(h, None))?;
        trapped(self.kernel.swap_cache_del_folio(h))?;
        Ok((h, idx))
    }

    fn shmem_free_swap(&mut self, entry: Entry) -> i64 {
        self.kernel.swap_put_entries_direct(entry, 1)
    }

    fn free_cache(&mut self, folio: u32) -> i64 {
        self.kernel.free_swap_cache(folio)
    }

    fn folio_free_swap(&mut self, folio: u32) -> i64 {
        self.kernel.folio_free_swap(folio)
    }

    fn release_folio(&mut self, folio: u32) -> bool {
        if self.kernel.free_swap_cache(folio) == TRAPPED {
            return false;
        }
        !self.kernel.folio_info(folio).is_some_and(|i| i.swapcache)
    }

    fn swapoff_and_on(&mut self) -> i32 {
        let ret = self.kernel.swapoff(0);
        if ret != 0 {
            return ret;
        }
        let ty = self.kernel.swapon(self.clusters, DEV_SSD);
        if ty < 0 {
            ty
        } else {
            0
        }
    }

    fn swap_count(&mut self, entry: Entry) -> i64 {
        self.kernel.swp_swapcount(entry)
    }

    fn free_pages(&self) -> i64 {
        self.kernel.nr_swap_pages()
    }

    fn tag_store(&self) -> Vec<(Entry, [u8; TAG_BYTES])> {
        self.kernel.tag_store()
    }

    fn take_events(&mut self) -> Vec<Event> {
        self.kernel.take_events()
    }

    /// The raw view of 7.2: the table entry and the extend table, decoded independently
    /// (swapdiff_contract::table72), must say the count the callers hold.
    fn encoding_check(&self, entry: Entry, expected: u32) -> Option<String> {
        let tb = self.kernel.table_get(entry)?;
        let slot = Slot72::decode(tb);
        let count = slot.count_with(self.kernel.extend_get(entry));
        let ok = match slot {
            Slot72::Shadow { .. } | Slot72::Folio { .. } => count == expected,
            _ => false,
        };
        (!ok).then(|| {
            format!(
                "offset {}: table entry {tb:#x} ({slot:?}, extend {}) says count {count}, callers hold {expected}",
                entry_offset(entry),
                self.kernel.extend_get(entry)
            )
        })
    }
}
