//! The MTE tag store: arm64's `mte_pages` xarray, a map from swap entry value to the
//! 128 tag bytes saved for that page. Kept as a sorted vector: the store holds at most a
//! few hundred keys in any run, lookups are binary searches, range erases are one drain,
//! and a reset keeps the capacity.

use swapdiff_contract::TAG_BYTES;

pub type Tags = [u8; TAG_BYTES];

#[derive(Debug, Default, Clone)]
pub struct TagStore {
    entries: Vec<(u64, Tags)>,
}

impl TagStore {
    fn find(&self, key: u64) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&key, |e| e.0)
    }

    pub fn contains(&self, key: u64) -> bool {
        self.find(key).is_ok()
    }

    /// `xa_load`.
    pub fn get(&self, key: u64) -> Option<&Tags> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// `xa_store`: insert or replace; `true` when a previous buffer was replaced.
    pub fn store(&mut self, key: u64, tags: &Tags) -> bool {
        match self.find(key) {
            Ok(i) => {
                self.entries[i].1 = *tags;
                true
            }
            Err(i) => {
                self.entries.insert(i, (key, *tags));
                false
            }
        }
    }

    /// `xa_erase`: `true` when the key was present.
    pub fn erase(&mut self, key: u64) -> bool {
        match self.find(key) {
            Ok(i) => {
                self.entries.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Erase every key in `first..=last` (nothing when `first > last`); returns how many.
    pub fn erase_range(&mut self, first: u64, last: u64) -> usize {
        if first > last {
            return 0;
        }
        let lo = self.entries.partition_point(|e| e.0 < first);
        let hi = self.entries.partition_point(|e| e.0 <= last);
        self.entries.drain(lo..hi).count()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Ascending by key.
    pub fn iter(&self) -> impl Iterator<Item = &(u64, Tags)> {
        self.entries.iter()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_replace_erase_and_ranges() {
        let mut s = TagStore::default();
        assert!(!s.store(7, &[1; TAG_BYTES]));
        assert!(!s.store(3, &[2; TAG_BYTES]));
        assert!(s.store(7, &[9; TAG_BYTES]));
        assert_eq!(s.get(7), Some(&[9; TAG_BYTES]));
        assert_eq!(s.iter().map(|e| e.0).collect::<Vec<_>>(), vec![3, 7]);
        s.store(u64::MAX, &[0; TAG_BYTES]);
        assert_eq!(s.erase_range(4, u64::MAX), 2);
        assert_eq!(s.erase_range(5, 4), 0);
        assert!(s.erase(3));
        assert!(!s.erase(3));
        assert!(s.is_empty());
    }
}
