//! Caller-level programs: a device size and a list of [`CallerOp`]s, from fuzzer bytes (every
//! byte string is a program) and in a text form for reports and reproducers (`clusters N`, then
//! one op per line as `CallerOp`'s Display writes it; `#` comments).

use swapdiff_contract::caller::{CallerOp, MAX_CLONE, NR_MMS, NR_PTES, NR_SHMEM};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerProgram {
    /// The one SSD's size, 1..=4 clusters.
    pub clusters: u32,
    pub ops: Vec<CallerOp>,
}

/// The most ops a program decoded from bytes holds.
pub const MAX_OPS: usize = 64;

/// Bytes in order, zero once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn mm(&mut self) -> u8 {
        self.next() % NR_MMS as u8
    }
    fn pte(&mut self) -> u8 {
        self.next() % NR_PTES as u8
    }
    fn slot(&mut self) -> u8 {
        self.next() % NR_SHMEM as u8
    }
    fn flag(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

impl CallerProgram {
    /// The program `data` spells: its first byte the device size, then one op per tag byte
    /// with its fields from the bytes after it.
    pub fn from_bytes(data: &[u8]) -> CallerProgram {
        let mut b = Bytes(data);
        let clusters = 1 + u32::from(b.next() % 4);
        let mut ops = Vec::new();
        while !b.0.is_empty() && ops.len() < MAX_OPS {
            let op = match b.next() % 13 {
                0 => CallerOp::Fault { mm: b.mm(), pte: b.pte(), order: b.next() % 5, tagged: b.flag() },
                1 => CallerOp::SwapOut { mm: b.mm(), pte: b.pte(), keep_cache: b.flag() },
                2 => CallerOp::Fork,
                3 => CallerOp::Zap { mm: b.mm(), pte: b.pte(), nr: 1 + b.next() % NR_PTES as u8 },
                4 => CallerOp::SwapIn { mm: b.mm(), pte: b.pte() },
                5 => CallerOp::ShmemNew { slot: b.slot(), order: 0 },
                6 => CallerOp::ShmemSwapOut { slot: b.slot() },
                7 => CallerOp::ShmemSwapIn { slot: b.slot() },
                8 => CallerOp::ShmemTruncate { slot: b.slot() },
                9 => CallerOp::FreeCache { mm: b.mm(), pte: b.pte() },
                10 => CallerOp::Swapoff,
                11 => CallerOp::Clone { mm: b.mm(), pte: b.pte(), n: 1 + b.next() % MAX_CLONE as u8 },
                _ => CallerOp::Exit { n: 1 + b.next() % MAX_CLONE as u8 },
            };
            ops.push(op);
        }
        CallerProgram { clusters, ops }
    }

    /// The bytes [`from_bytes`](Self::from_bytes) reads back as this program (seeds are written
    /// in the text form and encoded with this). None when the byte form cannot hold it: more
    /// than [`MAX_OPS`] ops, or a field the decoder never yields (a zap or clone of 0 PTEs, an
    /// exit of 0 children, a shmem folio of order above 0).
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        if !(1..=4).contains(&self.clusters) || self.ops.len() > MAX_OPS {
            return None;
        }
        // One byte per field, in the decoder's order; counts that decode as 1 + b are b.
        let minus_one = |n: u8| n.checked_sub(1);
        let mut out = vec![(self.clusters - 1) as u8];
        for op in &self.ops {
            let fields: Vec<u8> = match *op {
                CallerOp::Fault { mm, pte, order, tagged } => vec![0, mm, pte, order, tagged as u8],
                CallerOp::SwapOut { mm, pte, keep_cache } => vec![1, mm, pte, keep_cache as u8],
                CallerOp::Fork => vec![2],
                CallerOp::Zap { mm, pte, nr } => vec![3, mm, pte, minus_one(nr)?],
                CallerOp::SwapIn { mm, pte } => vec![4, mm, pte],
                CallerOp::ShmemNew { slot, order: 0 } => vec![5, slot],
                CallerOp::ShmemNew { .. } => return None,
                CallerOp::ShmemSwapOut { slot } => vec![6, slot],
                CallerOp::ShmemSwapIn { slot } => vec![7, slot],
                CallerOp::ShmemTruncate { slot } => vec![8, slot],
                CallerOp::FreeCache { mm, pte } => vec![9, mm, pte],
                CallerOp::Swapoff => vec![10],
                CallerOp::Clone { mm, pte, n } => vec![11, mm, pte, minus_one(n)?],
                CallerOp::Exit { n } => vec![12, minus_one(n)?],
            };
            out.extend(fields);
        }
        (CallerProgram::from_bytes(&out) == *self).then_some(out)
    }

    pub fn to_text(&self) -> String {
        let mut s = format!("clusters {}\n", self.clusters);
        for op in &self.ops {
            s.push_str(&format!("{op}\n"));
        }
        s
    }

    /// Parses the text form; an error names the line.
    pub fn parse(text: &str) -> Result<CallerProgram, String> {
        let mut clusters = None;
        let mut ops = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |why: &str| format!("line {}: {why}: {raw:?}", n + 1);
            let mut words = line.split_whitespace();
            let kind = words.next().unwrap_or("");
            if kind == "clusters" {
                let v: u32 = words.next().and_then(|w| w.parse().ok()).ok_or_else(|| err("clusters takes 1..=4"))?;
                if !(1..=4).contains(&v) {
                    return Err(err("clusters takes 1..=4"));
                }
                clusters = Some(v);
                continue;
            }
            let mut fields = std::collections::BTreeMap::new();
            for w in words {
                let (k, v) = w.split_once('=').ok_or_else(|| err("a field is name=value"))?;
                let v: u8 = v.parse().map_err(|_| err("a field's value is a small number"))?;
                fields.insert(k, v);
            }
            let mut get = |k: &str, bound: usize| -> Result<u8, String> {
                let v = fields.remove(k).ok_or_else(|| err(&format!("{kind} needs {k}=")))?;
                if usize::from(v) >= bound {
                    return Err(err(&format!("{k} must be below {bound}")));
                }
                Ok(v)
            };
            let op = match kind {
                "fault" => CallerOp::Fault {
                    mm: get("mm", NR_MMS)?,
                    pte: get("pte", NR_PTES)?,
                    order: get("order", 5)?,
                    tagged: get("tagged", 2)? == 1,
                },
                "swap_out" => CallerOp::SwapOut {
                    mm: get("mm", NR_MMS)?,
                    pte: get("pte", NR_PTES)?,
                    keep_cache: get("keep_cache", 2)? == 1,
                },
                "fork" => CallerOp::Fork,
                "zap" => {
                    CallerOp::Zap { mm: get("mm", NR_MMS)?, pte: get("pte", NR_PTES)?, nr: get("nr", NR_PTES + 1)? }
                }
                "swap_in" => CallerOp::SwapIn { mm: get("mm", NR_MMS)?, pte: get("pte", NR_PTES)? },
                "shmem_new" => CallerOp::ShmemNew { slot: get("slot", NR_SHMEM)?, order: get("order", 1)? },
                "shmem_swap_out" => CallerOp::ShmemSwapOut { slot: get("slot", NR_SHMEM)? },
                "shmem_swap_in" => CallerOp::ShmemSwapIn { slot: get("slot", NR_SHMEM)? },
                "shmem_truncate" => CallerOp::ShmemTruncate { slot: get("slot", NR_SHMEM)? },
                "free_cache" => CallerOp::FreeCache { mm: get("mm", NR_MMS)?, pte: get("pte", NR_PTES)? },
                "swapoff" => CallerOp::Swapoff,
                "clone" => {
                    CallerOp::Clone { mm: get("mm", NR_MMS)?, pte: get("pte", NR_PTES)?, n: get("n", MAX_CLONE + 1)? }
                }
                "exit" => CallerOp::Exit { n: get("n", MAX_CLONE + 1)? },
                _ => return Err(err("unknown op")),
            };
            if let Some(k) = fields.keys().next() {
                return Err(err(&format!("{kind} has no field {k}")));
            }
            ops.push(op);
        }
        let clusters = clusters.ok_or("a caller-level program starts with `clusters N`")?;
        Ok(CallerProgram { clusters, ops })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` pseudo-random bytes from the xorshift state `x`.
    fn noise(x: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *x ^= *x << 13;
                *x ^= *x >> 7;
                *x ^= *x << 17;
                *x as u8
            })
            .collect()
    }

    #[test]
    fn every_decoded_program_survives_its_text_form() {
        // Any bytes decode; the text form of the result parses back to it.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in [0usize, 1, 2, 7, 40, 300] {
            let bytes = noise(&mut x, len);
            let p = CallerProgram::from_bytes(&bytes);
            assert!(p.ops.len() <= MAX_OPS);
            assert_eq!(CallerProgram::parse(&p.to_text()), Ok(p));
        }
    }

    #[test]
    fn the_byte_form_holds_what_the_decoder_yields_and_refuses_the_rest() {
        // Decoded programs encode back to bytes that decode to them: seeds written as text
        // reach the fuzzer as the same program.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in [1usize, 5, 33, 200] {
            let bytes = noise(&mut x, len);
            let p = CallerProgram::from_bytes(&bytes);
            let again = p.to_bytes().expect("a decoded program has a byte form");
            assert_eq!(CallerProgram::from_bytes(&again), p);
        }
        // The decoder makes a zap of at least one PTE (1 + b % 16): a zap of none has no bytes.
        let zero = CallerProgram::parse("clusters 1\nzap mm=0 pte=0 nr=0\n").unwrap();
        assert_eq!(zero.to_bytes(), None);
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = CallerProgram::parse("clusters 1\nfault mm=0 pte=99 order=0 tagged=0\n").unwrap_err();
        assert!(e.starts_with("line 2: pte must be below 16"), "{e}");
        assert!(CallerProgram::parse("fork\n").unwrap_err().contains("clusters"));
        assert!(CallerProgram::parse("clusters 1\nfly\n").unwrap_err().contains("unknown op"));
    }
}
