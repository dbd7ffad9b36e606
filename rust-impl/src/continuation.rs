//! Count continuation: the higher digits of swap counts that outgrow their map byte.
//!
//! Each 4096-byte page of a device's `swap_map` may have a list of continuation pages.
//! The slot at in-page offset `off` keeps its k-th higher digit in byte `off` of the k-th
//! list page. Digits are 0..=SWAP_CONT_MAX (127) plus a COUNT_CONTINUED bit meaning
//! "a later page holds a non-zero digit". The low digit in the map byte runs 0..=62, so
//!
//! ```text
//!   total = low + d1 * 63 + d2 * 63 * 128 + d3 * 63 * 128^2 + ...
//! ```
//!
//! One list page lifts the ceiling from 62 to 62 + 127 * 63 = 8063 references; the
//! 8064th needs a second page.
//!
//! The kernel never zeroes a continuation page: a digit is written only when a carry first
//! reaches it (`*map = 0`, "we didn't zero the page"), and digits left behind when a count
//! shrinks stay as they are. The model keeps whole poisoned pages so raw bytes — poison,
//! stale digits — read back exactly as the kernel's would.

use crate::kernel::{COUNT_CONTINUED, PAGE_POISON, PAGE_SIZE, SWAP_CONT_MAX, SWAP_MAP_MAX};

/// One continuation page: a digit for every slot of its map page.
pub type DigitPage = Box<[u8; PAGE_SIZE]>;

/// Reuses freed pages so a fuzzer's reset-and-run loop does not hit the allocator.
#[derive(Debug, Default)]
pub struct PagePool {
    free: Vec<DigitPage>,
}

impl PagePool {
    /// A page as `alloc_page()` hands it out in this environment: every byte poison.
    pub fn take(&mut self) -> DigitPage {
        match self.free.pop() {
            Some(mut page) => {
                page.fill(PAGE_POISON);
                page
            }
            None => Box::new([PAGE_POISON; PAGE_SIZE]),
        }
    }

    pub fn give(&mut self, page: DigitPage) {
        self.free.push(page);
    }
}

/// A BUG_ON inside `swap_count_continued`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContBug {
    /// The count claims continuation but the map page has no list:
    /// `BUG_ON(count & COUNT_CONTINUED)`.
    ContinuedWithoutList,
    /// A carry or borrow walked past the last page: `BUG_ON(page == head)`.
    RanOffEnd,
    /// A borrow was asked for a count other than COUNT_CONTINUED:
    /// `BUG_ON(count != COUNT_CONTINUED)`.
    BorrowFromNonContinued,
    /// A borrow found a zero digit where it needed one: `BUG_ON(*map == 0)`.
    BorrowFromZero,
}

impl ContBug {
    /// The condition text as the kernel's macro stringifies it.
    pub fn text(self) -> &'static str {
        match self {
            ContBug::ContinuedWithoutList => "count & COUNT_CONTINUED",
            ContBug::RanOffEnd => "page == head",
            ContBug::BorrowFromNonContinued => "count != COUNT_CONTINUED",
            ContBug::BorrowFromZero => "*map == 0",
        }
    }
}

/// `add_swap_count_continuation`'s verdict on whether its new page is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provision {
    /// Some page already has room (or a stale page can be reused): free the new page.
    Enough,
    /// Link the new page at the tail.
    Append,
}

/// The list of continuation pages of one map page, head first. Non-empty exactly when
/// the kernel's `page_private(head) == SWP_CONTINUED` (the flag is set in the same step
/// that links the first page and is only cleared with the whole map at swapoff).
#[derive(Debug, Default)]
pub struct ContList {
    pages: Vec<DigitPage>,
}

impl ContList {
    /// `page_private(head) == SWP_CONTINUED`.
    pub fn is_linked(&self) -> bool {
        !self.pages.is_empty()
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The raw byte at `off` of every page, head first.
    pub fn digits(&self, off: usize) -> impl Iterator<Item = u8> + '_ {
        self.pages.iter().map(move |p| p[off])
    }

    /// Link a page at the tail (`list_add_tail`).
    pub fn push(&mut self, page: DigitPage) {
        self.pages.push(page);
    }

    /// Unlink every page (`free_swap_count_continuations`); returns how many went.
    pub fn release(&mut self, pool: &mut PagePool) -> usize {
        let n = self.pages.len();
        for page in self.pages.drain(..) {
            pool.give(page);
        }
        n
    }

