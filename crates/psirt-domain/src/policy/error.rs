//! Errors of policy loading, located as `file:line:column: field: message` from TOML spans.

use std::fmt;
use std::ops::Range;

/// Why a policy or regime file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The file is not valid TOML, has an unknown or missing key, or breaks a rule of the format.
    #[error("{0}")]
    Invalid(Located),
    /// No built-in preset has this id.
    #[error("unknown policy `{0}` (built-in: {list})", list = super::presets::ids().join(", "))]
    UnknownPreset(String),
    /// No built-in regime has this id.
    #[error("unknown regime `{0}` (built-in: cra, miit)")]
    UnknownRegime(String),
}

/// A refusal with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted path of the offending key, e.g. `milestones[3].hours`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.field, self.message
        )
    }
}

/// Turns byte spans of one file into [`PolicyError::Invalid`].
pub(super) struct Locator<'t> {
    pub file: &'t str,
    pub text: &'t str,
}

impl Locator<'_> {
    /// An error at `span`. `field` is the full dotted path when the caller knows it (spans of
    /// whole tables); otherwise the key written at or above the span names it.
    pub fn at(
        &self,
        span: Range<usize>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> PolicyError {
        let offset = span.start.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        let path = field.map_or_else(|| self.field_path(offset, &span), str::to_owned);
        PolicyError::Invalid(Located {
            file: self.file.to_owned(),
            line,
            column,
            field: path,
            message: message.into(),
        })
    }

    /// A `toml` parse or schema error, located by its span.
    pub fn toml(&self, error: &toml::de::Error) -> PolicyError {
        let message = error.message().trim().to_owned();
        match error.span() {
            Some(span) => self.at(span, None, message),
            None => PolicyError::Invalid(Located {
                file: self.file.to_owned(),
                line: 1,
                column: 1,
                field: "(document)".to_owned(),
                message,
            }),
        }
    }

    /// The key at `offset`: the key written there, or the nearest `key =` above it within the
    /// same table (values can span lines, e.g. arrays of holidays).
    fn field_path(&self, offset: usize, span: &Range<usize>) -> String {
        // An unknown key: the span covers the key itself, with `=` after it.
        let spanned = self
            .text
            .get(span.clone())
            .unwrap_or_default()
            .trim()
            .trim_matches('"');
        let rest_of_line = self.text.get(span.end..).unwrap_or_default();
        if is_bare_key(spanned)
            && rest_of_line
                .trim_start_matches([' ', '\t', '"'])
                .starts_with('=')
        {
            return self.table_path(offset, Some(spanned));
        }
        let before = self.text.get(..offset).unwrap_or_default();
        let key = before.lines().rev().find_map(|l| {
            let l = l.trim_start();
            if l.starts_with('[') {
                return Some(None);
            }
            let (k, _) = l.split_once('=')?;
            let k = k.trim();
            is_bare_key(k).then(|| Some(k.to_owned()))
        });
        self.table_path(offset, key.flatten().as_deref())
    }

    /// The table holding `offset` (`milestones[2]`), joined with `key`.
    fn table_path(&self, offset: usize, key: Option<&str>) -> String {
        let before = self.text.get(..offset).unwrap_or_default();
        let mut table = String::new();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for l in before.lines() {
            let l = l.trim();
            if let Some(name) = l
                .strip_prefix("[[")
                .and_then(|r| r.split_once("]]"))
                .map(|(n, _)| n.trim())
            {
                let n = match counts.iter_mut().find(|(k, _)| k == name) {
                    Some((_, c)) => {
                        *c += 1;
                        *c
                    }
                    None => {
                        counts.push((name.to_owned(), 0));
                        0
                    }
                };
                table = format!("{name}[{n}]");
            } else if let Some(name) = l
                .strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .map(|(n, _)| n.trim())
            {
                table = name.to_owned();
            }
        }
        match (table.is_empty(), key) {
            (true, Some(k)) => k.to_owned(),
            (true, None) => "(document)".to_owned(),
            (false, Some(k)) => format!("{table}.{k}"),
            (false, None) => table,
        }
    }
}

fn is_bare_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}
