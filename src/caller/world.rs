//! The caller's world: two processes' page tables and a shmem file, over one series. It runs
//! caller-level ops through a [`Series`], keeps which of the series' folios and entries stand
//! for which of its own objects (numbered in the order they appear, so two series that behave
//! alike number them alike), and after every op takes an [`Observation`] in those numbers.
//!
//! The world also knows what the swap code owes its callers (the spec at the caller level):
//! every swapped page's count is the number of PTEs and shmem pages that hold it, the free
//! count is the device's pages minus the slots in use, a swapped-in page has the tags it had
//! when it was swapped out, and nothing WARNs, BUGs or hangs. [`World::violations`] says
//! where that fails.

use swapdiff_contract::caller::{CallerOp, Series, MAX_CLONE, NR_MMS, NR_PTES, NR_SHMEM};
use swapdiff_contract::{Entry, EventKind, TAG_BYTES, TRAPPED};

/// One page-table entry, or one page of the shmem file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pte {
    None,
    /// World folio, page of it.
    Present {
        folio: usize,
        page: u32,
    },
    /// World slot (one swapped-out folio's entries), page of it.
    Swap {
        slot: usize,
        page: u32,
    },
}

#[derive(Debug, Clone)]
struct Folio {
    handle: u32,
    order: u32,
    /// Mappings of each page (PTEs in both processes; a shmem page counts one).
    maps: Vec<u32>,
    shmem: bool,
    /// The slot whose entries the swap cache holds this folio at.
    cached: Option<usize>,
}

#[derive(Debug, Clone)]
struct Slot {
    /// The series' first entry; page `i` is `entry + i`.
    entry: Entry,
    /// PTEs and shmem pages holding each page's entry.
    refs: Vec<u32>,
    /// The tags each page had when it went out (None: untagged).
    tags: Vec<Option<[u8; TAG_BYTES]>>,
    /// The world folio the swap cache holds over each page's entry (a large folio covers
    /// them all; an order-0 swap-in one).
    cached: Vec<Option<usize>>,
    /// Pages whose entry was freed: the allocator may hand it out again, to another slot.
    gone: Vec<bool>,
}

impl Slot {
    fn new(entry: Entry, refs: Vec<u32>, tags: Vec<Option<[u8; TAG_BYTES]>>) -> Slot {
        let nr = refs.len();
        Slot { entry, refs, tags, cached: vec![None; nr], gone: vec![false; nr] }
    }

    /// A page of the slot is in use while an entry holds it or the cache pins it; once
    /// neither does, its entry is free and no longer the slot's.
    fn live(&self, page: usize) -> bool {
        !self.gone[page] && (self.refs[page] > 0 || self.cached[page].is_some())
    }
}

/// What a step left, in world numbers: equal for two series that behave alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The op's result as the caller saw it (0, or the errno).
    pub result: i64,
    pub ptes: Vec<Pte>,
    pub shmem: Vec<Pte>,
    /// The sharers' copies, oldest first.
    pub clones: Vec<Pte>,
    /// Per live slot page: (slot, page, the kernel's count, the cached folio).
    pub slots: Vec<(usize, u32, i64, Option<usize>)>,
    pub free_pages: i64,
    /// The tag store, by (slot, page); an entry no slot has is (usize::MAX, offset).
    pub tag_store: Vec<((usize, u64), [u8; TAG_BYTES])>,
    /// The kinds of the events the step recorded.
    pub events: Vec<EventKind>,
}

pub struct World<'s> {
    series: &'s mut dyn Series,
    ptes: [[Pte; NR_PTES]; NR_MMS],
    shmem: [Pte; NR_SHMEM],
    /// The sharers of [`CallerOp::Clone`], each one page-table entry.
    clones: Vec<Pte>,
    folios: Vec<Option<Folio>>,
    slots: Vec<Option<Slot>>,
    clusters: u32,
    /// Violations of the caller-level spec found so far, with the op index.
    violations: Vec<(usize, String)>,
    /// The index of the op running now (what a violation found during it is filed under).
    current: usize,
    /// The events of the step, whole (the observation keeps their kinds).
    pub last_events: Vec<swapdiff_contract::Event>,
    trapped: bool,
}

