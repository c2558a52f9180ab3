//! Every OpenPGP operation psirt performs, on Sequoia (`sequoia-openpgp`, pure-Rust crypto):
//! pure functions over bytes and keys — no database, no files, no clock (time is a parameter).
//! The organisation's keys are stored and cached by [`crate::app::keys`]; this module is what
//! publication (CSAF `.asc`, clear-signed `security.txt`) and e-mail intake (PGP/MIME and inline
//! PGP) call.
//!
//! | need | call |
//! |---|---|
//! | a new organisation key (v4, Ed25519 + Cv25519, readable by GnuPG 2.2) | [`SecretKey::generate`] |
//! | a key exported by `gpg --export-secret-keys --armor` | [`SecretKey::import`] (passphrase optional) |
//! | keep a key in storage, protected by a passphrase or not | [`SecretKey::to_stored`] / [`SecretKey::from_stored`] |
//! | a correspondent's public key (armored or binary) | [`Certificate::parse`] |
//! | the public key to publish | [`Certificate::armored`] (from [`SecretKey::certificate`]) |
//! | a detached signature (`x.json.asc`) | [`sign_detached`] |
//! | a clear-signed text (`security.txt`, inline PGP mail) | [`clearsign`] |
//! | check a detached signature (PGP/MIME `multipart/signed`) | [`verify_detached`] |
//! | check a signed or clear-signed message and get its content (inline PGP) | [`verify_inline`] |
//! | encrypt to a recipient (optionally signed) | [`encrypt`] |
//! | decrypt with the organisation's keys (+ check any signature inside) | [`decrypt`] |
//!
//! Signature results are data ([`SignatureCheck`]: good, unknown key, bad), never an error: a
//! message with a bad signature is still a message, and intake records the outcome. Errors
//! ([`OpenPgpError`]) mean the input is not usable at all (unreadable, not for us, too large).
//! Attacker-supplied input is parsed by Sequoia only; decompressed or decrypted content is
//! capped by the caller's `max_len`.

mod crypt;
mod sign;

use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use sequoia_openpgp::{
    self as openpgp, Cert, Profile,
    cert::{
        CertBuilder, CertParser, CipherSuite,
        amalgamation::key::{PrimaryKey, ValidErasedKeyAmalgamation},
    },
    crypto::{KeyPair, Password},
    packet::{Packet, UserID, key},
    parse::Parse,
    policy::StandardPolicy,
    serialize::SerializeInto,
};

pub use crypt::{Decrypted, decrypt, encrypt};
pub use sign::{
    SignatureCheck, Verified, clearsign, sign_detached, verify_detached, verify_inline,
};

/// The policy every check runs under (Sequoia's standard: rejects SHA-1 signatures, weak keys).
static POLICY: StandardPolicy<'static> = StandardPolicy::new();

#[derive(Debug, thiserror::Error)]
pub enum OpenPgpError {
    #[error("not a usable OpenPGP key, signature or message: {0}")]
    Unreadable(String),
    #[error("this is a public key only: give the secret key (gpg --export-secret-keys --armor)")]
    NoSecretKey,
    #[error("the secret key is protected by a passphrase: give it")]
    PassphraseNeeded,
    #[error("the passphrase does not unlock the secret key")]
    WrongPassphrase,
    #[error("the key cannot be used: {0}")]
    Unusable(String),
    #[error("the message is not encrypted to any of the organisation's keys")]
    NotForUs,
    #[error("the content is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error("OpenPGP operation failed: {0}")]
    Failed(String),
}

fn failed(e: impl std::fmt::Display) -> OpenPgpError {
    OpenPgpError::Failed(e.to_string())
}

fn unreadable(e: impl std::fmt::Display) -> OpenPgpError {
    OpenPgpError::Unreadable(e.to_string())
}

fn time(t: Timestamp) -> SystemTime {
    SystemTime::from(t)
}

/// A public certificate (someone's public key with its user ids and subkeys).
#[derive(Debug, Clone)]
pub struct Certificate(Cert);

impl Certificate {
    /// Parses exactly one certificate, armored or binary (secret parts, if any, are dropped).
    pub fn parse(bytes: &[u8]) -> Result<Self, OpenPgpError> {
        Ok(Self(one_cert(bytes)?.strip_secret_key_material()))
    }

