//! Table-driven parsing of `METRIC:VALUE/…` bodies, shared by every CVSS version.
//!
//! Each version declares its metrics in specification order ([`MetricDef`]); the parser turns a
//! body into one small integer per metric (0 = absent, `i + 1` = `values[i]`), so scoring is
//! integer matching rather than string comparison. Metric names and values are case-sensitive,
//! as in the specifications and FIRST's calculators; metrics may come in any order (Red Hat's
//! and FIRST's calculators accept that too), and the canonical string puts them back in order.

use super::{CvssError, Version, error::echo};

/// One metric of a CVSS version: its abbreviation and its allowed values.
pub(super) struct MetricDef {
    pub key: &'static str,
    pub values: &'static [&'static str],
    pub mandatory: bool,
}

/// Shorthand for the tables.
pub(super) const fn def(
    key: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
) -> MetricDef {
    MetricDef {
        key,
        values,
        mandatory,
    }
}

/// Parses `body` (the part after the prefix) against `defs`. `first_position` is the 1-based
/// position of the body's first component in the whole vector, for error messages.
pub(super) fn parse_body<const N: usize>(
    body: &str,
    defs: &[MetricDef; N],
    lookup: &Lookup,
    version: Version,
    first_position: usize,
) -> Result<[u8; N], CvssError> {
    if let Some(values) = parse_ordered(body.as_bytes(), defs, lookup) {
        return Ok(values);
    }
    let mut values = [0_u8; N];
    // Vectors are nearly always in specification order, so the search for each metric starts
    // after the previous one: one or two comparisons per component instead of up to 32.
    let mut cursor = 0;
    // The general path (out-of-order or invalid input): one scan over the bytes. Splitting
    // at ASCII `/` and `:` keeps every part valid UTF-8.
    let bytes = body.as_bytes();
    let (mut start, mut colon, mut colons, mut position) = (0, 0, 0, first_position);
    for (i, b) in bytes
        .iter()
        .copied()
        .chain(std::iter::once(b'/'))
        .enumerate()
    {
        if b == b':' {
            colon = i;
            colons += 1;
            continue;
        }
        if b != b'/' {
            continue;
        }
        let component = bytes.get(start..i).unwrap_or_default();
        let text = |part: &[u8]| echo(std::str::from_utf8(part).unwrap_or_default());
        if component.is_empty() {
            return Err(CvssError::EmptyComponent { position });
        }
        if colons != 1 {
            return Err(CvssError::MalformedComponent {
                component: text(component),
            });
        }
        let key = bytes.get(start..colon).unwrap_or_default();
        let value = bytes.get(colon + 1..i).unwrap_or_default();
        let found = (cursor..N)
            .chain(0..cursor)
            .find(|i| defs.get(*i).is_some_and(|d| d.key.as_bytes() == key));
        let (Some(index), Some(def), Some(slot)) = (
            found,
            found.and_then(|i| defs.get(i)),
            found.and_then(|i| values.get_mut(i)),
        ) else {
            return Err(CvssError::UnknownMetric {
                metric: text(key),
                version,
            });
        };
        cursor = index + 1;
        if *slot != 0 {
            return Err(CvssError::DuplicateMetric { metric: def.key });
        }
        let Some(found_value) = def.values.iter().position(|v| v.as_bytes() == value) else {
            return Err(CvssError::UnknownValue {
                metric: def.key,
                value: text(value),
                allowed: def.values.join("/"),
            });
        };
        // Tables have at most 6 values, so the index always fits.
        *slot = u8::try_from(found_value + 1).unwrap_or(u8::MAX);
        (start, colons, position) = (i + 1, 0, position + 1);
    }
    if let Some((def, _)) = defs
        .iter()
        .zip(values.iter())
        .find(|(d, v)| d.mandatory && **v == 0)
    {
        return Err(CvssError::MissingMetric { metric: def.key });
    }
    Ok(values)
}

/// Slots of a [`Lookup`] (a power of two; at most 140 components per version, so the table
/// stays under a seventh full and probes are short).
const SLOTS: usize = 1024;

/// Tables with at most this many components get a collision-free multiplier (searched at
/// compile time); larger ones (v4.0) keep the first candidate and probe.
const PERFECT_MAX: usize = 100;

/// Multipliers tried per table before settling for probing.
const PERFECT_TRIES: u32 = 5000;

