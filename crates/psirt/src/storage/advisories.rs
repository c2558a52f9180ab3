//! Advisories and Notices: drafts, approvals, revisions, links to cases, and the files each
//! publication produced (kept byte for byte and served from here).

use jiff::Timestamp;
use sqlx::{Any, Row, Transaction, any::AnyRow};

use super::{Db, StorageError, new_id, rows};

#[derive(Debug, Clone)]
pub struct AdvisoryRow {
    pub id: String,
    pub tracking_id: String,
    pub kind: String,
    pub state: String,
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub business_impact: Option<String>,
    pub remediation: Option<String>,
    pub workarounds: Option<String>,
    pub tlp: String,
    pub embargo_until: Option<Timestamp>,
    pub embargo_zone: Option<String>,
    pub created_by_id: String,
    pub approved_by_id: Option<String>,
    pub gate_overrides: Option<String>,
    pub revision: i64,
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The editable text of an advisory.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryText {
    pub title: String,
    pub summary: String,
    pub business_impact: Option<String>,
    pub remediation: Option<String>,
    pub workarounds: Option<String>,
    pub tlp: String,
    pub embargo_until: Option<Timestamp>,
    pub embargo_zone: Option<String>,
}

const COLUMNS: &str = "id, tracking_id, kind, state, version, title, summary, business_impact, remediation, workarounds, tlp,
    embargo_until, embargo_zone, created_by_id, approved_by_id, gate_overrides, revision, published_at, created_at, updated_at";

fn from_row(r: &AnyRow) -> Result<AdvisoryRow, StorageError> {
    let ts = |c: &str| -> Result<Option<Timestamp>, StorageError> {
        r.try_get::<Option<i64>, _>(c)?
            .map(rows::from_micros)
            .transpose()
    };
    Ok(AdvisoryRow {
        id: r.try_get("id")?,
        tracking_id: r.try_get("tracking_id")?,
        kind: r.try_get("kind")?,
        state: r.try_get("state")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        business_impact: r.try_get("business_impact")?,
        remediation: r.try_get("remediation")?,
        workarounds: r.try_get("workarounds")?,
        tlp: r.try_get("tlp")?,
        embargo_until: ts("embargo_until")?,
        embargo_zone: r.try_get("embargo_zone")?,
        created_by_id: r.try_get("created_by_id")?,
        approved_by_id: r.try_get("approved_by_id")?,
        gate_overrides: r.try_get("gate_overrides")?,
        revision: r.try_get("revision")?,
        published_at: ts("published_at")?,
        created_at: rows::from_micros(r.try_get("created_at")?)?,
        updated_at: rows::from_micros(r.try_get("updated_at")?)?,
    })
}

/// Mints the next tracking id of a year (`PSIRT-SA-2026-0001`, `PSIRT-SN-…` for notices) with the
/// same atomic counter table as report references (keyed apart by a year offset per kind).
async fn next_tracking_id(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    year: i16,
) -> Result<String, StorageError> {
    let (key, prefix) = if kind == "notice" {
        (i64::from(year) + 200_000, "PSIRT-SN")
    } else {
        (i64::from(year) + 100_000, "PSIRT-SA")
    };
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO reference_counters (year, last_number) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last_number = reference_counters.last_number + 1 RETURNING last_number",
    )
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    Ok(format!("{prefix}-{year}-{n:04}"))
}

pub async fn create(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    text: &AdvisoryText,
    cases: &[(String, Option<String>)],
    created_by: &str,
    now: Timestamp,
) -> Result<AdvisoryRow, StorageError> {
    let id = new_id();
    let year = now.to_zoned(jiff::tz::TimeZone::UTC).year();
    let tracking_id = next_tracking_id(tx, kind, year).await?;
    sqlx::query(
        "INSERT INTO advisories (id, tracking_id, kind, state, version, title, summary, business_impact, remediation, workarounds,
            tlp, embargo_until, embargo_zone, created_by_id, revision, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $13)",
    )
    .bind(&id)
    .bind(&tracking_id)
    .bind(kind)
    .bind(&text.title)
    .bind(&text.summary)
    .bind(text.business_impact.as_deref())
    .bind(text.remediation.as_deref())
    .bind(text.workarounds.as_deref())
    .bind(&text.tlp)
    .bind(text.embargo_until.map(rows::micros))
    .bind(text.embargo_zone.as_deref())
    .bind(created_by)
    .bind(rows::micros(now))
    .execute(&mut **tx)
    .await?;
    set_cases(tx, &id, cases).await?;
    by_id_in(tx, &id)
        .await?
        .ok_or_else(|| StorageError::Corrupt("advisory vanished".into()))
}