/// The tags a fault gives page `page` of world folio `folio`: distinct per page, so a page
/// restored with another page's tags is seen.
fn tags_for(folio: usize, page: u32) -> [u8; TAG_BYTES] {
    let mut t = [0u8; TAG_BYTES];
    for (i, b) in t.iter_mut().enumerate() {
        *b = (folio as u8).wrapping_mul(31) ^ (page as u8).wrapping_mul(7) ^ (i as u8) | 1;
    }
    t
}

impl<'s> World<'s> {
    /// The series with one SSD of `clusters` clusters.
    pub fn new(series: &'s mut dyn Series, clusters: u32) -> Result<World<'s>, String> {
        let ret = series.start(clusters);
        if ret != 0 {
            return Err(format!("{}: swapon of {clusters} clusters failed: {ret}", series.series()));
        }
        Ok(World {
            series,
            ptes: [[Pte::None; NR_PTES]; NR_MMS],
            shmem: [Pte::None; NR_SHMEM],
            clones: Vec::new(),
            folios: Vec::new(),
            slots: Vec::new(),
            clusters,
            violations: Vec::new(),
            current: 0,
            last_events: Vec::new(),
            trapped: false,
        })
    }

    pub fn series_name(&self) -> &'static str {
        self.series.series()
    }

    /// Whether a step hit a BUG or hang (the program stops there).
    pub fn trapped(&self) -> bool {
        self.trapped
    }

    /// Free swap pages now, as the series counts them.
    pub fn free_pages(&self) -> i64 {
        self.series.free_pages()
    }

    pub fn violations(&self) -> &[(usize, String)] {
        &self.violations
    }

    fn folio(&self, id: usize) -> &Folio {
        self.folios[id].as_ref().expect("a world folio a PTE maps is live")
    }

    fn add_folio(&mut self, f: Folio) -> usize {
        self.folios.push(Some(f));
        self.folios.len() - 1
    }

    fn add_slot(&mut self, s: Slot) -> usize {
        self.slots.push(Some(s));
        self.slots.len() - 1
    }

    /// The world folio of a series handle, if the world knows it.
    fn folio_of_handle(&self, handle: u32) -> Option<usize> {
        self.folios.iter().position(|f| f.as_ref().is_some_and(|f| f.handle == handle))
    }

    fn slot_entry(&self, slot: usize, page: u32) -> Entry {
        self.slots[slot].as_ref().expect("live slot").entry + u64::from(page)
    }

    /// Runs one op (`index` in the program), then checks the spec and observes.
    pub fn step(&mut self, index: usize, op: CallerOp) -> Observation {
        self.current = index;
        let result = if self.trapped { 0 } else { self.run(op) };
        if result == TRAPPED {
            self.trapped = true;
        }
        self.refresh_cache();
        self.drop_dead_slots();
        self.last_events = self.series.take_events();
        self.check(index);
        self.observe(result)
    }

    fn run(&mut self, op: CallerOp) -> i64 {
        match op {
            CallerOp::Fault { mm, pte, order, tagged } => self.fault(mm, pte, order, tagged),
            CallerOp::SwapOut { mm, pte, keep_cache } => self.swap_out(mm, pte, keep_cache),
            CallerOp::Fork => self.fork(),
            CallerOp::Zap { mm, pte, nr } => self.zap(mm, pte, nr),
            CallerOp::SwapIn { mm, pte } => self.swap_in(usize::from(mm) % NR_MMS, usize::from(pte) % NR_PTES),
            CallerOp::ShmemNew { slot, .. } => self.shmem_new(slot),
            CallerOp::ShmemSwapOut { slot } => self.shmem_swap_out(slot),
            CallerOp::ShmemSwapIn { slot } => self.shmem_swap_in(usize::from(slot) % NR_SHMEM),
            CallerOp::ShmemTruncate { slot } => self.shmem_truncate(slot),
            CallerOp::FreeCache { mm, pte } => self.free_cache(mm, pte),
            CallerOp::Swapoff => self.swapoff(),
            CallerOp::Clone { mm, pte, n } => self.clone_pte(mm, pte, n),
            CallerOp::Exit { n } => self.exit(n),
        }
    }

