//! The built-in policy presets, one per seed policy plus `default`, embedded at compile time.
//! Each is an ordinary policy file; `docs/policies/<id>.md` explains how it reads its seed.

const PRESETS: [(&str, &str); 5] = [
    ("bms-asil", include_str!("bms-asil.toml")),
    ("cvd-cvss", include_str!("cvd-cvss.toml")),
    ("iec62443", include_str!("iec62443.toml")),
    ("consumer-5tier", include_str!("consumer-5tier.toml")),
    ("default", include_str!("default.toml")),
];

/// The ids of all presets, in listing order.
pub fn ids() -> Vec<&'static str> {
    PRESETS.iter().map(|(id, _)| *id).collect()
}

/// The TOML text of a preset.
pub fn text(id: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|(p, _)| *p == id)
        .map(|(_, text)| *text)
}