/// Every valid `METRIC:VALUE` component of a version (all are at most 8 bytes) as a
/// little-endian word, in an open-addressing hash table built at compile time: the fast path
/// recognises a component with one load, one multiplication and one compare (for v2.0 and
/// v3.x the multiplier is chosen so that no two components share a slot: no probing).
pub(super) struct Lookup {
    multiplier: u64,
    /// The mandatory metrics are the first `mandatory` ones (checked when the table is built).
    mandatory: usize,
    slots: [Slot; SLOTS],
}

/// One entry of a [`Lookup`], kept together so a probe touches one cache line.
#[derive(Clone, Copy)]
struct Slot {
    word: u64,
    /// Component length in bytes (0 = empty slot), so a trailing NUL cannot alias.
    len: u8,
    /// Metric index in the table.
    metric: u8,
    /// Value index + 1.
    value: u8,
}

/// Slot of a word: multiplicative hashing on the top 10 bits.
const fn slot(word: u64, multiplier: u64) -> usize {
    (word.wrapping_mul(multiplier) >> 54) as usize
}

/// The next candidate multiplier (SplitMix64 step), always odd.
const fn next_multiplier(m: u64) -> u64 {
    let mut z = m.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) | 1
}

/// `KEY:VALUE` as a little-endian word shifted left so that its last byte is the top byte
/// (as the fast path reads a component), and its length (0 if over 8 bytes).
const fn component_word(key: &[u8], value: &[u8]) -> (u64, u8) {
    let len = key.len() + 1 + value.len();
    if len > 8 {
        return (0, 0);
    }
    let (mut word, mut shift) = (0_u64, 0);
    let mut parts: &[&[u8]] = &[key, b":", value];
    while let [part, more @ ..] = parts {
        let mut bytes = *part;
        while let [first, rest @ ..] = bytes {
            word |= (*first as u64) << shift;
            shift += 8;
            bytes = rest;
        }
        parts = more;
    }
    (word << (64 - 8 * len), len as u8)
}

/// Whether `multiplier` maps every component of `defs` to a distinct slot.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
const fn collision_free<const N: usize>(defs: &[MetricDef; N], multiplier: u64) -> bool {
    let mut used = [0_u64; SLOTS / 64];
    let mut m = 0;
    while m < N {
        let mut v = 0;
        while v < defs[m].values.len() {
            let (word, _) = component_word(defs[m].key.as_bytes(), defs[m].values[v].as_bytes());
            let s = slot(word, multiplier);
            if used[s / 64] >> (s % 64) & 1 == 1 {
                return false;
            }
            used[s / 64] |= 1 << (s % 64);
            v += 1;
        }
        m += 1;
    }
    true
}

impl Lookup {
    /// Builds the table (at compile time: an overfull table or a too-long component fails the
    /// build, not a parse).
    #[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
    pub(super) const fn new<const N: usize>(defs: &[MetricDef; N]) -> Lookup {
        let mut components = 0;
        let mut mandatory = 0;
        let mut m = 0;
        while m < N {
            components += defs[m].values.len();
            if defs[m].mandatory {
                assert!(mandatory == m, "mandatory metrics must come first");
                mandatory += 1;
            }
            m += 1;
        }
        let first = 0x9E37_79B9_7F4A_7C15;
        let mut multiplier = first;
        if components <= PERFECT_MAX {
            let mut tries = 0;
            while !collision_free(defs, multiplier) {
                tries += 1;
                assert!(tries < PERFECT_TRIES, "no collision-free multiplier found");
                multiplier = next_multiplier(multiplier);
            }
        }
        let empty = Slot {
            word: 0,
            len: 0,
            metric: 0,
            value: 0,
        };
        let mut table = Lookup {
            multiplier,
            mandatory,
            slots: [empty; SLOTS],
        };
        let mut m = 0;
        while m < N {
            let mut v = 0;
            while v < defs[m].values.len() {
                let (word, len) =
                    component_word(defs[m].key.as_bytes(), defs[m].values[v].as_bytes());
                assert!(len > 0, "CVSS component longer than 8 bytes");
                let mut s = slot(word, multiplier);
                while table.slots[s].len != 0 {
                    s = (s + 1) % SLOTS;
                }
                table.slots[s] = Slot {
                    word,
                    len,
                    metric: m as u8,
                    value: v as u8 + 1,
                };
                v += 1;
            }
            m += 1;
        }
        table
    }

