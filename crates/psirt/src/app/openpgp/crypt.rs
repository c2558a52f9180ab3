//! Encryption to a recipient's certificate and decryption with the organisation's keys.

use std::io::Write;

use jiff::Timestamp;
use sequoia_openpgp::{
    Cert, KeyHandle,
    crypto::{KeyPair, SessionKey},
    packet::{PKESK, SKESK},
    parse::{
        Parse,
        stream::{DecryptionHelper, DecryptorBuilder, MessageStructure, VerificationHelper},
    },
    serialize::stream::{Armorer, Encryptor, LiteralWriter, Message, Signer},
    types::SymmetricAlgorithm,
};

use super::{
    Certificate, OpenPgpError, POLICY, SecretKey, failed,
    sign::{Checker, SignatureCheck, read_capped},
    time,
};

/// Encrypts `plaintext` to `recipient` (armored `-----BEGIN PGP MESSAGE-----`), signed by
/// `signer` inside the encryption when given. The format follows what the recipient's key
/// advertises, so GnuPG 2.2 keys get messages GnuPG 2.2 reads.
pub fn encrypt(
    recipient: &Certificate,
    plaintext: &[u8],
    signer: Option<&SecretKey>,
    now: Timestamp,
) -> Result<String, OpenPgpError> {
    let keys = recipient.encryption_keys(now);
    if keys.is_empty() {
        return Err(OpenPgpError::Unusable(format!(
            "{} has no key that may encrypt now (expired, revoked, or signing only)",
            recipient.fingerprint()
        )));
    }
    let pair = signer.map(|s| s.signing_pair(now)).transpose()?;
    let mut sink = Vec::new();
    {
        let message = Armorer::new(Message::new(&mut sink))
            .build()
            .map_err(failed)?;
        let mut message = Encryptor::for_recipients(message, keys)
            .build()
            .map_err(failed)?;
        if let Some(pair) = pair {
            message = Signer::new(message, pair)
                .map_err(failed)?
                .creation_time(time(now))
                .build()
                .map_err(failed)?;
        }
        let mut literal = LiteralWriter::new(message)
            .date(time(now))
            .map_err(failed)?
            .build()
            .map_err(failed)?;
        literal.write_all(plaintext).map_err(failed)?;
        literal.finalize().map_err(failed)?;
    }
    String::from_utf8(sink).map_err(failed)
}

/// A decrypted message.
#[derive(Debug, Clone)]
pub struct Decrypted {
    /// The content (for PGP/MIME, the inner MIME entity).
    pub content: Vec<u8>,
    /// The fingerprint of the organisation key that decrypted it.
    pub recipient: String,
    /// The signatures inside the encryption, checked against `senders` (empty: unsigned).
    pub signatures: Vec<SignatureCheck>,
}

/// Decrypts `message` (armored or binary) with whichever of `keys` it is encrypted to, and
/// checks the signatures inside against `senders`. The content is at most `max_len` bytes.
pub fn decrypt(
    keys: &[SecretKey],
    senders: &[Certificate],
    message: &[u8],
    now: Timestamp,
    max_len: usize,
) -> Result<Decrypted, OpenPgpError> {
    let mut pairs = Vec::new();
    for key in keys {
        let cert = key.cert();
        for ka in cert
            .keys()
            .unencrypted_secret()
            .with_policy(&POLICY, time(now))
            .supported()
            .for_transport_encryption()
            .for_storage_encryption()
        {
            if let Ok(pair) = ka.key().clone().into_keypair() {
                pairs.push((cert.fingerprint().to_hex(), ka.key().key_handle(), pair));
            }
        }
    }
    let helper = Decrypting {
        checker: Checker::new(senders),
        pairs,
        recipient: None,
    };
    let mut decryptor = match DecryptorBuilder::from_bytes(message)
        .map_err(|e| OpenPgpError::Unreadable(e.to_string()))?
        .with_policy(&POLICY, time(now), helper)
    {
        Ok(d) => d,
        Err(e) => {
            return Err(if e.to_string().contains("decrypt") {
                OpenPgpError::NotForUs
            } else {
                OpenPgpError::Unreadable(e.to_string())
            });
        }
    };
    let content = read_capped(&mut decryptor, max_len)?;
    let helper = decryptor.into_helper();
    let recipient = helper.recipient.ok_or(OpenPgpError::NotForUs)?;
    Ok(Decrypted {
        content,
        recipient,
        signatures: helper.checker.checks,
    })
}

struct Decrypting {
    checker: Checker,
    /// (certificate fingerprint, encryption subkey, its key pair)
    pairs: Vec<(String, KeyHandle, KeyPair)>,
    recipient: Option<String>,
}

impl VerificationHelper for Decrypting {
    fn get_certs(&mut self, ids: &[KeyHandle]) -> sequoia_openpgp::Result<Vec<Cert>> {
        self.checker.get_certs(ids)
    }

    fn check(&mut self, structure: MessageStructure) -> sequoia_openpgp::Result<()> {
        self.checker.check(structure)
    }
}

impl DecryptionHelper for Decrypting {
    fn decrypt(
        &mut self,
        pkesks: &[PKESK],
        _skesks: &[SKESK],
        sym_algo: Option<SymmetricAlgorithm>,
        decrypt: &mut dyn FnMut(Option<SymmetricAlgorithm>, &SessionKey) -> bool,
    ) -> sequoia_openpgp::Result<Option<Cert>> {
        for pkesk in pkesks {
            let named = pkesk.recipient();
            for (fingerprint, handle, pair) in &mut self.pairs {
                // A PKESK without a recipient (anonymous) is tried with every key.
                if named.as_ref().is_some_and(|n| !n.aliases(&*handle)) {
                    continue;
                }
                if let Some((algo, session_key)) = pkesk.decrypt(pair, sym_algo)
                    && decrypt(algo, &session_key)
                {
                    self.recipient = Some(fingerprint.clone());
                    return Ok(None);
                }
            }
        }
        Err(anyhow::anyhow!(
            "no key to decrypt: the message is not encrypted to the organisation's keys"
        ))
    }
}
