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
    /// `key` packed by [`code`], so matching a component is one integer comparison.
    code: u64,
    pub values: &'static [&'static str],
    /// `values` packed by [`code`] (unused slots: 0, which no value has).
    value_codes: [u64; 6],
    /// `KEY:` as a little-endian word, for the fast path.
    key_word: u64,
    /// `values` as little-endian words (at most 5 bytes each), for the fast path.
    value_words: [u64; 6],
    pub mandatory: bool,
}

/// Packs up to 7 bytes and their length into a `u64` (distinct strings, distinct codes);
/// longer input gets `u64::MAX`, which no metric name or value has.
const fn code(mut bytes: &[u8]) -> u64 {
    if bytes.len() > 7 {
        return u64::MAX;
    }
    let mut packed = bytes.len() as u64;
    while let [first, rest @ ..] = bytes {
        packed = (packed << 8) | *first as u64;
        bytes = rest;
    }
    packed
}

/// Shorthand for the tables.
pub(super) const fn def(
    key: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
) -> MetricDef {
    let (mut value_codes, mut value_words) = ([0; 6], [0; 6]);
    let mut rest = values;
    let mut i = 0;
    while let [first, tail @ ..] = rest {
        if i < value_codes.len() {
            value_codes[i] = code(first.as_bytes());
            value_words[i] = le_word(first.as_bytes(), 0);
        }
        i += 1;
        rest = tail;
    }
    let key_word = le_word(key.as_bytes(), b':');
    MetricDef { key, code: code(key.as_bytes()), values, value_codes, key_word, value_words, mandatory }
}

/// What [`parse_body`] found: one value per metric, and whether the metrics came in
/// specification order (then the input already is the canonical string).
pub(super) struct Body<const N: usize> {
    pub values: [u8; N],
    pub in_order: bool,
}

/// Parses `body` (the part after the prefix) against `defs`. `first_position` is the 1-based
/// position of the body's first component in the whole vector, for error messages.
pub(super) fn parse_body<const N: usize>(
    body: &str,
    defs: &[MetricDef; N],
    version: Version,
    first_position: usize,
) -> Result<Body<N>, CvssError> {
    if let Some(values) = parse_ordered(body.as_bytes(), defs) {
        return Ok(Body {
            values,
            in_order: true,
        });
    }
    let mut values = [0_u8; N];
    let mut in_order = true;
    // Vectors are nearly always in specification order, so the search for each metric starts
    // after the previous one: one or two comparisons per component instead of up to 32.
    let mut cursor = 0;
    // A hand-written single scan over the bytes: `str::split` and string comparison were
    // two thirds of the time per vector. Splitting at ASCII `/` and `:` keeps every part
    // valid UTF-8.
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
        let key_code = code(key);
        let found = (cursor..N)
            .chain(0..cursor)
            .find(|i| defs.get(*i).is_some_and(|d| d.code == key_code));
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
        in_order &= index >= cursor;
        cursor = index + 1;
        if *slot != 0 {
            return Err(CvssError::DuplicateMetric { metric: def.key });
        }
        let value_code = code(value);
        let Some(found_value) = def.value_codes.iter().position(|c| *c == value_code) else {
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
    Ok(Body { values, in_order })
}

/// Up to 7 bytes (then `suffix` if non-zero) as a little-endian word.
const fn le_word(mut bytes: &[u8], suffix: u8) -> u64 {
    let mut word = 0;
    let mut shift = 0;
    while let [first, rest @ ..] = bytes {
        if shift < 64 {
            word |= (*first as u64) << shift;
        }
        shift += 8;
        bytes = rest;
    }
    if suffix != 0 && shift < 64 {
        word |= (suffix as u64) << shift;
    }
    word
}

/// The first (up to) 8 bytes of `bytes` as a little-endian word, zero-padded.
fn load_word(bytes: &[u8]) -> u64 {
    let mut buf = [0; 8];
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = *s;
    }
    u64::from_le_bytes(buf)
}

/// The low `len` bytes of a word.
fn low_bytes(word: u64, len: usize) -> u64 {
    if len >= 8 { word } else { word & ((1_u64 << (8 * len)) - 1) }
}

/// The fast path for the usual vector: every metric known, valid, in specification order,
/// mandatory ones present. Walks the table and the input together, comparing whole words
/// (byte loops and `memcmp` mispredict on every mismatch); `None` sends the input to the
/// general parser, which also names what is wrong.
fn parse_ordered<const N: usize>(body: &[u8], defs: &[MetricDef; N]) -> Option<[u8; N]> {
    let mut values = [0_u8; N];
    let mut rest = body;
    let mut next = 0;
    while !rest.is_empty() {
        let word = load_word(rest);
        let (index, def) = defs
            .iter()
            .enumerate()
            .skip(next)
            .find(|(_, d)| low_bytes(word, d.key.len() + 1) == d.key_word)?;
        rest = rest.get(def.key.len() + 1..)?;
        let word = load_word(rest);
        let (value, len) = def.values.iter().zip(def.value_words.iter()).enumerate().find_map(|(i, (v, w))| {
            let len = v.len();
            (low_bytes(word, len) == *w && matches!(rest.get(len), None | Some(b'/'))).then_some((i, len))
        })?;
        *values.get_mut(index)? = u8::try_from(value + 1).ok()?;
        next = index + 1;
        rest = match rest.get(len..)? {
            [] => &[],
            [b'/', tail @ ..] if !tail.is_empty() => tail,
            _ => return None,
        };
    }
    let complete = defs.iter().zip(values.iter()).all(|(d, v)| !d.mandatory || *v != 0);
    complete.then_some(values)
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
