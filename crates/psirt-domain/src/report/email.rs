//! E-mail addresses as a parsed type: holding one means it is plausible to send mail to it.

use std::fmt;

use serde::{Serialize, Serializer};

/// An e-mail address in the `local@domain` form of RFC 5321 (no display name, no comments).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidEmail(&'static str);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let s = input.trim();
        if s.is_empty() {
            return Err(InvalidEmail("The address is empty."));
        }
        if s.len() > 254 {
            return Err(InvalidEmail("The address is longer than 254 characters."));
        }
        if s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')
        }) {
            return Err(InvalidEmail(
                "The address contains spaces or characters not allowed in an address.",
            ));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(InvalidEmail(
                "The address needs an @ between the name and the domain.",
            ));
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(InvalidEmail(
                "The part before the @ is empty, too long or has another @.",
            ));
        }
        let labels_ok = domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err(InvalidEmail(
                "The domain after the @ is not a valid domain name.",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["a@b.io", "first.last+tag@sub.example.com", "研究者@例え.jp"] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "", "no-at", "@x.io", "a@", "a@b", "a b@c.io", "a@-x.io", "<a@b.io>", "a@b..io",
            "x@y@z.io",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