    /// `swap_count_continued(si, offset, count)` for the slot at in-page offset `off`.
    ///
    /// `count` is the map byte without the cache flag. `SWAP_MAP_MAX` is the first carry
    /// out of the map byte (digit 1 of page 1 is set to 1 whatever was there);
    /// `SWAP_MAP_MAX | COUNT_CONTINUED` carries one further ("add 1 to 999": skip full
    /// pages that continue, step over a full last digit, write 0 into a digit reached for
    /// the first time, add one, and mark every page passed as COUNT_CONTINUED with digit
    /// 0); anything else borrows ("subtract 1 from 1000": skip continuing zero digits,
    /// take one, and refill every page passed with SWAP_CONT_MAX).
    ///
    /// Returns for a carry: `Ok(true)` carried, `Ok(false)` a new page is needed. For a
    /// borrow: whether the higher digits still hold more (`COUNT_CONTINUED` stays).
    pub fn continued(&mut self, off: usize, count: u8) -> Result<bool, ContBug> {
        if !self.is_linked() {
            if count & COUNT_CONTINUED != 0 {
                return Err(ContBug::ContinuedWithoutList);
            }
            return Ok(false);
        }
        if count == SWAP_MAP_MAX {
            self.pages[0][off] = 1;
            return Ok(true);
        }
        if count == SWAP_MAP_MAX | COUNT_CONTINUED {
            return self.carry(off);
        }
        self.borrow(off, count)
    }

    fn carry(&mut self, off: usize) -> Result<bool, ContBug> {
        let last = self.pages.len() - 1;
        let mut i = 0;
        while self.pages[i][off] == SWAP_CONT_MAX | COUNT_CONTINUED {
            if i == last {
                return Err(ContBug::RanOffEnd);
            }
            i += 1;
        }
        if self.pages[i][off] == SWAP_CONT_MAX {
            if i == last {
                return Ok(false);
            }
            i += 1;
            self.pages[i][off] = 0;
        }
        self.pages[i][off] = self.pages[i][off].wrapping_add(1);
        for page in &mut self.pages[..i] {
            page[off] = COUNT_CONTINUED;
        }
        Ok(true)
    }

    fn borrow(&mut self, off: usize, count: u8) -> Result<bool, ContBug> {
        if count != COUNT_CONTINUED {
            return Err(ContBug::BorrowFromNonContinued);
        }
        let last = self.pages.len() - 1;
        let mut i = 0;
        while self.pages[i][off] == COUNT_CONTINUED {
            if i == last {
                return Err(ContBug::RanOffEnd);
            }
            i += 1;
        }
        if self.pages[i][off] == 0 {
            return Err(ContBug::BorrowFromZero);
        }
        self.pages[i][off] -= 1;
        // The page nearest the map gets SWAP_CONT_MAX alone when the borrowed digit ran
        // out (nothing continues past it any more), with COUNT_CONTINUED otherwise; pages
        // further in always continue.
        let mut flag = if self.pages[i][off] == 0 { 0 } else { COUNT_CONTINUED };
        for page in self.pages[..i].iter_mut().rev() {
            page[off] = SWAP_CONT_MAX | flag;
            flag = COUNT_CONTINUED;
        }
        Ok(flag == COUNT_CONTINUED)
    }

    /// The digit walk of `swp_swapcount`: `low` plus each page's digit times its weight,
    /// following COUNT_CONTINUED bits. C `int` arithmetic, wrapping.
    ///
    /// `Err(())` when every page's digit continues: the kernel's walk would come back to
    /// the map page and loop for ever. No sequence of kernel operations can produce that
    /// (only a page that was passed by a later carry or borrow gets COUNT_CONTINUED, and
    /// the last page never is), so this exists to keep the model from spinning.
    #[allow(clippy::result_unit_err)]
    pub fn total(&self, off: usize, low: u8) -> Result<i32, ()> {
        let mut count = i32::from(low);
        let mut weight = i32::from(SWAP_MAP_MAX) + 1;
        for page in &self.pages {
            let digit = page[off];
            count = count.wrapping_add(i32::from(digit & !COUNT_CONTINUED).wrapping_mul(weight));
            weight = weight.wrapping_mul(i32::from(SWAP_CONT_MAX) + 1);
            if digit & COUNT_CONTINUED == 0 {
                return Ok(count);
            }
        }
        Err(())
    }

