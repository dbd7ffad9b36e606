//! Events are recorded as values (a message as its format and arguments) and
//! formatted only when shown: by the contract's `Event::message` in Rust
//! reports, by `sd_event_get` in C for the standalone reproducers. Both must
//! print what the kernel's printk would.

mod common;

use common::*;
use cshim::{entry, EventKind};
use swapdiff_contract::prelude::*;
use swapdiff_contract::{Arg, TRAPPED};

#[test]
fn a_message_shows_the_same_in_rust_and_in_c_and_as_printk_prints_it() {
    let mut k = kernel_with_device(1);
    // No device for type 1: __swap_duplicate WARNs (!si) and logs
    // pr_err_ratelimited("%s%08lx\n", Bad_file, entry.val); type 1 in the
    // high bits (SWP_TYPE_SHIFT 58) makes the value 0x400000000000005.
    k.swap_duplicate(entry(1, 5));
    // A slot past the device's end: _swap_info_get's "%s: %s%08lx\n" with
    // __func__ and Bad_offset; 512 is 0x200.
    k.swap_free_nr(entry(0, 512), 1);
    let c = k.test_c_event_texts();
    let events = k.take_events();
    let rust: Vec<String> = events.iter().map(|e| e.message().into_owned()).collect();
    assert_eq!(rust, c, "{events:?}");
    assert_eq!(
        rust,
        ["!si", "Bad swap file entry 400000000000005", "_swap_info_get: Bad swap offset entry 00000200"],
        "{events:?}"
    );
    // Recorded, not formatted: the format and the values it read.
    let bad_file = &events[1];
    assert_eq!((bad_file.kind, bad_file.text), (EventKind::Log, "%s%08lx\n"));
    assert_eq!(bad_file.args.as_slice(), [Arg::Str("Bad swap file entry "), Arg::Int(entry(1, 5))]);
}

#[test]
fn a_shim_hang_is_a_format_with_its_value() {
    let mut k = kernel_with_device(1);
    let _t = timeout(std::time::Duration::from_millis(30));
    assert_eq!(k.test_hook_spin(), TRAPPED);
    let c = k.test_c_event_texts();
    let events = k.take_events();
    assert_eq!(c, ["no return within 30 ms"]);
    assert_eq!(events[0].message(), c[0]);
    assert_eq!((events[0].text, events[0].args.as_slice()), ("no return within %lu ms", &[Arg::Int(30)][..]));
}
