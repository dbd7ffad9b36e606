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

    #[test]
    fn every_decoded_program_survives_its_text_form() {
        // Any bytes decode; the text form of the result parses back to it.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in [0usize, 1, 2, 7, 40, 300] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let p = CallerProgram::from_bytes(&bytes);
            assert!(p.ops.len() <= MAX_OPS);
            assert_eq!(CallerProgram::parse(&p.to_text()), Ok(p));
        }
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = CallerProgram::parse("clusters 1\nfault mm=0 pte=99 order=0 tagged=0\n").unwrap_err();
        assert!(e.starts_with("line 2: pte must be below 16"), "{e}");
        assert!(CallerProgram::parse("fork\n").unwrap_err().contains("clusters"));
        assert!(CallerProgram::parse("clusters 1\nfly\n").unwrap_err().contains("unknown op"));
    }
}