pub async fn set_cases(
    tx: &mut Transaction<'_, Any>,
    advisory_id: &str,
    cases: &[(String, Option<String>)],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM advisory_cases WHERE advisory_id = $1")
        .bind(advisory_id)
        .execute(&mut **tx)
        .await?;
    for (case_id, cve) in cases {
        sqlx::query("INSERT INTO advisory_cases (advisory_id, case_id, cve) VALUES ($1, $2, $3)")
            .bind(advisory_id)
            .bind(case_id)
            .bind(cve.as_deref())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Updates the text; any edit withdraws an approval and bumps the version (stale → error).
pub async fn update_text(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    expected: i64,
    text: &AdvisoryText,
    now: Timestamp,
) -> Result<(), StorageError> {
    let n = sqlx::query(
        "UPDATE advisories SET title = $1, summary = $2, business_impact = $3, remediation = $4, workarounds = $5, tlp = $6,
            embargo_until = $7, embargo_zone = $8, approved_by_id = NULL, approved_at = NULL,
            state = CASE WHEN state = 'approved' THEN 'draft' ELSE state END,
            version = version + 1, updated_at = $9
         WHERE id = $10 AND version = $11",
    )
    .bind(&text.title)
    .bind(&text.summary)
    .bind(text.business_impact.as_deref())
    .bind(text.remediation.as_deref())
    .bind(text.workarounds.as_deref())
    .bind(&text.tlp)
    .bind(text.embargo_until.map(rows::micros))
    .bind(text.embargo_zone.as_deref())
    .bind(rows::micros(now))
    .bind(id)
    .bind(expected)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(StorageError::Stale)
    }
}

/// Moves an advisory to a new state with its version checked.
pub async fn set_state(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    expected: i64,
    state: &str,
    approved_by: Option<&str>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let n = sqlx::query(
        "UPDATE advisories SET state = $1, approved_by_id = $2, approved_at = CASE WHEN $2 IS NULL THEN NULL ELSE $3 END,
            version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(state)
    .bind(approved_by)
    .bind(rows::micros(now))
    .bind(id)
    .bind(expected)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(StorageError::Stale)
    }
}

/// Records a publication: state published, the next revision with its summary, the overrides.
pub async fn mark_published(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    revision: i64,
    summary: &str,
    overrides: Option<&str>,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE advisories SET state = 'published', revision = $1, gate_overrides = $2, version = version + 1, updated_at = $3,
            published_at = CASE WHEN published_at IS NULL THEN $3 ELSE published_at END WHERE id = $4",
    )
    .bind(revision)
    .bind(overrides)
    .bind(rows::micros(now))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO advisory_revisions (advisory_id, number, published_at, summary) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(revision)
        .bind(rows::micros(now))
        .bind(summary)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn by_id(db: &Db, id_or_tracking: &str) -> Result<Option<AdvisoryRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM advisories WHERE id = $1 OR tracking_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id_or_tracking)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

async fn by_id_in(
    tx: &mut Transaction<'_, Any>,
    id: &str,
) -> Result<Option<AdvisoryRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM advisories WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(db: &Db, state: Option<&str>) -> Result<Vec<AdvisoryRow>, StorageError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advisories WHERE ($1 = '' OR state = $1) ORDER BY created_at DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(state.unwrap_or(""))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Approved advisories whose embargo has ended.
pub async fn due_for_publication(
    db: &Db,
    now: Timestamp,
) -> Result<Vec<AdvisoryRow>, StorageError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advisories WHERE state = 'approved' AND embargo_until IS NOT NULL AND embargo_until <= $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(rows::micros(now))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// `(case_id, cve)` of an advisory.
pub async fn cases(
    db: &Db,
    advisory_id: &str,
) -> Result<Vec<(String, Option<String>)>, StorageError> {
    let rows = sqlx::query(
        "SELECT case_id, cve FROM advisory_cases WHERE advisory_id = $1 ORDER BY case_id",
    )
    .bind(advisory_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// `(number, published_at, summary)` of an advisory's revisions.
pub async fn revisions(
    db: &Db,
    advisory_id: &str,
) -> Result<Vec<(i64, Timestamp, String)>, StorageError> {
    let rows = sqlx::query("SELECT number, published_at, summary FROM advisory_revisions WHERE advisory_id = $1 ORDER BY number")
        .bind(advisory_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                rows::from_micros(r.try_get(1)?)?,
                r.try_get(2)?,
            ))
        })
        .collect()
}

