//! Interesting states a run reached, so a campaign can prove it explored
//! them (and say how often).

use crate::engine::{EventKind, Site};
use crate::exec::Outcome;
use crate::program::{Mode, Op, SWAP_HAS_CACHE, SWAP_MAP_SHMEM};

const ENOMEM: i64 = -(swapdiff_contract::ENOMEM as i64);
const EEXIST: i64 = -(swapdiff_contract::EEXIST as i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    ContinuationPage,
    SecondContinuationPage,
    Shmem,
    CacheConflict,
    MteSave,
    MteRestore,
    MteRollback,
    FaultContPage,
    FaultTagStorage,
    FaultXaNode,
    Warn,
    BugInRaw,
    Hang,
    ReclaimFromCache,
    ComparedAfterTrap,
}

impl Feature {
    pub const ALL: [Feature; 15] = [
        Feature::ContinuationPage,
        Feature::SecondContinuationPage,
        Feature::Shmem,
        Feature::CacheConflict,
        Feature::MteSave,
        Feature::MteRestore,
        Feature::MteRollback,
        Feature::FaultContPage,
        Feature::FaultTagStorage,
        Feature::FaultXaNode,
        Feature::Warn,
        Feature::BugInRaw,
        Feature::Hang,
        Feature::ReclaimFromCache,
        Feature::ComparedAfterTrap,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Feature::ContinuationPage => "a continuation page",
            Feature::SecondContinuationPage => "a second continuation page",
            Feature::Shmem => "a shmem count (SWAP_MAP_SHMEM)",
            Feature::CacheConflict => "a swap cache conflict (-EEXIST)",
            Feature::MteSave => "tags saved",
            Feature::MteRestore => "tags restored",
            Feature::MteRollback => "arch_prepare_to_swap rollback",
            Feature::FaultContPage => "injected fault: cont_page",
            Feature::FaultTagStorage => "injected fault: tag_storage",
            Feature::FaultXaNode => "injected fault: xa_node",
            Feature::Warn => "a WARN",
            Feature::BugInRaw => "a BUG in raw mode",
            Feature::Hang => "a hang",
            Feature::ReclaimFromCache => "swap cache reclaim in free_swap_and_cache_nr",
            Feature::ComparedAfterTrap => "a BUG or hang ending the program, end state compared after it",
        }
    }
}

/// The set of features one run reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features(u32);

impl Features {
    pub fn set(&mut self, f: Feature) {
        self.0 |= 1 << f as u32;
    }
    pub fn has(self, f: Feature) -> bool {
        self.0 & (1 << f as u32) != 0
    }

    /// Notes what the reference engine's outcome of `op` shows.
    pub fn observe(&mut self, op: &Op, out: &Outcome, mode: Mode, live: impl Fn(Site) -> u64, list_len: usize) {
        let r = out.ret();
        if live(Site::ContPage) > 0 {
            self.set(Feature::ContinuationPage);
        }
        if list_len >= 2 {
            self.set(Feature::SecondContinuationPage);
        }
        for e in out.events() {
            match e.kind {
                EventKind::Warn => self.set(Feature::Warn),
                EventKind::Bug if mode == Mode::Raw => self.set(Feature::BugInRaw),
                EventKind::Hang => self.set(Feature::Hang),
                _ => {}
            }
            if e.text == "xa_is_err(ret)" {
                self.set(Feature::FaultXaNode);
            }
        }
        match op {
            Op::swap_shmem_alloc { .. } if r == 0 => self.set(Feature::Shmem),
            Op::__swap_duplicate { usage: SWAP_MAP_SHMEM, .. } if r == 0 => self.set(Feature::Shmem),
            Op::swapcache_prepare { .. } if r == EEXIST => self.set(Feature::CacheConflict),
            Op::__swap_duplicate { usage: SWAP_HAS_CACHE, .. } if r == EEXIST => self.set(Feature::CacheConflict),
            Op::add_swap_count_continuation { .. } | Op::swap_duplicate { .. } if out.rets().any(|r| r == ENOMEM) => {
                self.set(Feature::FaultContPage)
            }
            Op::arch_prepare_to_swap { .. } | Op::mte_save_tags { .. } => {
                if r == 0 && live(Site::TagStorage) > 0 {
                    self.set(Feature::MteSave);
                }
                if r == ENOMEM && !out.has_events() {
                    self.set(Feature::FaultTagStorage);
                }
            }
            Op::arch_swap_restore { .. } | Op::mte_restore_tags { .. } if r == 0 => self.set(Feature::MteRestore),
            _ => {}
        }
    }
}

/// How many runs reached each feature.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub runs: u64,
    pub counts: [u64; Feature::ALL.len()],
}

impl Tally {
    pub fn add(&mut self, f: Features) {
        self.runs += 1;
        for (i, feat) in Feature::ALL.iter().enumerate() {
            if f.has(*feat) {
                self.counts[i] += 1;
            }
        }
    }
    pub fn count(&self, f: Feature) -> u64 {
        self.counts[Feature::ALL.iter().position(|x| *x == f).unwrap_or(0)]
    }
    pub fn render(&self) -> String {
        let mut s = format!("{} programs reached:\n", self.runs);
        for (i, f) in Feature::ALL.iter().enumerate() {
            s.push_str(&format!("  {:>8}  {}\n", self.counts[i], f.name()));
        }
        s
    }
}