    /// (metric index, value index + 1) of a component word of `len` bytes.
    #[inline]
    fn find(&self, word: u64, len: u8) -> Option<(usize, u8)> {
        let mut s = slot(word, self.multiplier);
        loop {
            let entry = self.slots.get(s)?;
            if entry.len == len && entry.word == word {
                return Some((usize::from(entry.metric), entry.value));
            }
            if entry.len == 0 {
                return None;
            }
            s = (s + 1) % SLOTS;
        }
    }
}

/// The first (up to) 8 bytes of `bytes` as a little-endian word, zero-padded.
fn load_word(bytes: &[u8]) -> u64 {
    if let Some(chunk) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*chunk);
    }
    let mut buf = [0; 8];
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = *s;
    }
    u64::from_le_bytes(buf)
}

/// The high bit of byte `i` of the result is set exactly when byte `i` of the little-endian
/// `word` is `/` (the carry-free form of the "has zero byte" trick, exact for every byte).
fn slash_flags(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ 0x2F2F_2F2F_2F2F_2F2F;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The body as little-endian words, the last one zero-padded (zero is not `/`).
fn words(body: &[u8]) -> impl Iterator<Item = u64> {
    let (words, tail) = body.as_chunks::<8>();
    let tail = (!tail.is_empty()).then(|| load_at(body, body.len() - tail.len()));
    words.iter().map(|w| u64::from_le_bytes(*w)).chain(tail)
}

/// The (up to) 8 bytes of `body` from `start` as a little-endian word, zero-padded. Near the
/// end of a body of 8 bytes or more it shifts the last 8 bytes down instead of copying byte
/// by byte (a `memcpy` call per vector on the fast path).
fn load_at(body: &[u8], start: usize) -> u64 {
    if let Some(chunk) = body.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        return u64::from_le_bytes(*chunk);
    }
    if let Some(last) = body.last_chunk::<8>() {
        let missing = (start + 8).saturating_sub(body.len());
        return u32::try_from(8 * missing)
            .ok()
            .and_then(|shift| u64::from_le_bytes(*last).checked_shr(shift))
            .unwrap_or(0);
    }
    load_word(body.get(start..).unwrap_or_default())
}