    fn fault(&mut self, mm: u8, pte: u8, order: u8, tagged: bool) -> i64 {
        let order = u32::from(order) % 5;
        let nr = 1usize << order;
        let (mm, base) = (usize::from(mm) % NR_MMS, (usize::from(pte) % NR_PTES) & !(nr - 1));
        if self.ptes[mm][base..base + nr].iter().any(|p| *p != Pte::None) {
            return 0;
        }
        let handle = match self.series.folio_new(order) {
            Ok(h) => h,
            Err(e) => return i64::from(e),
        };
        let id = self.add_folio(Folio { handle, order, maps: vec![1; nr], shmem: false, cached: None });
        if tagged {
            for page in 0..nr as u32 {
                self.series.page_tag(handle, page, &tags_for(id, page));
            }
        }
        self.series.folio_set_mapped(handle, true);
        for (i, p) in self.ptes[mm][base..base + nr].iter_mut().enumerate() {
            *p = Pte::Present { folio: id, page: i as u32 };
        }
        0
    }

    /// The tags each page of `folio` has now (None: untagged).
    fn current_tags(&self, handle: u32, nr: usize) -> Vec<Option<[u8; TAG_BYTES]>> {
        (0..nr as u32)
            .map(|p| {
                let (tags, tagged) = self.series.page_tags(handle, p);
                tagged.then_some(tags)
            })
            .collect()
    }

    fn swap_out(&mut self, mm: u8, pte: u8, keep_cache: bool) -> i64 {
        let (mm, pte) = (usize::from(mm) % NR_MMS, usize::from(pte) % NR_PTES);
        let Pte::Present { folio: id, .. } = self.ptes[mm][pte] else { return 0 };
        let f = self.folio(id).clone();
        if f.shmem || f.cached.is_some() {
            return 0;
        }
        let nr = 1usize << f.order;
        let tags = self.current_tags(f.handle, nr);
        let entry = match self.series.swap_out(f.handle, &f.maps, keep_cache) {
            Ok(e) => e,
            Err(e) => return i64::from(e),
        };
        let slot = self.add_slot(Slot::new(entry, f.maps.clone(), tags));
        for p in self.ptes.iter_mut().flatten().chain(self.clones.iter_mut()) {
            if let Pte::Present { folio, page } = *p {
                if folio == id {
                    *p = Pte::Swap { slot, page };
                }
            }
        }
        // arch_prepare_to_swap may fail: writeback is skipped and the folio stays in the cache.
        if keep_cache || self.series.cached_folio(entry).is_some() {
            self.slots[slot].as_mut().expect("live").cached = vec![Some(id); nr];
            let f = self.folios[id].as_mut().expect("live");
            f.cached = Some(slot);
            f.maps = vec![0; nr];
        } else {
            self.series.folio_free(f.handle);
            self.folios[id] = None;
        }
        0
    }

    fn fork(&mut self) -> i64 {
        if self.ptes[1].iter().any(|p| *p != Pte::None) {
            return 0;
        }
        for i in 0..NR_PTES {
            match self.ptes[0][i] {
                Pte::None => {}
                Pte::Present { folio, page } => {
                    self.folios[folio].as_mut().expect("live").maps[page as usize] += 1;
                    self.ptes[1][i] = self.ptes[0][i];
                }
                Pte::Swap { slot, page } => {
                    let ret = self.series.dup_pte(self.slot_entry(slot, page));
                    if ret != 0 {
                        // copy_page_range failed: the child is torn down.
                        if ret != TRAPPED {
                            self.zap(1, 0, NR_PTES as u8);
                        }
                        return ret;
                    }
                    self.slots[slot].as_mut().expect("live").refs[page as usize] += 1;
                    self.ptes[1][i] = self.ptes[0][i];
                }
            }
        }
        0
    }

