//! Shared by the cshim integration tests: kernel constants (written out
//! from include/linux/swap.h and errno.h so a test states what it expects)
//! and small setup helpers.
#![allow(dead_code)]

use cshim::{Event, EventKind, Kernel};

pub const EINVAL: i64 = -22;
pub const ENOENT: i64 = -2;
pub const EEXIST: i64 = -17;
pub const ENOMEM: i64 = -12;
pub const ENOSPC: i64 = -28;
pub const EBUSY: i64 = -16;

/// swap_map byte values (include/linux/swap.h, 6.12).
pub const SWAP_HAS_CACHE: u8 = 0x40;
pub const COUNT_CONTINUED: u8 = 0x80;
pub const SWAP_MAP_MAX: u8 = 0x3e;
pub const SWAP_MAP_BAD: u8 = 0x3f;
pub const SWAP_MAP_SHMEM: u8 = 0xbf;
pub const SWAP_CONT_MAX: u8 = 0x7f;

pub const CLUSTER_FLAG_FREE: u32 = 1;
pub const CLUSTER_FLAG_NONFULL: u32 = 2;

pub const PG_MTE_TAGGED: u32 = 1;
pub const PG_MTE_LOCK: u32 = 2;

/// A kernel with one device of `clusters` clusters (with cluster_info);
/// the device is type 0 because acquire() reset everything.
pub fn kernel_with_device(clusters: u32) -> Kernel {
    let mut k = Kernel::acquire();
    assert_eq!(k.swapon(clusters, true), 0, "the first device after a reset is type 0");
    k
}

/// One freshly allocated slot: its byte is SWAP_HAS_CACHE (the allocator
/// hands slots out with the swap cache's reference, as the kernel's does).
pub fn alloc_one(k: &mut Kernel, ty: u32) -> u64 {
    let e = k.alloc_swap(ty, 0).expect("a free slot");
    assert_eq!(k.map_byte(e), Some(SWAP_HAS_CACHE));
    e
}

pub fn event(kind: EventKind, func: &str, text: &str) -> Event {
    Event { kind, func: func.to_string(), text: text.to_string() }
}
