//! Fuzzer bytes ↔ programs.
//!
//! [`decode`] is total: every byte string is a program (missing bytes read as
//! zero, as `arbitrary::Unstructured` does). [`encode`] is its inverse on every
//! program the text form can express, so seeds written as text become binary
//! seeds that decode back to themselves.
//!
//! Layout: a header byte (bit 0: raw mode; bits 2..=4: leading devices,
//! 0..=4), one byte per leading device (bits 0..=1: clusters - 1; bit 2: no
//! cluster_info), then ops: a selector byte (index into the family's kinds)
//! followed by the op's fields in the table's order, each in its field kind's
//! codec (`field.rs`; counts are skewed toward small values; a slot is a type
//! byte, read modulo 32, and an offset word, modulo 4096). Only single
//! bytes are read from `Unstructured`; wider fields are assembled here, so
//! the encoder does not depend on how `arbitrary` lays out integers.

use super::field::{DeviceSpec, Field};
use super::op::{Family, Slot};
use super::Op;
use super::{Mode, Program, MAX_OPS};
use arbitrary::Unstructured;

/// Reads fuzzer bytes for the field codecs; missing bytes read as zero.
pub struct Reader<'a, 'b>(&'b mut Unstructured<'a>);

impl Reader<'_, '_> {
    pub fn byte(&mut self) -> u8 {
        self.0.arbitrary::<u8>().unwrap_or(0)
    }
    pub fn word(&mut self) -> u16 {
        u16::from(self.byte()) | u16::from(self.byte()) << 8
    }
    pub fn below(&mut self, n: u8) -> u8 {
        self.byte() % n
    }
    /// `lo + byte % size`; the whole byte for 0..=255 (sized in u16 so that
    /// domain does not overflow).
    pub fn range8(&mut self, (lo, hi): (u8, u8)) -> u8 {
        lo + (u16::from(self.byte()) % (u16::from(hi - lo) + 1)) as u8
    }
    pub fn slot(&mut self) -> Slot {
        let ty = self.below(Slot::MAX_TYPE + 1);
        let off = self.word() % (Slot::MAX_OFF + 1);
        Slot { ty, off }
    }
}

/// Decodes fuzzer bytes into a program whose ops come from `family`.
pub fn decode(data: &[u8], family: Family) -> Program {
    let mut u = Unstructured::new(data);
    let mut r = Reader(&mut u);
    let header = r.byte();
    let mode = if header & 1 == 1 { Mode::Raw } else { Mode::Contract };
    let devices = ((header >> 2) & 7).min(4);
    let mut ops = Vec::new();
    for _ in 0..devices {
        ops.push(Op::swapon { device: DeviceSpec::decode(&mut r) });
    }
    let kinds = family.kinds();
    while !r.0.is_empty() && ops.len() < MAX_OPS {
        let kind = kinds[usize::from(r.byte()) % kinds.len()];
        ops.push(Op::decode_fields(kind, &mut r));
    }
    Program { mode, ops }
}

/// Writes the bytes [`decode`] reads back as `p` (with the same family).
/// Fails when an op is not in the family.
pub fn encode(p: &Program, family: Family) -> Result<Vec<u8>, String> {
    let leading = p.ops.iter().take(4).take_while(|op| matches!(op, Op::swapon { .. })).count();
    // A steered program (executed steps) is raw in bytes: fuzzers draw contract and raw.
    let mut out = vec![u8::from(p.mode != Mode::Contract) | (leading as u8) << 2];
    for op in &p.ops[..leading] {
        if let Op::swapon { device } = op {
            DeviceSpec::encode(device, &mut out);
        }
    }
    for op in &p.ops[leading..] {
        let kind = op.kind_index() as u8;
        let sel = family
            .kinds()
            .iter()
            .position(|&k| k == kind)
            .ok_or_else(|| format!("op `{}` is not in the {family:?} family", op.kind()))?;
        out.push(sel as u8);
        op.encode_fields(&mut out);
    }
    Ok(out)
}

pub(super) fn word(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn slot(out: &mut Vec<u8>, s: Slot) {
    out.push(s.ty);
    word(out, s.off);
}
