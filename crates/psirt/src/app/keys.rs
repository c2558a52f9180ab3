//! The organisation's OpenPGP keys as use cases: `psirt keys generate | import | export | list`,
//! the unlocked signing key publication uses (cached per process), the decryption keys e-mail
//! intake uses, and the signing of already published CSAF documents when a key is added —
//! in the same transaction that makes the key active, so the directory never lists a key
//! whose signatures are missing.
//!
//! Storage: the database (`openpgp_keys`), so every instance on a shared PostgreSQL signs with
//! the same key; secret parts are protected with `openpgp.key_passphrase` when it is set. The
//! secret key leaves only through `psirt keys export --secret` (for an offline backup).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{
    App, AppError,
    openpgp::{self, Certificate, OpenPgpError, SecretKey},
};
use crate::storage::{
    StorageError,
    advisories::{self as stored, PublishedFile},
    audit,
    keys::{self as store, KeyRow, NewKey},
};

/// The public URL path of a key: beside the provider metadata (CSAF §7.1.20).
pub fn public_key_path(fingerprint: &str) -> String {
    format!("/.well-known/csaf/openpgp/{fingerprint}.asc")
}

/// Unlocked keys by fingerprint, with the hash of the stored text they came from (a key that
/// changed in the database is unlocked again). Unlocking runs the passphrase's S2K, which is
/// deliberately slow; signing happens on every publication and security.txt request.
#[derive(Default)]
pub struct KeyCache(Mutex<HashMap<String, (String, SecretKey)>>);

/// A key as listed (never its secret).
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub fingerprint: String,
    pub user_id: String,
    pub algorithm: String,
    /// The stored secret is protected by `openpgp.key_passphrase`.
    pub protected: bool,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub added_at: Timestamp,
    pub retired_at: Option<Timestamp>,
    pub active: bool,
    /// Where the public key is published.
    pub url: String,
}

fn info(app: &App, row: KeyRow) -> KeyInfo {
    KeyInfo {
        url: format!(
            "{}{}",
            app.config.public_url(),
            public_key_path(&row.fingerprint)
        ),
        active: row.retired_at.is_none(),
        fingerprint: row.fingerprint,
        user_id: row.user_id,
        algorithm: row.algorithm,
        protected: row.protected,
        created_at: row.created_at,
        expires_at: row.expires_at,
        added_at: row.added_at,
        retired_at: row.retired_at,
    }
}

fn unusable(e: OpenPgpError) -> AppError {
    AppError::Unavailable(format!("OpenPGP: {e}"))
}

fn invalid(field: &str, e: OpenPgpError) -> AppError {
    let mut errors = psirt_domain::report::FieldErrors::default();
    errors.push(field, "invalid_openpgp_key", e.to_string());
    errors.into()
}

fn passphrase(app: &App) -> Option<&str> {
    app.config
        .openpgp
        .key_passphrase
        .as_deref()
        .filter(|p| !p.is_empty())
}

/// Generates a key for the organisation (user id from its name and security contact unless
/// given), makes it the active key and signs every published CSAF document with it.
pub async fn generate(
    app: &App,
    user_id: Option<&str>,
    valid_days: Option<u32>,
) -> Result<(KeyInfo, usize), AppError> {
    let org = &app.config.organization;
    let user_id = match user_id.map(str::trim) {
        Some(u) if !u.is_empty() => u.to_owned(),
        _ => openpgp::organisation_user_id(&org.name, &org.security_contact),
    };
    let valid = valid_days.map(|d| Duration::from_secs(u64::from(d) * 86_400));
    let key = SecretKey::generate(&user_id, app.clock.now(), valid).map_err(unusable)?;
    add(app, key, "generated").await
}

/// Imports an armored (or binary) secret key, unlocked with `key_passphrase` when protected,
/// makes it the active key and signs every published CSAF document with it.
pub async fn import(
    app: &App,
    bytes: &[u8],
    key_passphrase: Option<&str>,
) -> Result<(KeyInfo, usize), AppError> {
    let key = SecretKey::import(bytes, key_passphrase, app.clock.now()).map_err(|e| match e {
        OpenPgpError::PassphraseNeeded | OpenPgpError::WrongPassphrase => invalid("passphrase", e),
        other => invalid("key", other),
    })?;
    add(app, key, "imported").await
}