    /// One present page unmapped: the folio goes with its last mapping unless the swap cache
    /// keeps it.
    fn unmap_page(&mut self, id: usize, page: u32) {
        let f = self.folios[id].as_mut().expect("live");
        f.maps[page as usize] -= 1;
        if f.maps.iter().any(|&m| m > 0) {
            return;
        }
        let handle = f.handle;
        self.series.folio_set_mapped(handle, false);
        if self.series.release_folio(handle) {
            self.uncache(id);
            self.folios[id] = None;
        }
    }

    fn zap(&mut self, mm: u8, pte: u8, nr: u8) -> i64 {
        let mm = usize::from(mm) % NR_MMS;
        let start = usize::from(pte) % NR_PTES;
        let end = (start + usize::from(nr).max(1)).min(NR_PTES);
        let mut i = start;
        while i < end {
            match self.ptes[mm][i] {
                Pte::None => i += 1,
                Pte::Present { folio, page } => {
                    self.ptes[mm][i] = Pte::None;
                    self.unmap_page(folio, page);
                    i += 1;
                }
                Pte::Swap { slot, page } => {
                    // A run of consecutive entries of one slot: zap_pte_range hands them over
                    // as one batch (free_swap_and_cache_nr / swap_put_entries_direct).
                    let mut n = 1;
                    while i + n < end && self.ptes[mm][i + n] == (Pte::Swap { slot, page: page + n as u32 }) {
                        n += 1;
                    }
                    let ret = self.series.zap_ptes(self.slot_entry(slot, page), n as u32);
                    if ret == TRAPPED {
                        return ret;
                    }
                    for k in 0..n {
                        self.ptes[mm][i + k] = Pte::None;
                        self.slots[slot].as_mut().expect("live").refs[page as usize + k] -= 1;
                    }
                    i += n;
                }
            }
        }
        0
    }

    /// One page-table entry copied into a new sharer: a swap entry duplicated (fork's
    /// copy_nonpresent_pte), or a present page mapped once more.
    fn copy_pte(&mut self, pte: Pte) -> i64 {
        match pte {
            Pte::None => 0,
            Pte::Present { folio, page } => {
                self.folios[folio].as_mut().expect("live").maps[page as usize] += 1;
                0
            }
            Pte::Swap { slot, page } => {
                let ret = self.series.dup_pte(self.slot_entry(slot, page));
                if ret == 0 {
                    self.slots[slot].as_mut().expect("live").refs[page as usize] += 1;
                }
                ret
            }
        }
    }

    /// One page-table entry zapped on its own.
    fn zap_one(&mut self, pte: Pte) -> i64 {
        match pte {
            Pte::None => 0,
            Pte::Present { folio, page } => {
                self.unmap_page(folio, page);
                0
            }
            Pte::Swap { slot, page } => {
                let ret = self.series.zap_ptes(self.slot_entry(slot, page), 1);
                if ret != TRAPPED {
                    self.slots[slot].as_mut().expect("live").refs[page as usize] -= 1;
                }
                ret
            }
        }
    }

    fn clone_pte(&mut self, mm: u8, pte: u8, n: u8) -> i64 {
        let pte = self.ptes[usize::from(mm) % NR_MMS][usize::from(pte) % NR_PTES];
        if pte == Pte::None {
            return 0;
        }
        for _ in 0..n {
            if self.clones.len() == MAX_CLONE {
                break;
            }
            let ret = self.copy_pte(pte);
            if ret != 0 {
                return ret;
            }
            self.clones.push(pte);
        }
        0
    }

    fn exit(&mut self, n: u8) -> i64 {
        for _ in 0..n {
            let Some(pte) = self.clones.pop() else { break };
            let ret = self.zap_one(pte);
            if ret == TRAPPED {
                return ret;
            }
        }
        0
    }

    /// The folio a swap-in returned, as a world folio (a new one, or the cached one).
    fn adopt(&mut self, handle: u32, shmem: bool) -> usize {
        match self.folio_of_handle(handle) {
            Some(id) => id,
            None => {
                let order = 0;
                self.add_folio(Folio { handle, order, maps: vec![0], shmem, cached: None })
            }
        }
    }