    /// The primary key's fingerprint: 40 upper-case hex digits for a v4 key.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint().to_hex()
    }

    /// The user ids, as written (e.g. `Example Ltd. <security@example.com>`).
    pub fn user_ids(&self) -> Vec<String> {
        self.0
            .userids()
            .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
            .collect()
    }

    /// The ASCII-armored public key (`-----BEGIN PGP PUBLIC KEY BLOCK-----`).
    pub fn armored(&self) -> Result<String, OpenPgpError> {
        let bytes = self.0.armored().to_vec().map_err(failed)?;
        String::from_utf8(bytes).map_err(failed)
    }

    /// `Ed25519`, `RSA 3072`, …: the primary key's algorithm, for listings.
    pub fn algorithm(&self) -> String {
        let key = self.0.primary_key().key();
        match key.mpis().bits() {
            Some(bits) if key.pk_algo().to_string().starts_with("RSA") => {
                format!("{} {bits}", key.pk_algo())
            }
            _ => key.pk_algo().to_string(),
        }
    }

    /// When the primary key was created.
    pub fn created(&self) -> Option<Timestamp> {
        Timestamp::try_from(self.0.primary_key().key().creation_time()).ok()
    }

    /// When the certificate expires (None: never), as of `now`.
    pub fn expires(&self, now: Timestamp) -> Option<Timestamp> {
        let valid = self.0.with_policy(&POLICY, time(now)).ok()?;
        valid
            .primary_key()
            .key_expiration_time()
            .and_then(|t| Timestamp::try_from(t).ok())
    }

    /// Whether it has a key that may encrypt to it at `now`.
    pub fn can_encrypt(&self, now: Timestamp) -> bool {
        !self.encryption_keys(now).is_empty()
    }

    /// The (sub)keys a message to this certificate is encrypted to at `now`.
    fn encryption_keys(
        &self,
        now: Timestamp,
    ) -> Vec<ValidErasedKeyAmalgamation<'_, key::PublicParts>> {
        self.0
            .keys()
            .with_policy(&POLICY, time(now))
            .supported()
            .alive()
            .revoked(false)
            .for_transport_encryption()
            .collect()
    }

    /// Whether the signatures in `signature` (armored or binary) name one of this certificate's
    /// keys as their issuer — who made them, not whether they verify.
    pub fn issued(&self, signature: &[u8]) -> bool {
        let Ok(pile) = openpgp::PacketPile::from_bytes(signature) else {
            return false;
        };
        let issuers: Vec<_> = pile
            .descendants()
            .filter_map(|p| match p {
                Packet::Signature(sig) => Some(sig.get_issuers()),
                _ => None,
            })
            .flatten()
            .collect();
        !issuers.is_empty()
            && issuers
                .iter()
                .all(|h| self.0.keys().any(|k| k.key().key_handle().aliases(h)))
    }

    pub(crate) fn cert(&self) -> &Cert {
        &self.0
    }
}

/// An organisation key with its secret parts unlocked (in memory only).
#[derive(Clone)]
pub struct SecretKey(Cert);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SecretKey")
            .field(&self.0.fingerprint().to_hex())
            .finish()
    }
}

impl SecretKey {
    /// A new v4 key: an Ed25519 (EdDSA legacy) certification primary key, an Ed25519 signing
    /// subkey and a Cv25519 encryption subkey, with `user_id` (e.g. `Org <security@org>`).
    /// Created a minute before `now`, so it is valid at once; `valid_for` None = no expiry.
    pub fn generate(
        user_id: &str,
        now: Timestamp,
        valid_for: Option<Duration>,
    ) -> Result<Self, OpenPgpError> {
        let created = time(now)
            .checked_sub(Duration::from_secs(60))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let (cert, _revocation) = CertBuilder::general_purpose([user_id])
            .set_cipher_suite(CipherSuite::Cv25519)
            .set_profile(Profile::RFC4880)
            .map_err(failed)?
            .set_creation_time(created)
            .set_validity_period(valid_for)
            .generate()
            .map_err(failed)?;
        let key = Self(cert);
        key.signing_pair(now)?;
        Ok(key)
    }

    /// Reads one secret key (armored or binary) and unlocks it with `passphrase` when its
    /// secret parts are protected. It must be able to sign at `now`.
    pub fn import(
        bytes: &[u8],
        passphrase: Option<&str>,
        now: Timestamp,
    ) -> Result<Self, OpenPgpError> {
        let cert = one_cert(bytes)?;
        if !cert.is_tsk() {
            return Err(OpenPgpError::NoSecretKey);
        }
        let key = Self(unlock(cert, passphrase)?);
        key.signing_pair(now)?;
        Ok(key)
    }