async fn add(app: &App, key: SecretKey, how: &str) -> Result<(KeyInfo, usize), AppError> {
    let now = app.clock.now();
    let cert = key.certificate();
    let row = KeyRow {
        fingerprint: key.fingerprint(),
        user_id: cert.user_ids().into_iter().next().unwrap_or_default(),
        algorithm: cert.algorithm(),
        public_key: cert.armored().map_err(unusable)?,
        protected: passphrase(app).is_some(),
        created_at: cert.created().unwrap_or(now),
        expires_at: cert.expires(now),
        added_at: now,
        retired_at: None,
    };
    let secret = key.to_stored(passphrase(app)).map_err(unusable)?;
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    store::activate(
        &mut tx,
        &NewKey {
            row: &row,
            secret_key: &secret,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        StorageError::Duplicate(_) => AppError::Conflict(format!(
            "the key {} is already stored: psirt keys list",
            row.fingerprint
        )),
        other => other.into(),
    })?;
    let signed = sign_documents(&mut tx, &key, now).await?;
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: "system",
            action: "openpgp.key.add",
            case_id: None,
            detail: serde_json::json!({"fingerprint": row.fingerprint, "how": how, "documents_signed": signed}),
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    tracing::info!(fingerprint = %row.fingerprint, how, signed, "OpenPGP key added");
    Ok((info(app, row), signed))
}

/// Signs, in `tx`, every published CSAF document whose signature is missing or was made by
/// another key. Returns how many were signed.
async fn sign_documents(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &SecretKey,
    now: Timestamp,
) -> Result<usize, AppError> {
    let cert = key.certificate();
    let mut signed = 0;
    for (doc, signature) in stored::csaf_documents(tx).await? {
        if signature.is_some_and(|s| cert.issued(s.as_bytes())) {
            continue;
        }
        let file = signature_file(key, &doc, now)?;
        stored::put_file(tx, &file).await?;
        signed += 1;
    }
    Ok(signed)
}

/// The detached signature (`<path>.asc`) of a published document.
pub fn signature_file(
    key: &SecretKey,
    doc: &PublishedFile,
    now: Timestamp,
) -> Result<PublishedFile, AppError> {
    let body = openpgp::sign_detached(key, doc.body.as_bytes(), now).map_err(unusable)?;
    Ok(PublishedFile {
        path: format!("{}.asc", doc.path),
        advisory_id: doc.advisory_id.clone(),
        revision: doc.revision,
        tlp: doc.tlp.clone(),
        content_type: "application/pgp-signature".into(),
        sha256: data_encoding::HEXLOWER.encode(&Sha256::digest(body.as_bytes())),
        body,
        published_at: doc.published_at,
    })
}

/// Signs what is missing with the active key (run by `serve` at start: heals documents
/// published by an instance that had not yet seen a new key). Returns how many were signed.
pub async fn sign_missing(app: &App) -> Result<usize, AppError> {
    let Some(key) = signing_key(app).await? else {
        return Ok(0);
    };
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    if store::active_fingerprint(&mut tx).await? != Some(key.fingerprint()) {
        return Ok(0);
    }
    let signed = sign_documents(&mut tx, &key, app.clock.now()).await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(signed)
}

/// Every key, the active one first.
pub async fn list(app: &App) -> Result<Vec<KeyInfo>, AppError> {
    Ok(store::list(&app.db)
        .await?
        .into_iter()
        .map(|r| info(app, r))
        .collect())
}

/// The active key, as listed.
pub async fn active(app: &App) -> Result<Option<KeyInfo>, AppError> {
    Ok(store::active(&app.db).await?.map(|r| info(app, r)))
}

/// The armored public key of `fingerprint` (active or retired), for publication.
pub async fn public_key(app: &App, fingerprint: &str) -> Result<Option<String>, AppError> {
    Ok(store::by_fingerprint(&app.db, fingerprint)
        .await?
        .map(|r| r.public_key))
}

async fn chosen(app: &App, fingerprint: Option<&str>) -> Result<KeyRow, AppError> {
    let row = match fingerprint {
        Some(fp) => store::by_fingerprint(&app.db, fp).await?,
        None => store::active(&app.db).await?,
    };
    row.ok_or(AppError::NotFound)
}