    /// After a swap-in, the page must carry the tags it went out with.
    fn check_restored_tags(&mut self, slot: usize, page: u32, handle: u32, idx: u32) {
        let want = self.slots[slot].as_ref().expect("live").tags[page as usize];
        if let Some(want) = want {
            let (got, tagged) = self.series.page_tags(handle, idx);
            if !tagged || got != want {
                self.violations.push((
                    self.current,
                    format!(
                        "swap-in of slot {slot} page {page}: the page does not carry the tags it was swapped out with"
                    ),
                ));
            }
        }
    }

    fn swap_in(&mut self, mm: usize, pte: usize) -> i64 {
        let Pte::Swap { slot, page } = self.ptes[mm][pte] else { return 0 };
        let (handle, idx) = match self.series.swap_in(self.slot_entry(slot, page)) {
            Ok(x) => x,
            Err(e) => return i64::from(e),
        };
        self.check_restored_tags(slot, page, handle, idx);
        let id = self.adopt(handle, false);
        self.folios[id].as_mut().expect("live").maps[idx as usize] += 1;
        self.series.folio_set_mapped(handle, true);
        self.slots[slot].as_mut().expect("live").refs[page as usize] -= 1;
        self.ptes[mm][pte] = Pte::Present { folio: id, page: idx };
        0
    }

    fn shmem_new(&mut self, slot: u8) -> i64 {
        let s = usize::from(slot) % NR_SHMEM;
        if self.shmem[s] != Pte::None {
            return 0;
        }
        let handle = match self.series.folio_new(0) {
            Ok(h) => h,
            Err(e) => return i64::from(e),
        };
        let id = self.add_folio(Folio { handle, order: 0, maps: vec![1], shmem: true, cached: None });
        self.shmem[s] = Pte::Present { folio: id, page: 0 };
        0
    }

    fn shmem_swap_out(&mut self, slot: u8) -> i64 {
        let s = usize::from(slot) % NR_SHMEM;
        let Pte::Present { folio: id, .. } = self.shmem[s] else { return 0 };
        let f = self.folio(id).clone();
        let tags = self.current_tags(f.handle, 1);
        let entry = match self.series.shmem_swap_out(f.handle) {
            Ok(e) => e,
            Err(e) => return i64::from(e),
        };
        let sl = self.add_slot(Slot::new(entry, vec![1], tags));
        self.series.folio_free(f.handle);
        self.folios[id] = None;
        self.shmem[s] = Pte::Swap { slot: sl, page: 0 };
        0
    }

    fn shmem_swap_in(&mut self, s: usize) -> i64 {
        let Pte::Swap { slot, page } = self.shmem[s] else { return 0 };
        let (handle, idx) = match self.series.shmem_swap_in(self.slot_entry(slot, page)) {
            Ok(x) => x,
            Err(e) => return i64::from(e),
        };
        self.check_restored_tags(slot, page, handle, idx);
        let id = self.adopt(handle, true);
        let f = self.folios[id].as_mut().expect("live");
        f.maps[idx as usize] += 1;
        f.shmem = true;
        self.slots[slot].as_mut().expect("live").refs[page as usize] -= 1;
        self.shmem[s] = Pte::Present { folio: id, page: idx };
        0
    }

    fn shmem_truncate(&mut self, slot: u8) -> i64 {
        let s = usize::from(slot) % NR_SHMEM;
        match self.shmem[s] {
            Pte::None => 0,
            Pte::Present { folio, page } => {
                self.shmem[s] = Pte::None;
                self.unmap_page(folio, page);
                0
            }
            Pte::Swap { slot, page } => {
                let ret = self.series.shmem_free_swap(self.slot_entry(slot, page));
                if ret != TRAPPED {
                    self.slots[slot].as_mut().expect("live").refs[page as usize] -= 1;
                    self.shmem[s] = Pte::None;
                }
                ret
            }
        }
    }

