//! Publication: gates, then every format rendered from one document (the CSAF document with its
//! OpenPGP signature when the organisation has a key) and written with the revision in a single
//! transaction — nothing is ever half-published. Embargoed advisories are
//! published by the scheduler once due ([`publish_due`]).

use askama::Template;
use jiff::Timestamp;
use psirt_domain::advisory::{
    AdvisoryDoc, Tlp, csaf, csaf_file_name, csaf_problems, cve, openvex, osv,
};
use sha2::{Digest, Sha256, Sha512};

use super::{AdvisoryView, GateOverride, document, gates, invalid, need, view, visible};
use crate::{
    app::{App, AppError, Staff, keys},
    storage::{
        StorageError,
        advisories::{self, AdvisoryRow, PublishedFile},
        audit,
    },
};

/// The public path of an advisory's HTML page.
pub fn html_path(tracking_id: &str) -> String {
    format!("/advisories/{tracking_id}")
}

#[derive(Template)]
#[template(path = "advisory.html")]
struct AdvisoryPage<'a> {
    org_name: &'a str,
    doc: &'a AdvisoryDoc,
    severity: String,
}

impl AdvisoryPage<'_> {
    fn status(&self, product_id: &str) -> &'static str {
        let id = product_id.to_owned();
        if self
            .doc
            .vulnerabilities
            .iter()
            .any(|v| v.fixed.contains(&id))
        {
            "fixed"
        } else {
            "affected"
        }
    }
}

/// The provider-directory path of an advisory's CSAF document (CSAF §5.1, §7.1.11: one
/// folder per TLP label and per year of the initial release).
pub fn csaf_path(doc: &AdvisoryDoc) -> String {
    format!(
        "{}/{}/{}",
        csaf_dir(doc.tlp),
        doc.initial_release.to_zoned(jiff::tz::TimeZone::UTC).year(),
        csaf_file_name(&doc.id)
    )
}

/// The folder of one TLP label: public under `/.well-known/csaf/`, the others behind tokens.
pub fn csaf_dir(tlp: Tlp) -> String {
    match tlp {
        Tlp::White => "/.well-known/csaf/white".to_owned(),
        other => format!("/api/v1/csaf/{}", other.as_str().to_lowercase()),
    }
}