/// The armored public key of `fingerprint`, or of the active key.
pub async fn export_public(app: &App, fingerprint: Option<&str>) -> Result<String, AppError> {
    Ok(chosen(app, fingerprint).await?.public_key)
}

/// The armored secret key as stored (protected by `openpgp.key_passphrase` when set): for an
/// offline backup or to move the key elsewhere; no endpoint serves it.
pub async fn export_secret(app: &App, fingerprint: Option<&str>) -> Result<String, AppError> {
    let row = chosen(app, fingerprint).await?;
    store::secret(&app.db, &row.fingerprint)
        .await?
        .ok_or(AppError::NotFound)
}

/// Unlocks a stored key, from the cache when the stored text is unchanged.
fn unlock(app: &App, fingerprint: &str, stored: &str) -> Result<SecretKey, AppError> {
    let hash = data_encoding::HEXLOWER.encode(&Sha256::digest(stored.as_bytes()));
    if let Ok(cache) = app.keys.0.lock()
        && let Some((h, key)) = cache.get(fingerprint)
        && *h == hash
    {
        return Ok(key.clone());
    }
    let key = SecretKey::from_stored(stored, passphrase(app)).map_err(|e| {
        AppError::Unavailable(format!(
            "the OpenPGP key {fingerprint} cannot be unlocked ({e}): check openpgp.key_passphrase"
        ))
    })?;
    if let Ok(mut cache) = app.keys.0.lock() {
        cache.insert(fingerprint.to_owned(), (hash, key.clone()));
    }
    Ok(key)
}

/// The active key, unlocked, or None when the organisation has no key (nothing is signed).
pub async fn signing_key(app: &App) -> Result<Option<SecretKey>, AppError> {
    let Some(row) = store::active(&app.db).await? else {
        return Ok(None);
    };
    let stored = store::secret(&app.db, &row.fingerprint)
        .await?
        .ok_or_else(|| StorageError::Corrupt("an OpenPGP key vanished".into()))?;
    unlock(app, &row.fingerprint, &stored).map(Some)
}

/// Every key the organisation holds (active first), unlocked: what mail encrypted to the
/// organisation is decrypted with ([`openpgp::decrypt`]).
pub async fn decryption_keys(app: &App) -> Result<Vec<SecretKey>, AppError> {
    store::secrets(&app.db)
        .await?
        .iter()
        .map(|(fp, stored)| unlock(app, fp, stored))
        .collect()
}

/// The active key's public certificate.
pub async fn active_certificate(app: &App) -> Result<Option<Certificate>, AppError> {
    match store::active(&app.db).await? {
        None => Ok(None),
        Some(row) => Certificate::parse(row.public_key.as_bytes())
            .map(Some)
            .map_err(unusable),
    }
}

/// Creates a key when the organisation has none (the demo shows signed documents).
pub async fn ensure_key(app: &App) -> Result<Option<KeyInfo>, AppError> {
    if store::active(&app.db).await?.is_some() {
        return Ok(None);
    }
    generate(app, None, None).await.map(|(k, _)| Some(k))
}

/// Refuses to go on when the active key cannot sign now (locked, expired, revoked): checked
/// by `serve` at start, so a broken key is noticed before the first publication fails.
pub async fn check_signing(app: &App) -> Result<(), AppError> {
    if let Some(key) = signing_key(app).await? {
        openpgp::sign_detached(&key, b"psirt", app.clock.now()).map_err(|e| {
            AppError::Unavailable(format!(
                "the active OpenPGP key {} cannot sign ({e}): psirt keys generate or psirt keys import a new one",
                key.fingerprint()
            ))
        })?;
    }
    Ok(())
}

/// Ties a publication to the key it signed with: fails if the active key changed meanwhile.
pub async fn confirm_signer(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    signer: Option<&SecretKey>,
) -> Result<(), AppError> {
    if store::active_fingerprint(tx).await? != signer.map(SecretKey::fingerprint) {
        return Err(AppError::Conflict(
            "the organisation's OpenPGP key changed during publication: publish again".into(),
        ));
    }
    Ok(())
}

/// Shared by `App`: the cache lives as long as the process.
pub fn new_cache() -> Arc<KeyCache> {
    Arc::new(KeyCache::default())
}
