//! Field checks of catalog input, each naming the field at fault (shared by the API, the
//! staff forms and the importers).

use jiff::civil::Date;
use psirt_domain::{
    catalog::{Market, SupportStatus, VersionScheme},
    report::FieldErrors,
};

/// Longest name of a product, model or version.
pub const NAME_MAX: usize = 200;
/// Longest description.
pub const DESCRIPTION_MAX: usize = 4000;

/// A required one-line text, trimmed.
pub fn name(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        errors.push(field, "required", "give a name");
        None
    } else if value.chars().count() > NAME_MAX {
        errors.push(field, "too_long", format!("at most {NAME_MAX} characters"));
        None
    } else if value.contains(['\n', '\r', '\0']) {
        errors.push(field, "single_line", "one line, without control characters");
        None
    } else {
        Some(value.to_owned())
    }
}

/// An optional text: `Some(None)` when empty (cleared), `None` when invalid.
pub fn optional(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    max: usize,
    single_line: bool,
) -> Option<Option<String>> {
    let value = value.trim();
    if value.chars().count() > max {
        errors.push(field, "too_long", format!("at most {max} characters"));
        None
    } else if value.contains('\0') || (single_line && value.contains(['\n', '\r'])) {
        errors.push(field, "single_line", "one line, without control characters");
        None
    } else {
        Some((!value.is_empty()).then(|| value.to_owned()))
    }
}

/// A slug made from a name: ASCII letters and digits, everything else one dash.
pub fn slug_from(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(80).collect()
}

pub fn slug(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let value = value.trim();
    let ok = !value.is_empty()
        && value.len() <= 80
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Some(value.to_owned())
    } else {
        errors.push(
            field,
            "invalid_slug",
            "1 to 80 lower-case letters, digits and dashes, not starting or ending with a dash",
        );
        None
    }
}

pub fn scheme(errors: &mut FieldErrors, field: &str, value: &str) -> Option<VersionScheme> {
    VersionScheme::parse(value).or_else(|| {
        errors.push(field, "unknown_scheme", "one of semver, dotted, declared");
        None
    })
}

pub fn support(errors: &mut FieldErrors, field: &str, value: &str) -> Option<SupportStatus> {
    SupportStatus::parse(value).or_else(|| {
        errors.push(
            field,
            "unknown_support_status",
            "one of supported, security_only, unsupported",
        );
        None
    })
}

/// A date `YYYY-MM-DD`; `Some(None)` when empty.
pub fn date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Option<Date>> {
    let value = value.trim();
    if value.is_empty() {
        return Some(None);
    }
    match value.parse::<Date>() {
        Ok(d) if value.len() == 10 => Some(Some(d)),
        _ => {
            errors.push(field, "invalid_date", "a date as YYYY-MM-DD");
            None
        }
    }
}

/// Market codes, sorted, each once, joined for storage (`CN,DE`).
pub fn markets(errors: &mut FieldErrors, field: &str, values: &[String]) -> Option<String> {
    let mut out: Vec<Market> = Vec::new();
    let mut ok = true;
    for (i, v) in values.iter().enumerate() {
        match Market::parse(v) {
            Ok(m) => out.push(m),
            Err(e) => {
                errors.push(format!("{field}[{i}]"), "unknown_market", e.to_string());
                ok = false;
            }
        }
    }
    out.sort();
    out.dedup();
    ok.then(|| out.iter().map(Market::as_str).collect::<Vec<_>>().join(","))
}

/// A product's base package URL: `pkg:type/name` without a version; `Some(None)` when empty.
pub fn purl(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Some(None);
    }
    let ok = value.len() <= 500
        && value
            .strip_prefix("pkg:")
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(ty, name)| {
                !ty.is_empty()
                    && ty
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                    && !name.is_empty()
            })
        && !value.contains(['@', ' ', '\n', '\0']);
    if ok {
        Some(Some(value.to_owned()))
    } else {
        errors.push(
            field,
            "invalid_purl",
            "a package URL without a version, e.g. pkg:npm/fleet-app or pkg:generic/voltguard/bms",
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(slug_from("VoltGuard BMS"), "voltguard-bms");
        assert_eq!(
            slug_from("  SunBridge -- Hybrid/Inverter "),
            "sunbridge-hybrid-inverter"
        );
        assert_eq!(slug_from("储能系统"), "");
    }

    #[test]
    fn fields_are_named() {
        let mut e = FieldErrors::default();
        assert_eq!(date(&mut e, "released", "2026-02-30"), None);
        assert_eq!(date(&mut e, "released", "2026-2-3"), None);
        assert_eq!(
            markets(&mut e, "markets", &["DE".into(), "XX".into()]),
            None
        );
        assert_eq!(purl(&mut e, "purl", "pkg:npm/x@1"), None);
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["released", "released", "markets[1]", "purl"]);
    }
}