/// A file as published.
#[derive(Debug, Clone)]
pub struct PublishedFile {
    pub path: String,
    pub advisory_id: Option<String>,
    pub revision: i64,
    pub tlp: String,
    pub content_type: String,
    pub body: String,
    pub sha256: String,
    pub published_at: Timestamp,
}

/// Writes (or replaces) one published file in the publication's transaction.
pub async fn put_file(
    tx: &mut Transaction<'_, Any>,
    f: &PublishedFile,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO published_files (path, advisory_id, revision, tlp, content_type, body, sha256, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (path) DO UPDATE SET advisory_id = excluded.advisory_id, revision = excluded.revision, tlp = excluded.tlp,
            content_type = excluded.content_type, body = excluded.body, sha256 = excluded.sha256, published_at = excluded.published_at",
    )
    .bind(&f.path)
    .bind(f.advisory_id.as_deref())
    .bind(f.revision)
    .bind(&f.tlp)
    .bind(&f.content_type)
    .bind(&f.body)
    .bind(&f.sha256)
    .bind(rows::micros(f.published_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn file_from_row(r: &AnyRow) -> Result<PublishedFile, StorageError> {
    Ok(PublishedFile {
        path: r.try_get("path")?,
        advisory_id: r.try_get("advisory_id")?,
        revision: r.try_get("revision")?,
        tlp: r.try_get("tlp")?,
        content_type: r.try_get("content_type")?,
        body: r.try_get("body")?,
        sha256: r.try_get("sha256")?,
        published_at: rows::from_micros(r.try_get("published_at")?)?,
    })
}

pub async fn file(db: &Db, path: &str) -> Result<Option<PublishedFile>, StorageError> {
    let row = sqlx::query("SELECT path, advisory_id, revision, tlp, content_type, body, sha256, published_at FROM published_files WHERE path = $1")
        .bind(path)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(file_from_row).transpose()
}

/// The paths of the files an advisory's publications produced (no bodies: a view needs links).
pub async fn paths_of(db: &Db, advisory_id: &str) -> Result<Vec<String>, StorageError> {
    let rows = sqlx::query("SELECT path FROM published_files WHERE advisory_id = $1 ORDER BY path")
        .bind(advisory_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Files under a path prefix, newest first (for indexes and feeds).
pub async fn files_under(db: &Db, prefix: &str) -> Result<Vec<PublishedFile>, StorageError> {
    let rows = sqlx::query(
        "SELECT path, advisory_id, revision, tlp, content_type, body, sha256, published_at FROM published_files
         WHERE substr(path, 1, length($1)) = $1 ORDER BY published_at DESC, path",
    )
    .bind(prefix)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(file_from_row).collect()
}

/// Every published CSAF document (public and restricted folders) with its detached
/// signature's text, if any, read in `tx` (to sign what is missing).
pub async fn csaf_documents(
    tx: &mut Transaction<'_, Any>,
) -> Result<Vec<(PublishedFile, Option<String>)>, StorageError> {
    let rows = sqlx::query(
        "SELECT d.path, d.advisory_id, d.revision, d.tlp, d.content_type, d.body, d.sha256, d.published_at, s.body AS signature
         FROM published_files d LEFT JOIN published_files s ON s.path = d.path || '.asc'
         WHERE d.path LIKE '/.well-known/csaf/%.json' OR d.path LIKE '/api/v1/csaf/%.json' ORDER BY d.path",
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| Ok((file_from_row(r)?, r.try_get("signature")?)))
        .collect()
}
