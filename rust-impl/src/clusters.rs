//! The cluster state of an SSD device as 6.12 keeps it: each `swap_cluster_info` (count,
//! flags, order) on one of the device's lists (`free_clusters`, `full_clusters`,
//! `discard_clusters`, `nonfull_clusters[o]`, `frag_clusters[o]`), `frag_cluster_nr[o]`,
//! and CPU 0's `percpu_cluster->next[o]`.
//!
//! A device has at most four clusters, so a list is not linked: each cluster records which
//! list it is on and when it was put at that list's tail (a sequence number). A list in
//! order is its clusters sorted by that number, `list_first_entry` the smallest, and
//! `list_move_tail` / `list_add_tail` give the cluster the next number. `list_del` takes
//! the cluster off every list (only `swap_do_scheduled_discard` does, for the length of a
//! discard).

use crate::kernel::{CLUSTER_FLAG_FREE, CLUSTER_FLAG_NONFULL, LIST_FREE, NR_ORDERS};

/// No list: the cluster was taken off by `list_del`.
const OFF_LIST: u8 = u8::MAX;

/// `struct swap_cluster_info` (without its lock) and its place on the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cluster {
    pub count: u16,
    pub flags: u8,
    pub order: u8,
    list: u8,
    seq: u32,
}

#[derive(Debug, Default)]
pub struct Clusters {
    pub info: Vec<Cluster>,
    /// The next tail position.
    seq: u32,
    /// `si->frag_cluster_nr[o]` (C `unsigned int`: a decrement below 0 wraps).
    pub frag_nr: [u32; NR_ORDERS],
    /// CPU 0's `cluster->next[o]`, 0 being `SWAP_NEXT_INVALID`.
    pub next: [u32; NR_ORDERS],
}

impl Clusters {
    /// `setup_clusters()` for a device of `n` clusters with no bad pages: cluster 0 counts
    /// the header slot and goes on `nonfull_clusters[0]` as NONFULL, the others on
    /// `free_clusters` in index order as FREE (with at most four clusters the column walk
    /// from `cluster_next` 1 is index order); every `next[o]` SWAP_NEXT_INVALID.
    pub fn setup(&mut self, n: usize) {
        self.info.clear();
        self.seq = 0;
        self.frag_nr = [0; NR_ORDERS];
        self.next = [0; NR_ORDERS];
        for i in 0..n {
            let seq = self.bump();
            let c = if i == 0 {
                Cluster { count: 1, flags: CLUSTER_FLAG_NONFULL, order: 0, list: crate::kernel::list_nonfull(0), seq }
            } else {
                Cluster { count: 0, flags: CLUSTER_FLAG_FREE, order: 0, list: LIST_FREE, seq }
            };
            self.info.push(c);
        }
    }

    pub fn clear(&mut self) {
        self.info.clear();
    }

    fn bump(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    /// `list_first_entry` of a non-empty list, `None` for `list_empty`.
    #[inline]
    pub fn first(&self, list: u8) -> Option<usize> {
        let mut best: Option<(u32, usize)> = None;
        for (i, c) in self.info.iter().enumerate() {
            if c.list == list && best.is_none_or(|(s, _)| c.seq < s) {
                best = Some((c.seq, i));
            }
        }
        best.map(|(_, i)| i)
    }

    #[inline]
    pub fn is_empty(&self, list: u8) -> bool {
        self.info.iter().all(|c| c.list != list)
    }

    /// `list_move_tail(&ci->list, list)` (also `list_add_tail` after a `list_del`).
    #[inline]
    pub fn move_tail(&mut self, idx: usize, list: u8) {
        let seq = self.bump();
        let c = &mut self.info[idx];
        c.list = list;
        c.seq = seq;
    }

    /// `list_del(&ci->list)`.
    #[inline]
    pub fn del(&mut self, idx: usize) {
        self.info[idx].list = OFF_LIST;
    }

    /// The clusters on `list`, head first.
    pub fn list(&self, list: u8) -> Vec<u32> {
        let mut on: Vec<(u32, u32)> =
            self.info.iter().enumerate().filter(|(_, c)| c.list == list).map(|(i, c)| (c.seq, i as u32)).collect();
        on.sort_unstable();
        on.into_iter().map(|(_, i)| i).collect()
    }

    /// Which list cluster `idx` is on (`None` after `list_del`).
    #[cfg(test)]
    pub fn list_of(&self, idx: usize) -> Option<u8> {
        self.info.get(idx).map(|c| c.list).filter(|&l| l != OFF_LIST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{list_nonfull, LIST_FULL};

    #[test]
    fn setup_puts_cluster_0_on_nonfull_0_and_the_rest_on_free_in_index_order() {
        let mut c = Clusters::default();
        c.setup(4);
        assert_eq!(c.list(list_nonfull(0)), vec![0]);
        assert_eq!(c.list(LIST_FREE), vec![1, 2, 3]);
        assert_eq!(c.first(LIST_FREE), Some(1));
    }

    #[test]
    fn move_tail_rotates_and_del_takes_off_every_list() {
        let mut c = Clusters::default();
        c.setup(4);
        c.move_tail(1, LIST_FREE);
        assert_eq!(c.list(LIST_FREE), vec![2, 3, 1]);
        c.move_tail(2, LIST_FULL);
        assert_eq!((c.list(LIST_FREE), c.list(LIST_FULL)), (vec![3, 1], vec![2]));
        c.del(3);
        assert_eq!((c.list(LIST_FREE), c.list_of(3)), (vec![1], None));
        assert!(c.is_empty(crate::kernel::LIST_DISCARD));
    }
}
