//! Signatures: detached (`.asc` beside a file, PGP/MIME `multipart/signed`) and clear-signed
//! text (`security.txt`, inline PGP), made and checked.

use std::io::{Read, Write};

use jiff::Timestamp;
use sequoia_openpgp::{
    Cert, KeyHandle, armor,
    cert::amalgamation::ValidAmalgamation,
    packet::Signature,
    parse::{
        Parse,
        stream::{
            DetachedVerifierBuilder, GoodChecksum, MessageLayer, MessageStructure,
            VerificationError, VerificationHelper, VerifierBuilder,
        },
    },
    serialize::stream::{Armorer, Message, Signer},
};
use serde::Serialize;

use super::{Certificate, OpenPgpError, POLICY, SecretKey, failed, time, unreadable};

/// The outcome of one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignatureCheck {
    /// Verified with a given certificate (`fingerprint` = its primary key), valid at the time
    /// of the check under Sequoia's standard policy.
    Good {
        fingerprint: String,
        user_id: Option<String>,
        created: Option<Timestamp>,
    },
    /// Made by a key whose certificate was not given (`issuer`: its fingerprint or key id).
    UnknownKey { issuer: Option<String> },
    /// Does not verify: altered content, an expired or revoked key, a weak algorithm, garbage.
    Bad {
        issuer: Option<String>,
        reason: String,
    },
}

impl SignatureCheck {
    /// Whether this is a good signature by the certificate with `fingerprint`.
    pub fn is_good_by(&self, fingerprint: &str) -> bool {
        matches!(self, SignatureCheck::Good { fingerprint: f, .. } if f.eq_ignore_ascii_case(fingerprint))
    }
}

/// A signed message's content and its signatures' outcomes.
#[derive(Debug, Clone)]
pub struct Verified {
    pub content: Vec<u8>,
    pub signatures: Vec<SignatureCheck>,
}

/// Signs `data`; returns the armored detached signature (`-----BEGIN PGP SIGNATURE-----`).
pub fn sign_detached(key: &SecretKey, data: &[u8], now: Timestamp) -> Result<String, OpenPgpError> {
    let pair = key.signing_pair(now)?;
    let mut sink = Vec::new();
    {
        let message = Armorer::new(Message::new(&mut sink))
            .kind(armor::Kind::Signature)
            .build()
            .map_err(failed)?;
        let mut signer = Signer::new(message, pair)
            .map_err(failed)?
            .detached()
            .creation_time(time(now))
            .build()
            .map_err(failed)?;
        signer.write_all(data).map_err(failed)?;
        signer.finalize().map_err(failed)?;
    }
    String::from_utf8(sink).map_err(failed)
}

/// Clear-signs `text` (RFC 9580 §7, the Cleartext Signature Framework: trailing whitespace is
/// not signed, lines starting with `-` are dash-escaped). As with `gpg --clearsign`, the line
/// break that ends `text` is the framing before the signature, not signed text.
pub fn clearsign(key: &SecretKey, text: &str, now: Timestamp) -> Result<String, OpenPgpError> {
    let pair = key.signing_pair(now)?;
    let mut sink = Vec::new();
    {
        let mut signer = Signer::new(Message::new(&mut sink), pair)
            .map_err(failed)?
            .cleartext()
            .creation_time(time(now))
            .build()
            .map_err(failed)?;
        let text = text.strip_suffix('\n').unwrap_or(text);
        signer
            .write_all(text.strip_suffix('\r').unwrap_or(text).as_bytes())
            .map_err(failed)?;
        signer.finalize().map_err(failed)?;
    }
    String::from_utf8(sink).map_err(failed)
}