    /// The search `add_swap_count_continuation` does once its page is allocated: walk the
    /// pages while the previous digit (the map's `count` first) continues and the page's
    /// digit is full; only a walk that passes every page needs the new page.
    pub fn provision(&self, off: usize, count: u8) -> Provision {
        let mut prev = count;
        for page in &self.pages {
            if prev & COUNT_CONTINUED == 0 {
                return Provision::Enough;
            }
            prev = page[off];
            if prev & !COUNT_CONTINUED != SWAP_CONT_MAX {
                return Provision::Enough;
            }
        }
        Provision::Append
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slot::{dup_commit, put_ref, settle, DupStep, PutStep, Release, SlotByte, Usage};

    /// One slot's map byte with the list of its map page: enough to drive the digit
    /// arithmetic the way `swap_duplicate` / `swap_free` do, without a device.
    struct Counter {
        byte: u8,
        off: usize,
        list: ContList,
        pool: PagePool,
    }

    impl Counter {
        fn new(off: usize) -> Counter {
            // Count 1, as after allocation + one map reference + dropping the cache.
            Counter { byte: 1, off, list: ContList::default(), pool: PagePool::default() }
        }

        /// swap_duplicate: commit, and on a failed carry link a page and retry.
        fn inc(&mut self) {
            loop {
                match dup_commit(SlotByte(self.byte), Usage::Map(1)) {
                    DupStep::Write(b) => self.byte = b.0,
                    DupStep::Carry { count, cached } => {
                        if !self.list.continued(self.off, count).unwrap() {
                            assert_eq!(self.list.provision(self.off, count), Provision::Append);
                            let page = self.pool.take();
                            self.list.push(page);
                            continue;
                        }
                        self.byte = COUNT_CONTINUED | if cached { 0x40 } else { 0 };
                    }
                }
                return;
            }
        }

        fn dec(&mut self) -> Result<(), ContBug> {
            let (count, cached) = match put_ref(SlotByte(self.byte), Release::Ref) {
                PutStep::Settled { count, cached } => (count, cached),
                PutStep::Borrow { cached } => {
                    let more = self.list.continued(self.off, COUNT_CONTINUED)?;
                    (if more { SWAP_MAP_MAX | COUNT_CONTINUED } else { SWAP_MAP_MAX }, cached)
                }
                PutStep::NotCached => unreachable!(),
            };
            self.byte = settle(count, cached).0 .0;
            Ok(())
        }

        fn total(&self) -> i32 {
            let low = self.byte & 0x3f;
            if self.byte & COUNT_CONTINUED == 0 {
                return i32::from(self.byte & !0x40);
            }
            self.list.total(self.off, low).unwrap()
        }

        fn digits(&self) -> Vec<u8> {
            self.list.digits(self.off).collect()
        }
    }

    #[test]
    fn first_carry_links_one_page_and_sets_digit_one() {
        let mut c = Counter::new(5);
        for _ in 1..62 {
            c.inc();
        }
        // 62 references fit the map byte: SWAP_MAP_MAX, no list yet.
        assert_eq!((c.byte, c.list.len()), (SWAP_MAP_MAX, 0));
        c.inc();
        // 63 = low 0 + 1 * 63: COUNT_CONTINUED in the map, digit 1 in page 1.
        assert_eq!(c.byte, COUNT_CONTINUED);
        assert_eq!(c.digits(), vec![1]);
        assert_eq!(c.total(), 63);
        // The rest of the fresh page is poison ("we didn't zero the page").
        assert_eq!(c.list.digits(4).collect::<Vec<_>>(), vec![PAGE_POISON]);
    }

    #[test]
    fn carry_into_second_page_after_8063() {
        let mut c = Counter::new(7);
        for _ in 1..8063 {
            c.inc();
        }
        // 8063 = 62 + 127 * 63: map 0x3e|CONTINUED, page 1 digit SWAP_CONT_MAX, one page.
        assert_eq!(c.byte, SWAP_MAP_MAX | COUNT_CONTINUED);
        assert_eq!(c.digits(), vec![SWAP_CONT_MAX]);
        assert_eq!(c.total(), 8063);
        // The carry to 8064 finds the last digit full and no page after it: a second
        // page is linked, its digit set to 0 then 1, and page 1 becomes "0, continues".
        c.inc();
        assert_eq!(c.byte, COUNT_CONTINUED);
        assert_eq!(c.digits(), vec![COUNT_CONTINUED, 1]);
        assert_eq!(c.total(), 8064);
        assert_eq!(c.list.len(), 2);
        // A neighbour slot's byte on the new page is still poison.
        assert_eq!(c.list.digits(8).collect::<Vec<_>>(), vec![PAGE_POISON, PAGE_POISON]);
    }

    #[test]
    fn borrow_back_down_refills_with_cont_max_and_keeps_stale_digits() {
        let mut c = Counter::new(3);
        for _ in 1..8064 {
            c.inc();
        }
        assert_eq!(c.total(), 8064);
        // 8064 -> 8063: page 1 is "0, continues" so the borrow goes to page 2's digit 1,
        // which drops to 0; page 1 is refilled to SWAP_CONT_MAX without CONTINUED
        // (nothing beyond it any more) and the map low digit becomes 62 | CONTINUED.
        c.dec().unwrap();
        assert_eq!(c.byte, SWAP_MAP_MAX | COUNT_CONTINUED);
        assert_eq!(c.digits(), vec![SWAP_CONT_MAX, 0]);
        assert_eq!(c.total(), 8063);
        for _ in 0..(8063 - 62) {
            c.dec().unwrap();
        }
        // Back to 62: the last borrow took page 1's digit to 0 and reported "no more",
        // so the map byte is SWAP_MAP_MAX without CONTINUED. The digits stay as they were
        // left (stale 0s): the pages are never freed before swapoff.
        assert_eq!(c.byte, SWAP_MAP_MAX);
        assert_eq!(c.digits(), vec![0, 0]);
        assert_eq!(c.list.len(), 2);
        for _ in 0..61 {
            c.dec().unwrap();
        }
        assert_eq!(c.byte, 1);
        // Going up again reuses the linked pages: the first carry writes page 1's digit.
        for _ in 1..63 {
            c.inc();
        }
        assert_eq!(c.total(), 63);
        assert_eq!(c.digits(), vec![1, 0]);
    }

    #[test]
    fn carry_over_a_poisoned_digit_adds_to_the_poison() {
        // A page linked for another slot: at our offset it holds poison. The first carry
        // from SWAP_MAP_MAX overwrites page 1's digit, but a later carry that steps past
        // a full page 1 into page 2 writes 0 there first, so poison never counts.
        let mut list = ContList::default();
        let mut pool = PagePool::default();
        list.push(pool.take());
        assert_eq!(list.continued(9, SWAP_MAP_MAX), Ok(true));
        assert_eq!(list.digits(9).collect::<Vec<_>>(), vec![1]);
        // With page 1 at poison (0x6b, neither full nor continuing) an increment from
        // 0x3e|CONTINUED adds to it: the kernel trusts the digit it finds.
        let mut list = ContList::default();
        list.push(pool.take());
        assert_eq!(list.continued(9, SWAP_MAP_MAX | COUNT_CONTINUED), Ok(true));
        assert_eq!(list.digits(9).collect::<Vec<_>>(), vec![PAGE_POISON + 1]);
    }

    #[test]
    fn carry_without_list_asks_for_a_page_or_bugs() {
        let mut list = ContList::default();
        assert_eq!(list.continued(0, SWAP_MAP_MAX), Ok(false));
        assert_eq!(list.continued(0, SWAP_MAP_MAX | COUNT_CONTINUED), Err(ContBug::ContinuedWithoutList));
        assert_eq!(list.continued(0, COUNT_CONTINUED), Err(ContBug::ContinuedWithoutList));
    }

    #[test]
    fn walks_off_the_end_and_zero_borrows_bug() {
        let mut pool = PagePool::default();
        let mut list = ContList::default();
        list.push(pool.take());
        // A stale "full and continues" digit on the last page: the carry steps past it.
        list.pages[0][2] = SWAP_CONT_MAX | COUNT_CONTINUED;
        assert_eq!(list.continued(2, SWAP_MAP_MAX | COUNT_CONTINUED), Err(ContBug::RanOffEnd));
        list.pages[0][2] = COUNT_CONTINUED;
        assert_eq!(list.continued(2, COUNT_CONTINUED), Err(ContBug::RanOffEnd));
        list.pages[0][2] = 0;
        assert_eq!(list.continued(2, COUNT_CONTINUED), Err(ContBug::BorrowFromZero));
        assert_eq!(list.continued(2, 0x81), Err(ContBug::BorrowFromNonContinued));
        assert_eq!(list.total(2, 0), Ok(0));
        list.pages[0][2] = 0xff;
        assert_eq!(list.total(2, 0), Err(()));
    }

    #[test]
    fn provision_reuses_pages_with_room() {
        let mut pool = PagePool::default();
        let mut list = ContList::default();
        assert_eq!(list.provision(1, SWAP_MAP_MAX), Provision::Append);
        list.push(pool.take());
        // Map says "no continuation" but a page exists: use it.
        assert_eq!(list.provision(1, SWAP_MAP_MAX), Provision::Enough);
        list.pages[0][1] = SWAP_CONT_MAX;
        assert_eq!(list.provision(1, SWAP_MAP_MAX | COUNT_CONTINUED), Provision::Append);
        list.pages[0][1] = 5;
        assert_eq!(list.provision(1, SWAP_MAP_MAX | COUNT_CONTINUED), Provision::Enough);
    }

    #[test]
    fn release_returns_pages_to_the_pool_poisoned_again() {
        let mut pool = PagePool::default();
        let mut list = ContList::default();
        list.push(pool.take());
        list.pages[0][0] = 3;
        assert_eq!(list.release(&mut pool), 1);
        assert!(!list.is_linked());
        assert!(pool.take().iter().all(|&b| b == PAGE_POISON));
    }
}
