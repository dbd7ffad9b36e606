//! The one work queue of the environment (INTERFACES-17 section 3): `schedule_work()` appends
//! an item that is not queued yet (a pending item is left alone, as `queue_work` does), and
//! `flush_work` takes items oldest first. An item is a device's `discard_work` or
//! `reclaim_work`, named by its device type and its `WORK_*` bit.

use crate::kernel::MAX_DEVICES;

/// Items run in one flush before it is a HANG (`work queued itself again 64 times`).
pub const MAX_FLUSH_ITEMS: usize = 64;

#[derive(Debug, Default)]
pub struct WorkQueue {
    /// `(type, WORK_DISCARD or WORK_RECLAIM)`, oldest first; at most 2 per device.
    items: Vec<(u32, u32)>,
}

impl WorkQueue {
    /// `schedule_work(w)`: true when it was queued now, false when it was pending.
    pub fn schedule(&mut self, ty: u32, work: u32) -> bool {
        if self.items.contains(&(ty, work)) {
            return false;
        }
        self.items.push((ty, work));
        true
    }

    /// The oldest item, taken off the queue.
    pub fn pop(&mut self) -> Option<(u32, u32)> {
        (!self.items.is_empty()).then(|| self.items.remove(0))
    }

    /// Take one device's item off the queue if it is there (swapoff's `flush_work`).
    pub fn take(&mut self, ty: u32, work: u32) -> bool {
        let before = self.items.len();
        self.items.retain(|&i| i != (ty, work));
        self.items.len() != before
    }

    /// The `WORK_*` bits queued for device `ty`.
    pub fn queued(&self, ty: u32) -> u32 {
        self.items.iter().filter(|&&(t, _)| t == ty).fold(0, |bits, &(_, w)| bits | w)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
        debug_assert!(self.items.capacity() <= 2 * MAX_DEVICES || self.items.capacity() < 64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{WORK_DISCARD, WORK_RECLAIM};

    #[test]
    fn a_pending_item_is_not_queued_twice_and_items_run_oldest_first() {
        let mut q = WorkQueue::default();
        assert!(q.schedule(1, WORK_RECLAIM));
        assert!(q.schedule(0, WORK_DISCARD));
        assert!(!q.schedule(1, WORK_RECLAIM));
        assert_eq!((q.queued(1), q.queued(0), q.queued(2)), (WORK_RECLAIM, WORK_DISCARD, 0));
        assert_eq!(q.pop(), Some((1, WORK_RECLAIM)));
        assert!(q.take(0, WORK_DISCARD));
        assert!(!q.take(0, WORK_DISCARD));
        assert!(q.is_empty() && q.pop().is_none());
    }
}