/// Checks a detached `signature` (armored or binary) over `data` against `certs`.
pub fn verify_detached(
    certs: &[Certificate],
    data: &[u8],
    signature: &[u8],
    now: Timestamp,
) -> Result<Vec<SignatureCheck>, OpenPgpError> {
    let helper = Checker::new(certs);
    let mut verifier = DetachedVerifierBuilder::from_bytes(signature)
        .map_err(unreadable)?
        .with_policy(&POLICY, time(now), helper)
        .map_err(unreadable)?;
    verifier.verify_bytes(data).map_err(unreadable)?;
    let checks = verifier.into_helper().checks;
    if checks.is_empty() {
        return Err(unreadable("no signature found"));
    }
    Ok(checks)
}

/// Reads a signed (`-----BEGIN PGP MESSAGE-----`) or clear-signed message, checking its
/// signatures against `certs`; the content is at most `max_len` bytes.
pub fn verify_inline(
    certs: &[Certificate],
    message: &[u8],
    now: Timestamp,
    max_len: usize,
) -> Result<Verified, OpenPgpError> {
    let helper = Checker::new(certs);
    let mut verifier = VerifierBuilder::from_bytes(message)
        .map_err(unreadable)?
        .with_policy(&POLICY, time(now), helper)
        .map_err(unreadable)?;
    let content = read_capped(&mut verifier, max_len)?;
    let signatures = verifier.into_helper().checks;
    Ok(Verified {
        content,
        signatures,
    })
}

pub(super) fn read_capped(reader: &mut impl Read, max_len: usize) -> Result<Vec<u8>, OpenPgpError> {
    let mut content = Vec::new();
    let limit = u64::try_from(max_len).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(limit)
        .read_to_end(&mut content)
        .map_err(unreadable)?;
    if content.len() > max_len {
        return Err(OpenPgpError::TooLarge(max_len));
    }
    Ok(content)
}

fn issuer(sig: &Signature) -> Option<String> {
    let issuers = sig.get_issuers();
    issuers
        .iter()
        .find(|h| matches!(h, KeyHandle::Fingerprint(_)))
        .or_else(|| issuers.first())
        .map(KeyHandle::to_hex)
}

/// Feeds certificates to Sequoia and records every signature's outcome; never fails a message
/// for its signatures (the caller decides what a bad one means).
pub(super) struct Checker {
    certs: Vec<Cert>,
    pub(super) checks: Vec<SignatureCheck>,
}

impl Checker {
    pub(super) fn new(certs: &[Certificate]) -> Self {
        Self {
            certs: certs.iter().map(|c| c.cert().clone()).collect(),
            checks: Vec::new(),
        }
    }
}

impl VerificationHelper for Checker {
    fn get_certs(&mut self, _ids: &[KeyHandle]) -> sequoia_openpgp::Result<Vec<Cert>> {
        Ok(self.certs.clone())
    }

    fn check(&mut self, structure: MessageStructure) -> sequoia_openpgp::Result<()> {
        for layer in structure {
            let MessageLayer::SignatureGroup { results } = layer else {
                continue;
            };
            for result in results {
                self.checks.push(match result {
                    Ok(GoodChecksum { sig, ka }) => SignatureCheck::Good {
                        fingerprint: ka.cert().fingerprint().to_hex(),
                        user_id: ka
                            .valid_cert()
                            .primary_userid()
                            .ok()
                            .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned()),
                        created: sig
                            .signature_creation_time()
                            .and_then(|t| Timestamp::try_from(t).ok()),
                    },
                    Err(VerificationError::MissingKey { sig }) => SignatureCheck::UnknownKey {
                        issuer: issuer(sig),
                    },
                    Err(VerificationError::UnboundKey { sig, error, .. })
                    | Err(VerificationError::BadKey { sig, error, .. })
                    | Err(VerificationError::BadSignature { sig, error, .. })
                    | Err(VerificationError::MalformedSignature { sig, error }) => {
                        SignatureCheck::Bad {
                            issuer: issuer(sig),
                            reason: error.to_string(),
                        }
                    }
                    Err(other) => SignatureCheck::Bad {
                        issuer: None,
                        reason: other.to_string(),
                    },
                });
            }
        }
        Ok(())
    }
}
