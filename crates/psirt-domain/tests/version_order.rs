//! Properties of the version orders: each is a total order, dotted agrees with comparing the
//! numbers, semver agrees with the `semver` crate's precedence, declared with list positions,
//! and a range holds exactly for the versions between its bounds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

use std::cmp::Ordering;

use proptest::prelude::*;
use psirt_domain::catalog::{VersionOrder, VersionRange, VersionScheme};

fn dotted() -> VersionOrder {
    VersionOrder::new(VersionScheme::Dotted, Vec::new())
}

fn semver_order() -> VersionOrder {
    VersionOrder::new(VersionScheme::Semver, Vec::new())
}

fn numbers() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..2000, 1..7)
}

fn text(parts: &[u64]) -> String {
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Numbers compared with missing trailing parts as zero, then the shorter first.
fn reference(a: &[u64], b: &[u64]) -> Ordering {
    let depth = a.len().max(b.len());
    for i in 0..depth {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

fn semver_text() -> impl Strategy<Value = String> {
    (
        0u64..30,
        0u64..30,
        0u64..30,
        prop::option::of(prop::collection::vec(
            prop_oneof!["[a-z]{1,5}", (0u64..20).prop_map(|n| n.to_string())],
            1..3,
        )),
    )
        .prop_map(|(a, b, c, pre)| match pre {
            Some(ids) => format!("{a}.{b}.{c}-{}", ids.join(".")),
            None => format!("{a}.{b}.{c}"),
        })
}

proptest! {
    #[test]
    fn dotted_agrees_with_numbers(a in numbers(), b in numbers()) {
        prop_assert_eq!(dotted().compare(&text(&a), &text(&b)).unwrap(), reference(&a, &b));
    }

    #[test]
    fn dotted_ignores_leading_zeros_and_prefixes(a in numbers(), b in numbers(), pad in 1usize..3) {
        let padded: Vec<String> = a.iter().map(|n| format!("{n:0>pad$}", pad = pad + n.to_string().len())).collect();
        let padded = format!("V{}", padded.join("."));
        let expected = reference(&a, &b);
        if expected != Ordering::Equal {
            prop_assert_eq!(dotted().compare(&padded, &format!("V{}", text(&b))).unwrap(), expected);
        }
    }

    #[test]
    fn orders_are_total(mut v in prop::collection::vec(numbers(), 1..20)) {
        let o = dotted();
        let mut names: Vec<String> = v.iter().map(|p| text(p)).collect();
        o.sort_by_key(&mut names, |s| s);
        v.sort_by(|a, b| reference(a, b));
        let expected: Vec<String> = v.iter().map(|p| text(p)).collect();
        prop_assert_eq!(&names, &expected);
        for w in names.windows(2) {
            prop_assert_ne!(o.compare(&w[0], &w[1]).unwrap(), Ordering::Greater);
            prop_assert_eq!(o.compare(&w[0], &w[1]).unwrap(), o.compare(&w[1], &w[0]).unwrap().reverse());
        }
    }

    #[test]
    fn semver_agrees_with_precedence(a in semver_text(), b in semver_text()) {
        let (x, y) = (semver::Version::parse(&a).unwrap(), semver::Version::parse(&b).unwrap());
        prop_assert_eq!(semver_order().compare(&a, &b).unwrap(), x.cmp_precedence(&y).then(x.cmp(&y)));
    }

    #[test]
    fn declared_follows_positions(list in prop::collection::hash_set("[A-Z][0-9]{2}", 1..12), i in 0usize..12, j in 0usize..12) {
        let list: Vec<String> = list.into_iter().collect();
        let (i, j) = (i % list.len(), j % list.len());
        let o = VersionOrder::new(VersionScheme::Declared, list.clone());
        prop_assert_eq!(o.compare(&list[i], &list[j]).unwrap(), i.cmp(&j));
        prop_assert!(o.compare(&list[i], "not declared").is_err());
    }

    #[test]
    fn ranges_hold_between_their_bounds(lo in numbers(), hi in numbers(), v in numbers()) {
        let o = dotted();
        let range = VersionRange::parse(&format!(">= {}, < {}", text(&lo), text(&hi)), &o).unwrap();
        let expected = reference(&v, &lo) != Ordering::Less && reference(&v, &hi) == Ordering::Less;
        prop_assert_eq!(range.contains(&o, &text(&v)).unwrap(), expected);
        let again = VersionRange::parse(&range.to_string(), &o).unwrap();
        prop_assert_eq!(again, range);
    }
}