fn pretty(value: &serde_json::Value) -> Result<String, AppError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| AppError::Unavailable(format!("render: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Every file one publication produces, as `(path, content type, body)`.
fn render_files(
    doc: &AdvisoryDoc,
    org_name: &str,
) -> Result<Vec<(String, &'static str, String)>, AppError> {
    let severity = doc.grade.clone().unwrap_or_else(|| "Not graded".into());
    let html = AdvisoryPage {
        org_name,
        doc,
        severity,
    }
    .render()
    .map_err(|e| AppError::Unavailable(format!("advisory page: {e}")))?;
    let mut files = vec![(html_path(&doc.id), "text/html; charset=utf-8", html)];
    let csaf = pretty(&csaf::render(doc))?;
    let path = csaf_path(doc);
    let name = csaf_file_name(&doc.id);
    let sha256 = data_encoding::HEXLOWER.encode(&Sha256::digest(csaf.as_bytes()));
    let sha512 = data_encoding::HEXLOWER.encode(&Sha512::digest(csaf.as_bytes()));
    files.push((
        format!("{path}.sha256"),
        "text/plain; charset=utf-8",
        format!("{sha256}  {name}\n"),
    ));
    files.push((
        format!("{path}.sha512"),
        "text/plain; charset=utf-8",
        format!("{sha512}  {name}\n"),
    ));
    files.push((path, "application/json", csaf));
    for vuln in &doc.vulnerabilities {
        let Some(cve) = &vuln.cve else { continue };
        // A whole CVE record names its CNA; without an org id configured, the CNA container
        // alone (what a CNA submits to CVE Services) is published.
        let record = match doc.publisher.cve_org_id {
            Some(_) => cve::render_record(doc, vuln),
            None => Some(cve::render_cna(doc, vuln)),
        };
        if let Some(record) = record {
            files.push((
                format!("/advisories/{}/cve/{cve}.json", doc.id),
                "application/json",
                pretty(&record)?,
            ));
        }
    }
    for record in osv::render(doc) {
        let id = record
            .get("id")
            .and_then(|i| i.as_str())
            .unwrap_or("osv")
            .to_owned();
        files.push((
            format!("/advisories/{}/osv/{id}.json", doc.id),
            "application/json",
            pretty(&record)?,
        ));
    }
    if let Some(vex) = openvex::render(doc) {
        files.push((
            format!("/advisories/{}/openvex.json", doc.id),
            "application/json",
            pretty(&vex)?,
        ));
    }
    Ok(files)
}

/// Publishes (or republishes as the next revision) an approved advisory.
pub async fn publish(
    app: &App,
    staff: &Staff,
    id: &str,
    version: i64,
    overrides: &[GateOverride],
    revision_summary: Option<&str>,
) -> Result<AdvisoryView, AppError> {
    need(staff, psirt_domain::case::Permission::Disclose)?;
    let row = visible(app, staff, id).await?;
    if row.version != version {
        return Err(AppError::Stale);
    }
    let now = app.clock.now();
    if let Some(until) = row.embargo_until
        && until > now
    {
        return Err(AppError::Conflict(format!(
            "embargoed until {until}: it will publish itself then, once approved"
        )));
    }
    publish_row(app, &staff.user_id, row, overrides, revision_summary, now).await?;
    let row = visible(app, staff, id).await?;
    view(app, staff, row).await
}

async fn publish_row(
    app: &App,
    actor: &str,
    row: AdvisoryRow,
    overrides: &[GateOverride],
    revision_summary: Option<&str>,
    now: Timestamp,
) -> Result<(), AppError> {
    if row.approved_by_id.is_none() {
        return Err(AppError::Conflict("an advisory is published only after a second PSO approved it (edits withdraw approval)".into()));
    }
    for (i, o) in overrides.iter().enumerate() {
        if o.reason.trim().is_empty() {
            return Err(invalid(
                &format!("overrides[{i}].reason"),
                "an override needs a recorded reason",
            ));
        }
    }
    let blocking: Vec<String> = gates::check(app, &row)
        .await?
        .into_iter()
        .filter(|g| !overrides.iter().any(|o| o.gate == g.code()))
        .map(|g| g.to_string())
        .collect();
    if !blocking.is_empty() {
        let mut errors = psirt_domain::report::FieldErrors::default();
        for gate in blocking {
            errors.push("gates", "publication_gate", gate);
        }
        return Err(errors.into());
    }
    let revision = row.revision + 1;
    let summary = revision_summary
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(if revision == 1 {
            "Initial release"
        } else {
            "Revised"
        });
    let doc = document::build(app, &row, revision, summary, now).await?;
    let problems = csaf_problems(&doc);
    if !problems.is_empty() {
        let mut errors = psirt_domain::report::FieldErrors::default();
        for p in problems {
            errors.push(p.field, "invalid_document", p.message);
        }
        return Err(errors.into());
    }
    let files = render_files(&doc, &app.config.organization.name)?;
    let tlp = Tlp::parse(&row.tlp).unwrap_or(Tlp::Red);
    // Signed before the transaction; the transaction checks the key is still the active one.
    let signer = keys::signing_key(app).await?;
    let overrides_json = if overrides.is_empty() {
        None
    } else {
        serde_json::to_string(overrides).ok()
    };
    let csaf = csaf_path(&doc);
    let mut published = Vec::with_capacity(files.len() + 1);
    for (path, content_type, body) in files {
        let sha256 = data_encoding::HEXLOWER.encode(&Sha256::digest(body.as_bytes()));
        let file = PublishedFile {
            path,
            advisory_id: Some(row.id.clone()),
            revision,
            tlp: tlp.as_str().to_owned(),
            content_type: content_type.to_owned(),
            body,
            sha256,
            published_at: now,
        };
        if let Some(key) = &signer
            && file.path == csaf
        {
            published.push(keys::signature_file(key, &file, now)?);
        }
        published.push(file);
    }
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    keys::confirm_signer(&mut tx, signer.as_ref()).await?;
    for file in &published {
        advisories::put_file(&mut tx, file).await?;
    }
    crate::app::catalog::public::record_publication(&mut tx, &row.id, &doc).await?;
    advisories::mark_published(
        &mut tx,
        &row.id,
        revision,
        summary,
        overrides_json.as_deref(),
        now,
    )
    .await?;
    let detail = serde_json::json!({"advisory": row.tracking_id, "revision": revision, "overrides": overrides});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor,
            action: "advisory.publish",
            case_id: None,
            detail,
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    tracing::info!(advisory = %row.tracking_id, revision, "advisory published");
    Ok(())
}

/// Publishes every approved advisory whose embargo has ended (run by the scheduler).
pub async fn publish_due(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let mut done = 0;
    for row in advisories::due_for_publication(&app.db, now).await? {
        let id = row.tracking_id.clone();
        match publish_row(app, "system", row, &[], None, now).await {
            Ok(()) => done += 1,
            Err(e) => {
                tracing::warn!(advisory = %id, error = %e, "embargoed advisory could not be published")
            }
        }
    }
    Ok(done)
}
