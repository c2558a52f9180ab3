//! The CSAF provider directory psirt serves itself (CSAF 2.0 §7): provider metadata, and for the
//! public TLP:WHITE folder `index.txt`, `changes.csv` and a ROLIE feed, all derived from the
//! published files; the OpenPGP key that signs them; plus `security.txt` (RFC 9116).

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::publish::csaf_dir;
use crate::{
    app::{App, AppError, keys, openpgp},
    storage::advisories::{self, PublishedFile},
};

const WHITE: &str = "/.well-known/csaf/white";

/// Published public CSAF documents, newest first: `(relative path, file)`.
async fn public_documents(app: &App) -> Result<Vec<(String, PublishedFile)>, AppError> {
    let prefix = format!("{WHITE}/");
    Ok(advisories::files_under(&app.db, &prefix)
        .await?
        .into_iter()
        .filter(|f| f.path.ends_with(".json") && f.tlp == "WHITE")
        .map(|f| (f.path.trim_start_matches(&prefix).to_owned(), f))
        .collect())
}

fn document_field<'a>(doc: &'a Value, pointer: &str) -> &'a str {
    doc.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub async fn provider_metadata(app: &App) -> Result<Value, AppError> {
    let public = app.config.public_url();
    let org = &app.config.organization;
    let key = keys::active(app).await?;
    let last = public_documents(app)
        .await?
        .first()
        .map(|(_, f)| f.published_at)
        .unwrap_or_else(|| app.clock.now());
    let mut metadata = json!({
        "canonical_url": format!("{public}/.well-known/csaf/provider-metadata.json"),
        "distributions": [{
            "directory_url": format!("{public}{}/", csaf_dir(psirt_domain::advisory::Tlp::White)),
            "rolie": {"feeds": [{
                "summary": "TLP:WHITE Security Advisories and Notices",
                "tlp_label": "WHITE",
                "url": format!("{public}{WHITE}/feed-tlp-white.json"),
            }]},
        }],
        "last_updated": last.to_string(),
        "list_on_CSAF_aggregators": true,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": true,
        "publisher": {
            "category": "vendor",
            "contact_details": org.security_contact,
            "name": org.name,
            "namespace": public,
        },
        // A trusted provider signs every document (requirements 18–20: hashes, OpenPGP
        // signatures, the public key); without a key psirt states the role it fulfils.
        "role": if key.is_some() { "csaf_trusted_provider" } else { "csaf_provider" },
    });
    if let (Some(key), Some(object)) = (key, metadata.as_object_mut()) {
        object.insert(
            "public_openpgp_keys".into(),
            json!([{"fingerprint": key.fingerprint, "url": key.url}]),
        );
    }
    Ok(metadata)
}

/// `index.txt`: every document's path relative to the folder, one per line.
pub async fn index_txt(app: &App) -> Result<String, AppError> {
    let mut out = String::new();
    for (path, _) in public_documents(app).await? {
        out.push_str(&path);
        out.push('\n');
    }
    Ok(out)
}

/// `changes.csv`: `"path","current release date"`, newest change first.
pub async fn changes_csv(app: &App) -> Result<String, AppError> {
    let mut out = String::new();
    for (path, file) in public_documents(app).await? {
        let doc: Value = serde_json::from_str(&file.body).unwrap_or(Value::Null);
        let date = document_field(&doc, "/document/tracking/current_release_date");
        out.push_str(&format!("\"{path}\",\"{date}\"\n"));
    }
    Ok(out)
}

/// The ROLIE feed of the TLP:WHITE folder.
pub async fn rolie_feed(app: &App) -> Result<Value, AppError> {
    let public = app.config.public_url();
    let docs = public_documents(app).await?;
    // With a key every document is signed (publication and key changes sign in their transaction).
    let signed = keys::active(app).await?.is_some();
    let updated = docs
        .first()
        .map(|(_, f)| f.published_at)
        .unwrap_or_else(|| app.clock.now());
    let entries: Vec<Value> = docs
        .iter()
        .map(|(path, f)| {
            let doc: Value = serde_json::from_str(&f.body).unwrap_or(Value::Null);
            let url = format!("{public}{WHITE}/{path}");
            let mut link = vec![json!({"rel": "self", "href": url}), json!({"rel": "hash", "href": format!("{url}.sha256")}), json!({"rel": "hash", "href": format!("{url}.sha512")})];
            if signed {
                link.push(json!({"rel": "signature", "href": format!("{url}.asc")}));
            }
            json!({
                "id": document_field(&doc, "/document/tracking/id"),
                "title": document_field(&doc, "/document/title"),
                "link": link,
                "published": document_field(&doc, "/document/tracking/initial_release_date"),
                "updated": document_field(&doc, "/document/tracking/current_release_date"),
                "content": {"type": "application/json", "src": url},
                "format": {"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"},
            })
        })
        .collect();
    Ok(json!({"feed": {
        "id": "psirt-csaf-feed-tlp-white",
        "title": format!("{} CSAF feed (TLP:WHITE)", app.config.organization.name),
        "link": [{"rel": "self", "href": format!("{public}{WHITE}/feed-tlp-white.json")}],
        "category": [{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}],
        "updated": updated.to_string(),
        "entry": entries,
    }}))
}