    fn free_cache(&mut self, mm: u8, pte: u8) -> i64 {
        let (mm, pte) = (usize::from(mm) % NR_MMS, usize::from(pte) % NR_PTES);
        let Pte::Present { folio, .. } = self.ptes[mm][pte] else { return 0 };
        let f = self.folio(folio);
        if f.cached.is_none() {
            return 0;
        }
        self.series.free_cache(f.handle)
    }

    /// try_to_unuse: every swapped page back in (the cache's folios first released from their
    /// entries), then the device off and on again.
    fn swapoff(&mut self) -> i64 {
        for mm in 0..NR_MMS {
            for pte in 0..NR_PTES {
                if matches!(self.ptes[mm][pte], Pte::Swap { .. }) {
                    let ret = self.swap_in(mm, pte);
                    if ret != 0 {
                        return ret;
                    }
                    self.refresh_cache();
                }
            }
        }
        for c in 0..self.clones.len() {
            if let Pte::Swap { slot, page } = self.clones[c] {
                match self.series.swap_in(self.slot_entry(slot, page)) {
                    Ok((handle, idx)) => {
                        self.check_restored_tags(slot, page, handle, idx);
                        let id = self.adopt(handle, false);
                        self.folios[id].as_mut().expect("live").maps[idx as usize] += 1;
                        self.series.folio_set_mapped(handle, true);
                        self.slots[slot].as_mut().expect("live").refs[page as usize] -= 1;
                        self.clones[c] = Pte::Present { folio: id, page: idx };
                    }
                    Err(e) => return i64::from(e),
                }
                self.refresh_cache();
            }
        }
        for s in 0..NR_SHMEM {
            if matches!(self.shmem[s], Pte::Swap { .. }) {
                let ret = self.shmem_swap_in(s);
                if ret != 0 {
                    return ret;
                }
                self.refresh_cache();
            }
        }
        // Folios still in the cache (swapped in from it, or kept by reclaim): try_to_unuse's
        // folio_free_swap.
        for id in 0..self.folios.len() {
            if let Some(f) = &self.folios[id] {
                if f.cached.is_some() {
                    let ret = self.series.folio_free_swap(f.handle);
                    if ret == TRAPPED {
                        return ret;
                    }
                    self.refresh_cache();
                }
            }
        }
        // Cached, unmapped folios the kernel kept: released now.
        for id in 0..self.folios.len() {
            if let Some(f) = &self.folios[id] {
                if f.maps.iter().all(|&m| m == 0) {
                    let handle = f.handle;
                    if self.series.release_folio(handle) {
                        self.folios[id] = None;
                    }
                }
            }
        }
        self.refresh_cache();
        self.drop_dead_slots();
        let ret = self.series.swapoff_and_on();
        if ret == 0 {
            // Swapoff forgets every slot (none was left, or the spec check says otherwise).
            for s in self.slots.iter_mut() {
                *s = None;
            }
            for f in self.folios.iter_mut().flatten() {
                f.cached = None;
            }
        }
        i64::from(ret)
    }

    /// Forgets that the cache holds world folio `id` anywhere.
    fn uncache(&mut self, id: usize) {
        for s in self.slots.iter_mut().flatten() {
            for c in s.cached.iter_mut() {
                if *c == Some(id) {
                    *c = None;
                }
            }
        }
    }

    /// Which folio the swap cache holds over each page of each slot, as the series says:
    /// reclaim, zap and swap-in decide it by rules (vm_swap_full, mappings) the world reads
    /// back.
    fn refresh_cache(&mut self) {
        for slot in 0..self.slots.len() {
            let Some(s) = &self.slots[slot] else { continue };
            let (entry, nr) = (s.entry, s.refs.len());
            for page in 0..nr {
                if self.slots[slot].as_ref().expect("live").gone[page] {
                    continue;
                }
                let holder = self.series.cached_folio(entry + page as u64);
                let world = holder.map(|h| self.adopt(h, false));
                self.slots[slot].as_mut().expect("live").cached[page] = world;
                if let Some(id) = world {
                    self.folios[id].as_mut().expect("live").cached = Some(slot);
                }
            }
        }
        // A folio out of the cache and unmapped is gone (the kernel dropped its last
        // reference with the cache's).
        for id in 0..self.folios.len() {
            if self.folios[id].is_none() {
                continue;
            }
            let cached_now = self.slots.iter().flatten().any(|s| s.cached.contains(&Some(id)));
            if !cached_now {
                let f = self.folios[id].as_mut().expect("live");
                f.cached = None;
                if f.maps.iter().all(|&m| m == 0) {
                    let handle = f.handle;
                    self.series.folio_free(handle);
                    self.folios[id] = None;
                }
            }
        }
    }

