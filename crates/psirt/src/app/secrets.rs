//! Unguessable secrets (tracking tokens, API tokens, setup links) and how they are stored:
//! only their SHA-256 hash is kept, so a database leak does not open anything.

use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe base64 without padding, with a prefix naming what it is for.
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", data_encoding::BASE64URL_NOPAD.encode(&bytes))
}

pub fn hash_secret(secret: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_distinct_and_hashed() {
        let a = new_secret("t_");
        assert!(a.starts_with("t_") && a.len() >= 2 + 43);
        assert_ne!(a, new_secret("t_"));
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), a);
    }
}