    /// The armored secret key as psirt stores it: its secret parts protected with `passphrase`
    /// (OpenPGP S2K, as `gpg` does) when one is given, in the clear otherwise.
    pub fn to_stored(&self, passphrase: Option<&str>) -> Result<String, OpenPgpError> {
        let cert = match passphrase {
            None => self.0.clone(),
            Some(p) => {
                let password = Password::from(p);
                let mut protected: Vec<Packet> = Vec::new();
                for ka in self.0.keys().secret() {
                    let key = ka.key().clone().encrypt_secret(&password).map_err(failed)?;
                    protected.push(if ka.primary() {
                        key.role_into_primary().into()
                    } else {
                        key.role_into_subordinate().into()
                    });
                }
                self.0.clone().insert_packets(protected).map_err(failed)?.0
            }
        };
        let bytes = cert.as_tsk().armored().to_vec().map_err(failed)?;
        String::from_utf8(bytes).map_err(failed)
    }

    /// Reads a key written by [`SecretKey::to_stored`].
    pub fn from_stored(text: &str, passphrase: Option<&str>) -> Result<Self, OpenPgpError> {
        let cert = Cert::from_bytes(text.as_bytes()).map_err(unreadable)?;
        if !cert.is_tsk() {
            return Err(OpenPgpError::NoSecretKey);
        }
        Ok(Self(unlock(cert, passphrase)?))
    }

    pub fn fingerprint(&self) -> String {
        self.0.fingerprint().to_hex()
    }

    /// The public part, to publish.
    pub fn certificate(&self) -> Certificate {
        Certificate(self.0.clone().strip_secret_key_material())
    }

    /// The key pair that signs at `now` (the signing subkey).
    fn signing_pair(&self, now: Timestamp) -> Result<KeyPair, OpenPgpError> {
        let ka = self
            .0
            .keys()
            .unencrypted_secret()
            .with_policy(&POLICY, time(now))
            .supported()
            .alive()
            .revoked(false)
            .for_signing()
            .next()
            .ok_or_else(|| {
                OpenPgpError::Unusable(
                    "no secret key that may sign now (expired, revoked, or no signing key)".into(),
                )
            })?;
        ka.key().clone().into_keypair().map_err(failed)
    }

    pub(crate) fn cert(&self) -> &Cert {
        &self.0
    }
}

/// The certificate in `bytes`; a keyring of several is refused (which one would be meant?).
fn one_cert(bytes: &[u8]) -> Result<Cert, OpenPgpError> {
    let mut certs = CertParser::from_bytes(bytes).map_err(unreadable)?;
    let first = certs
        .next()
        .ok_or_else(|| unreadable("no key found"))?
        .map_err(unreadable)?;
    if certs.next().is_some() {
        return Err(unreadable("several keys found: give exactly one"));
    }
    Ok(first)
}

/// Decrypts every protected secret part with `passphrase`.
fn unlock(cert: Cert, passphrase: Option<&str>) -> Result<Cert, OpenPgpError> {
    let mut unlocked: Vec<Packet> = Vec::new();
    for ka in cert.keys().secret() {
        if ka.key().has_unencrypted_secret() {
            continue;
        }
        let Some(p) = passphrase else {
            return Err(OpenPgpError::PassphraseNeeded);
        };
        let key = ka
            .key()
            .clone()
            .decrypt_secret(&Password::from(p))
            .map_err(|_| OpenPgpError::WrongPassphrase)?;
        unlocked.push(if ka.primary() {
            key.role_into_primary().into()
        } else {
            key.role_into_subordinate().into()
        });
    }
    if unlocked.is_empty() {
        return Ok(cert);
    }
    Ok(cert.insert_packets(unlocked).map_err(failed)?.0)
}

/// The user id of an organisation key: `Name <address>` from the configured name and contact
/// (a `mailto:` contact or a bare address), or the name alone when the contact is no address.
pub fn organisation_user_id(name: &str, contact: &str) -> String {
    let address = contact.strip_prefix("mailto:").unwrap_or(contact).trim();
    if address.contains('@')
        && let Ok(uid) = UserID::from_address(Some(name.trim()), None, address)
    {
        return String::from_utf8_lossy(uid.value()).into_owned();
    }
    name.trim().to_owned()
}

#[cfg(test)]
mod tests;