    /// Pages no entry holds and no cache pins are gone (their entries free); slots with no
    /// page left are gone from the world.
    fn drop_dead_slots(&mut self) {
        for s in self.slots.iter_mut() {
            if let Some(slot) = s {
                for p in 0..slot.refs.len() {
                    if !slot.live(p) {
                        slot.gone[p] = true;
                    }
                }
                if slot.gone.iter().all(|&g| g) {
                    *s = None;
                }
            }
        }
    }

    /// The caller-level spec after step `index`.
    fn check(&mut self, index: usize) {
        for e in &self.last_events {
            if matches!(e.kind, EventKind::Warn | EventKind::Bug | EventKind::Hang) {
                self.violations.push((index, format!("{e}")));
            }
        }
        if self.trapped {
            return;
        }
        let mut in_use = 0i64;
        for slot in 0..self.slots.len() {
            let Some(s) = self.slots[slot].clone() else { continue };
            for page in 0..s.refs.len() {
                if !s.live(page) {
                    continue;
                }
                in_use += 1;
                let entry = s.entry + page as u64;
                let count = self.series.swap_count(entry);
                if count != i64::from(s.refs[page]) {
                    self.violations.push((
                        index,
                        format!(
                            "slot {slot} page {page}: swap count {count}, but {} PTE or shmem references hold it",
                            s.refs[page]
                        ),
                    ));
                }
                if let Some(why) = self.series.encoding_check(entry, s.refs[page]) {
                    self.violations.push((index, format!("slot {slot} page {page}: {why}")));
                }
            }
        }
        let pages = i64::from(self.clusters) * i64::from(swapdiff_contract::SWAPFILE_CLUSTER) - 1;
        let free = self.series.free_pages();
        if free != pages - in_use {
            self.violations.push((
                index,
                format!("{free} free swap pages, but {pages} pages with {in_use} in use leave {}", pages - in_use),
            ));
        }
    }

    fn observe(&mut self, result: i64) -> Observation {
        let ptes = self.ptes.iter().flat_map(|t| t.iter().copied()).collect();
        let mut slots = Vec::new();
        for slot in 0..self.slots.len() {
            let Some(s) = self.slots[slot].clone() else { continue };
            for page in 0..s.refs.len() {
                if s.live(page) {
                    let count = self.series.swap_count(s.entry + page as u64);
                    slots.push((slot, page as u32, count, s.cached[page]));
                }
            }
        }
        // In world names, sorted: the series' own order follows where its allocator put them.
        let mut tag_store: Vec<_> =
            self.series.tag_store().into_iter().map(|(entry, tags)| (self.name_entry(entry), tags)).collect();
        tag_store.sort();
        Observation {
            result,
            ptes,
            shmem: self.shmem.to_vec(),
            clones: self.clones.clone(),
            slots,
            free_pages: self.series.free_pages(),
            tag_store,
            events: self.last_events.iter().map(|e| e.kind).collect(),
        }
    }

    /// An entry in world numbers: (slot, page), or (MAX, the raw entry) when no slot has it.
    fn name_entry(&self, entry: Entry) -> (usize, u64) {
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(s) = s {
                if entry >= s.entry && entry < s.entry + s.refs.len() as u64 && !s.gone[(entry - s.entry) as usize] {
                    return (i, entry - s.entry);
                }
            }
        }
        (usize::MAX, entry)
    }
}
