//! The ops of a 7.x concurrent program: one `sd72_*` call each, named by the kernel function
//! it makes (`swap_dup_entry_direct 0:1`), declared once in the table below (the enum, the text
//! form and the call all come from it). A folio is a handle (`folio_new` in the setup returns
//! 0, 1, ... in order), an entry is `type:offset`, a subpage `all` or its index.
//!
//! Ops marked `setup` change the environment (devices, folios) rather than make a call a
//! kernel caller makes concurrently with others, or make one whose outcome depends on a
//! trylock (`free_swap_cache`: a failed `folio_trylock` is allowed and no sequential order has
//! one): they may only appear before the CPUs start.

use cshim::kernel72::Kernel72;
use swapdiff_contract::{entry, entry_offset, entry_type, Entry, DEV_SSD};

/// A field of an op, as written in the text form.
trait Field: Sized {
    fn parse(word: &str) -> Result<Self, String>;
    fn print(&self) -> String;
}

/// A number (clusters, an order, a count, a device type).
pub type Num = u32;

impl Field for u32 {
    fn parse(word: &str) -> Result<u32, String> {
        word.parse().map_err(|_| format!("`{word}` is not a number"))
    }
    fn print(&self) -> String {
        self.to_string()
    }
}

/// A swap entry, written `type:offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot(pub Entry);

impl Field for Slot {
    fn parse(word: &str) -> Result<Slot, String> {
        let (ty, off) = word.split_once(':').ok_or_else(|| format!("`{word}`: an entry is type:offset"))?;
        let ty: u32 = ty.parse().map_err(|_| format!("`{word}`: bad type"))?;
        let off: u64 = off.parse().map_err(|_| format!("`{word}`: bad offset"))?;
        Ok(Slot(entry(ty, off)))
    }
    fn print(&self) -> String {
        format!("{}:{}", entry_type(self.0), entry_offset(self.0))
    }
}

/// A subpage of a folio, or `all` (the kernel's NULL subpage: the whole folio).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sub(pub Option<u32>);

impl Field for Sub {
    fn parse(word: &str) -> Result<Sub, String> {
        match word {
            "all" => Ok(Sub(None)),
            w => w.parse().map(|n| Sub(Some(n))).map_err(|_| format!("`{w}`: a subpage is a number or all")),
        }
    }
    fn print(&self) -> String {
        self.0.map_or_else(|| "all".into(), |n| n.to_string())
    }
}