/// The high bits of `flags` (one per byte, as [`slash_flags`] sets them) as the low 8 bits
/// of the result, byte `i` to bit `i` (a multiplication gathers them without carries).
fn gather_flags(flags: u64) -> u64 {
    ((flags >> 7) & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// State of [`parse_ordered`]: the values so far and the first metric allowed next.
struct Ordered<const N: usize> {
    values: [u8; N],
    next: usize,
}

impl<const N: usize> Ordered<N> {
    /// One component: `body[start..end]`, 1 to 8 bytes, a known `METRIC:VALUE` of a metric
    /// after the previous one. Inlined so that `next` and `seen` stay in registers.
    #[inline(always)]
    fn component(&mut self, body: &[u8], lookup: &Lookup, start: usize, end: usize) -> Option<()> {
        let len = end.checked_sub(start).filter(|l| (1..=8).contains(l))?;
        // The component's bytes at the top of the word, the bytes after it shifted out.
        let word = load_at(body, start) << (64 - 8 * len);
        let (metric, value) = lookup.find(word, u8::try_from(len).ok()?)?;
        if metric < self.next {
            return None;
        }
        *self.values.get_mut(metric)? = value;
        self.next = metric + 1;
        Some(())
    }
}

/// The fast path for the usual vector: every component valid, metrics in specification
/// order without repeats, mandatory ones present. `None` sends the input to the general
/// parser, which also names what is wrong.
fn parse_ordered<const N: usize>(
    body: &[u8],
    _defs: &[MetricDef; N],
    lookup: &Lookup,
) -> Option<[u8; N]> {
    let mut state = Ordered {
        values: [0_u8; N],
        next: 0,
    };
    if body.len() < 128 {
        // Every `/` as one bit of a 128-bit mask (built word by word at fixed offsets, no
        // branch), plus a virtual one at the end: one loop iteration per component.
        let mut halves = [0_u64; 2];
        for (k, word) in words(body).enumerate() {
            if let Some(half) = halves.get_mut(k / 8) {
                *half |= gather_flags(slash_flags(word)) << (8 * (k % 8));
            }
        }
        let [low, high] = halves;
        let mut slashes = (u128::from(high) << 64 | u128::from(low)) | 1_u128 << body.len();
        let mut start = 0;
        while slashes != 0 {
            let end = slashes.trailing_zeros() as usize;
            slashes &= slashes - 1;
            state.component(body, lookup, start, end)?;
            start = end + 1;
        }
    } else {
        // Long bodies (v4.0 with every metric): the slashes are found word by word at fixed
        // offsets, so no load waits for the previous component's length.
        let mut start = 0;
        for (k, word) in words(body).enumerate() {
            let mut flags = slash_flags(word);
            while flags != 0 {
                let end = 8 * k + (flags.trailing_zeros() / 8) as usize;
                flags &= flags - 1;
                state.component(body, lookup, start, end)?;
                start = end + 1;
            }
        }
        state.component(body, lookup, start, body.len())?;
    }
    let complete = state
        .values
        .get(..lookup.mandatory)
        .is_some_and(|mandatory| mandatory.iter().all(|v| *v != 0));
    complete.then_some(state.values)
}

/// The canonical vector: `prefix` (may be empty for v2.0), then the present metrics in
/// specification order.
pub(super) fn canonical<const N: usize>(
    prefix: &str,
    defs: &[MetricDef; N],
    values: &[u8; N],
) -> String {
    let mut s = String::with_capacity(prefix.len() + 8 * N);
    s.push_str(prefix);
    for (def, &v) in defs.iter().zip(values.iter()) {
        let Some(value) = v
            .checked_sub(1)
            .and_then(|i| def.values.get(usize::from(i)))
        else {
            continue;
        };
        if !s.is_empty() {
            s.push('/');
        }
        s.push_str(def.key);
        s.push(':');
        s.push_str(value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::v3::{LOOKUP, METRICS};
    use super::*;

    #[test]
    fn fast_path_takes_ordered_vectors_only() {
        let fast = |body: &[u8]| parse_ordered(body, &METRICS, &LOOKUP);
        let all = b"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:H/MPR:L/MUI:R/MS:C/MC:L/MI:N/MA:H";
        assert_eq!(fast(all), parse_body_general(all));
        assert!(fast(b"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X").is_some());
        // Everything unusual goes to the general parser.
        assert!(fast(b"AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H").is_none());
        assert!(fast(b"AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_none());
        assert!(fast(b"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/").is_none());
        assert!(fast(b"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H").is_none());
        assert!(fast(b"AV:N\0/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_none());
        assert!(fast(b"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:NNNNN").is_none());
        assert!(fast(b"").is_none());
    }

    #[test]
    fn slash_flags_are_exact() {
        // Bytes next to `/` (0x2E, 0x30, 0xAF) are where the inexact zero-byte trick errs.
        let alphabet = [b'/', b'.', b'0', 0xAF, b'A', 0x00, 0xFF, b'/'];
        for len in 0..=64 {
            let body: Vec<u8> = (0..len)
                .map(|i| alphabet[(i * 7 + i / 3 + len) % alphabet.len()])
                .collect();
            let found: Vec<usize> = words(&body)
                .enumerate()
                .flat_map(|(k, w)| {
                    let flags = slash_flags(w);
                    (0..8)
                        .filter(move |i| flags >> (8 * i + 7) & 1 == 1)
                        .map(move |i| 8 * k + i)
                })
                .collect();
            let expected: Vec<usize> = (0..len).filter(|i| body[*i] == b'/').collect();
            assert_eq!(found, expected, "len {len}");
            let gathered: Vec<usize> = words(&body)
                .enumerate()
                .flat_map(|(k, w)| {
                    let bits = gather_flags(slash_flags(w));
                    assert!(bits < 256);
                    (0..8)
                        .filter(move |i| bits >> i & 1 == 1)
                        .map(move |i| 8 * k + i)
                })
                .collect();
            assert_eq!(gathered, expected, "len {len}");
        }
    }

    #[test]
    fn load_at_pads_with_zeros() {
        let body = b"0123456789AB";
        for len in 0..=body.len() {
            for start in 0..=len + 1 {
                let expected = load_word(body[..len].get(start..).unwrap_or_default());
                assert_eq!(
                    load_at(&body[..len], start),
                    expected,
                    "len {len}, start {start}"
                );
            }
        }
    }

    /// The general parser's values for an input it accepts.
    fn parse_body_general(body: &[u8]) -> Option<[u8; 22]> {
        // Reversed order forces the general path; it must find the same values.
        let text = std::str::from_utf8(body).unwrap();
        let reversed: Vec<&str> = text.split('/').rev().collect();
        assert!(parse_ordered(reversed.join("/").as_bytes(), &METRICS, &LOOKUP).is_none());
        Some(parse_body(&reversed.join("/"), &METRICS, &LOOKUP, Version::V3_1, 2).unwrap())
    }
}
