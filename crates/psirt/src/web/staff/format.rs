//! Times as staff read them: in their own time zone, and as time left or overdue.

use jiff::{Timestamp, tz::TimeZone};

/// `2026-11-25 10:00 CET` in the viewer's zone; the input unchanged if it is not a time.
pub fn local(at: &str, tz: &TimeZone) -> String {
    match at.parse::<Timestamp>() {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => at.to_owned(),
    }
}

pub fn local_opt(at: Option<&str>, tz: &TimeZone) -> String {
    at.map(|a| local(a, tz)).unwrap_or_default()
}

/// `3 d 4 h left` or `overdue by 2 h 5 min`.
pub fn time_left(due: Option<&str>, now: Timestamp) -> String {
    let Some(due) = due.and_then(|d| d.parse::<Timestamp>().ok()) else {
        return String::new();
    };
    let secs = due.duration_since(now).as_secs();
    let span = human(secs.abs());
    if secs >= 0 {
        format!("{span} left")
    } else {
        format!("overdue by {span}")
    }
}

fn human(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_naturally() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(time_left(Some("2026-01-02T03:00:00Z"), now), "1 d 3 h left");
        assert_eq!(
            time_left(Some("2025-12-31T22:30:00Z"), now),
            "overdue by 1 h 30 min"
        );
        assert_eq!(
            local("2026-01-01T00:00:00Z", &TimeZone::UTC),
            "2026-01-01 00:00 UTC"
        );
    }
}