macro_rules! ops72 {
    ($( $(#[$doc:meta])* $name:ident ( $($field:ident : $ty:ident),* ) [$place:ident] => $call:expr; )*) => {
        /// One call of a 7.x concurrent program (the module comment).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Op72 {
            $( $(#[$doc])* $name { $($field: $ty),* }, )*
        }

        impl Op72 {
            /// The kernel function's name.
            pub fn kind(&self) -> &'static str {
                match self { $( Op72::$name { .. } => stringify!($name), )* }
            }

            /// Whether a CPU may make it (else: setup only).
            pub fn on_cpu(&self) -> bool {
                match self { $( Op72::$name { .. } => stringify!($place) == "cpu", )* }
            }

            /// Reads one op: the function's name, then its fields in order.
            pub fn parse(text: &str) -> Result<Op72, String> {
                let mut words = text.split_whitespace();
                let kind = words.next().ok_or("an empty op")?;
                let op = match kind {
                    $( stringify!($name) => {
                        $( let $field = <$ty as Field>::parse(
                            words.next().ok_or(concat!(stringify!($name), ": missing ", stringify!($field)))?,
                        )?; )*
                        Op72::$name { $($field),* }
                    } )*
                    other => return Err(format!("`{other}` is not a 7.x op (ops: {})", Op72::NAMES.join(", "))),
                };
                match words.next() {
                    Some(extra) => Err(format!("{kind}: unexpected `{extra}`")),
                    None => Ok(op),
                }
            }

            /// Every op's name.
            pub const NAMES: &'static [&'static str] = &[$( stringify!($name) ),*];

            /// The text [`parse`](Self::parse) reads back.
            pub fn print(&self) -> String {
                match self {
                    $( Op72::$name { $($field),* } => {
                        #[allow(unused_mut)]
                        let mut s = String::from(stringify!($name));
                        $( s.push(' '); s.push_str(&Field::print($field)); )*
                        s
                    } )*
                }
            }

            /// Makes the call; its return value (TRAPPED for a call that trapped).
            pub fn call(&self, k: &mut Kernel72) -> i64 {
                match *self {
                    $( Op72::$name { $($field),* } => {
                        let call: &dyn Fn(&mut Kernel72) -> i64 = &$call;
                        call(k)
                    } )*
                }
            }
        }
    };
}

ops72! {
    /// Swapon of an SSD of `clusters` clusters.
    swapon(clusters: Num) [setup] => |k: &mut Kernel72| i64::from(k.swapon(clusters, DEV_SSD));
    /// A new folio of `1 << order` pages: the next handle.
    folio_new(order: Num) [setup] => |k: &mut Kernel72| i64::from(k.folio_new(order));
    swapoff(ty: Num) [setup] => |k: &mut Kernel72| i64::from(k.swapoff(ty));
    free_swap_cache(folio: Num) [setup] => |k: &mut Kernel72| k.free_swap_cache(folio);
    folio_alloc_swap(folio: Num) [cpu] => |k: &mut Kernel72| k.folio_alloc_swap(folio);
    folio_dup_swap(folio: Num, page: Sub) [cpu] => |k: &mut Kernel72| k.folio_dup_swap(folio, page.0);
    folio_put_swap(folio: Num, page: Sub) [cpu] => |k: &mut Kernel72| k.folio_put_swap(folio, page.0);
    folio_free_swap(folio: Num) [cpu] => |k: &mut Kernel72| k.folio_free_swap(folio);
    swap_cache_del_folio(folio: Num) [cpu] => |k: &mut Kernel72| k.swap_cache_del_folio(folio);
    swap_dup_entry_direct(entry: Slot) [cpu] => |k: &mut Kernel72| k.swap_dup_entry_direct(entry.0);
    swap_put_entries_direct(entry: Slot, nr: Num) [cpu] =>
        |k: &mut Kernel72| k.swap_put_entries_direct(entry.0, nr as i32);
    swap_retry_table_alloc(entry: Slot) [cpu] => |k: &mut Kernel72| k.swap_retry_table_alloc(entry.0);
    swap_cache_get_folio(entry: Slot) [cpu] => |k: &mut Kernel72| k.swap_cache_get_folio(entry.0);
    swap_cache_alloc_folio(entry: Slot, order: Num) [cpu] =>
        |k: &mut Kernel72| k.swap_cache_alloc_folio(entry.0, order);
    __swap_count(entry: Slot) [cpu] => |k: &mut Kernel72| k.__swap_count(entry.0);
    swp_swapcount(entry: Slot) [cpu] => |k: &mut Kernel72| k.swp_swapcount(entry.0);
    swap_entry_swapped(entry: Slot) [cpu] => |k: &mut Kernel72| k.swap_entry_swapped(entry.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text form reads back as the op it was printed from, for every field kind.
    #[test]
    fn text_round_trips() {
        for text in ["swapon 1", "folio_dup_swap 0 all", "folio_put_swap 1 3", "swap_put_entries_direct 0:5 2"] {
            let op = Op72::parse(text).unwrap();
            assert_eq!(op.print(), text);
        }
        assert_eq!(Op72::parse("__swap_count 0:1").unwrap(), Op72::__swap_count { entry: Slot(entry(0, 1)) });
    }

    /// Errors name what is wrong; nothing extra is silently ignored.
    #[test]
    fn bad_ops_are_errors() {
        assert!(Op72::parse("swap_duplicate 0:1").unwrap_err().contains("not a 7.x op"));
        assert!(Op72::parse("swap_dup_entry_direct").unwrap_err().contains("missing entry"));
        assert!(Op72::parse("swap_dup_entry_direct 5").unwrap_err().contains("type:offset"));
        assert!(Op72::parse("swapon 1 2").unwrap_err().contains("unexpected"));
    }
}