/// `security.txt` (RFC 9116): contact, policy, CSAF metadata, and with a key `Encryption:`
/// pointing to it, the whole clear-signed (§2.3) unless `openpgp.sign_security_txt` is off.
/// `Expires` is always within a year (renewed on every request, since psirt serves it live).
pub async fn security_txt(app: &App, now: Timestamp) -> Result<String, AppError> {
    let public = app.config.public_url();
    let contact = &app.config.organization.security_contact;
    let contact = if contact.contains(':') {
        contact.clone()
    } else {
        format!("mailto:{contact}")
    };
    let expires = now
        .saturating_add(SignedDuration::from_hours(24 * 180))
        .unwrap_or(now);
    let expires = expires.strftime("%Y-%m-%dT%H:%M:%SZ");
    let mut text = format!("Contact: {contact}\nContact: {public}/report\nExpires: {expires}\n");
    let certificate = keys::active_certificate(app).await?;
    if let Some(cert) = certificate.as_ref().filter(|c| c.can_encrypt(now)) {
        text.push_str(&format!(
            "Encryption: {public}{}\n",
            keys::public_key_path(&cert.fingerprint())
        ));
    }
    text.push_str(&format!(
        "Policy: {public}/\nPreferred-Languages: en\nCanonical: {public}/.well-known/security.txt\n\
         CSAF: {public}/.well-known/csaf/provider-metadata.json\n"
    ));
    if !app.config.openpgp.sign_security_txt || certificate.is_none() {
        return Ok(text);
    }
    // A key that cannot sign (expired, locked) must not take security.txt down: it is served
    // unsigned, and `serve` and publication name the problem.
    let signed = match keys::signing_key(app).await {
        Ok(Some(key)) => openpgp::clearsign(&key, &text, now).map_err(|e| e.to_string()),
        Ok(None) => return Ok(text),
        Err(e) => Err(e.to_string()),
    };
    Ok(signed.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "security.txt served unsigned");
        text
    }))
}

/// One public document in the HTML index and the Atom feed.
#[derive(Debug, Clone)]
pub struct PublicEntry {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub published: String,
    pub updated: String,
    pub csaf_url: String,
}

/// The public (TLP:WHITE) advisories and notices, newest first, from their CSAF documents.
pub async fn public_entries(app: &App) -> Result<Vec<PublicEntry>, AppError> {
    let public = app.config.public_url();
    Ok(public_documents(app)
        .await?
        .into_iter()
        .map(|(path, f)| public_entry(&public, &path, &f))
        .collect())
}

/// One public document's entry, from its CSAF file (`path` relative to the TLP:WHITE folder).
pub fn public_entry(public: &str, path: &str, f: &PublishedFile) -> PublicEntry {
    let doc: Value = serde_json::from_str(&f.body).unwrap_or(Value::Null);
    let summary = doc
        .pointer("/document/notes")
        .and_then(Value::as_array)
        .and_then(|notes| {
            notes
                .iter()
                .find(|n| n.get("category").and_then(Value::as_str) == Some("summary"))
        })
        .and_then(|n| n.get("text"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    PublicEntry {
        id: document_field(&doc, "/document/tracking/id").to_owned(),
        title: document_field(&doc, "/document/title").to_owned(),
        summary,
        published: document_field(&doc, "/document/tracking/initial_release_date").to_owned(),
        updated: document_field(&doc, "/document/tracking/current_release_date").to_owned(),
        csaf_url: format!("{public}{WHITE}/{path}"),
    }
}

/// The public entry of one published advisory, if its CSAF document is public (TLP:WHITE):
/// read from the file the first publication's year and the tracking id name.
pub async fn public_entry_of(
    app: &App,
    tracking_id: &str,
    first_published: Timestamp,
) -> Result<Option<PublicEntry>, AppError> {
    let year = first_published.to_zoned(jiff::tz::TimeZone::UTC).year();
    let path = format!(
        "{year}/{}",
        psirt_domain::advisory::csaf_file_name(tracking_id)
    );
    Ok(advisories::file(&app.db, &format!("{WHITE}/{path}"))
        .await?
        .filter(|f| f.tlp == "WHITE")
        .map(|f| public_entry(&app.config.public_url(), &path, &f)))
}
