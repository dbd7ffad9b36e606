//! Queued work and what it runs: `swap_discard_work` (the scheduled discards) and
//! `swap_reclaim_work` (`swap_reclaim_full_clusters(si, true)`).

use super::reclaim::{TTRS_ANYWAY, TTRS_DIRECT};
use crate::events::{Check, Flow};
use crate::kernel::{LIST_FULL, SWAPFILE_CLUSTER, SWAP_HAS_CACHE, WORK_DISCARD, WORK_RECLAIM};
use crate::work::MAX_FLUSH_ITEMS;
use crate::Model;
use swapdiff_contract::{EventKind, TRAPPED};

const FLUSH_HANG: Check =
    Check { kind: EventKind::Hang, func: "flush_work", text: "work queued itself again 64 times" };

impl Model {
    /// `flush_work()` of the environment: queued items oldest first, each its own kernel
    /// call; 0, or TRAPPED at the first item that trapped (later items stay queued).
    pub(crate) fn flush_all_work(&mut self) -> i64 {
        let mut ran = 0;
        while !self.work.is_empty() {
            // A 65th item in one flush is not run (it stays queued).
            if ran == MAX_FLUSH_ITEMS {
                self.events.fire(FLUSH_HANG);
                return TRAPPED;
            }
            let (ty, work) = self.work.pop().expect("not empty");
            ran += 1;
            if self.run_work(ty as usize, work).is_err() {
                return TRAPPED;
            }
        }
        0
    }

    /// swapoff's `flush_work(&p->discard_work); flush_work(&p->reclaim_work)`: the device's
    /// own items, discard first; other devices' items stay queued. An item the flush queues
    /// again (the reclaim worker freeing a cluster of a discarding device) goes with the
    /// device ([`Model::drop_device_work`]).
    pub(crate) fn flush_device_work(&mut self, t: usize) -> Flow<()> {
        for work in [WORK_DISCARD, WORK_RECLAIM] {
            if self.work.take(t as u32, work) {
                self.run_work(t, work)?;
            }
        }
        Ok(())
    }

    /// The device is gone: so are its queued items.
    pub(crate) fn drop_device_work(&mut self, t: usize) {
        self.work.take(t as u32, WORK_DISCARD);
        self.work.take(t as u32, WORK_RECLAIM);
    }

    fn run_work(&mut self, t: usize, work: u32) -> Flow<()> {
        if !self.devices[t].present {
            return Ok(()); // swapoff ran the device's items before it went
        }
        if work == WORK_DISCARD {
            // swap_discard_work()
            self.swap_do_scheduled_discard(t);
            Ok(())
        } else {
            // swap_reclaim_work()
            self.swap_reclaim_full_clusters(t, true)
        }
    }

    /// `swap_reclaim_full_clusters(si, force)`: rotate the full list, reclaiming every
    /// cache-only slot of each cluster visited; one cluster, or with `force` as many as
    /// `inuse_pages / SWAPFILE_CLUSTER` (at least one).
    pub(crate) fn swap_reclaim_full_clusters(&mut self, t: usize, force: bool) -> Flow<()> {
        let mut to_scan: i64 = if force { i64::from(self.devices[t].inuse / SWAPFILE_CLUSTER as u32) } else { 1 };
        while let Some(idx) = self.devices[t].clusters.first(LIST_FULL) {
            self.devices[t].clusters.move_tail(idx, LIST_FULL);
            let mut offset = idx as u64 * SWAPFILE_CLUSTER;
            let end = u64::from(self.devices[t].max).min(offset + SWAPFILE_CLUSTER);
            to_scan -= 1;
            while offset < end {
                if self.devices[t].byte(offset) == SWAP_HAS_CACHE {
                    let n = self.try_to_reclaim_swap(t, offset, TTRS_ANYWAY | TTRS_DIRECT)?;
                    if n != 0 {
                        offset += u64::from(n.unsigned_abs());
                        continue;
                    }
                }
                offset += 1;
            }
            if to_scan <= 0 {
                break;
            }
        }
        Ok(())
    }
}
