//! Which catalog versions each published advisory names, and how (`affected`, `fixed`): written
//! from the published document in the publication's transaction, read by the public release
//! notes and product feeds. Only what was published is here.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use super::{StorageError, case_write::Tx, rows};

/// Replaces what an advisory's publication names: `(product id, version, status)`.
pub async fn replace(
    tx: &mut Tx<'_>,
    advisory_id: &str,
    entries: &[(String, String, &str)],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM advisory_versions WHERE advisory_id = $1")
        .bind(advisory_id)
        .execute(&mut **tx)
        .await?;
    for (product_id, version, status) in entries {
        sqlx::query(
            "INSERT INTO advisory_versions (advisory_id, product_id, version, status) VALUES ($1, $2, $3, $4)
             ON CONFLICT (advisory_id, product_id, version, status) DO NOTHING",
        )
        .bind(advisory_id)
        .bind(product_id)
        .bind(version)
        .bind(*status)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One published, public advisory naming a product's version.
#[derive(Debug, Clone)]
pub struct PublishedMention {
    pub tracking_id: String,
    pub first_published: Timestamp,
    pub version: String,
    pub status: String,
}

/// What published TLP:WHITE advisories say about a product's versions, newest advisory first.
pub async fn for_product(
    conn: &mut AnyConnection,
    product_id: &str,
) -> Result<Vec<PublishedMention>, StorageError> {
    let rows = sqlx::query(
        "SELECT a.tracking_id, a.published_at, v.version, v.status FROM advisory_versions v
         JOIN advisories a ON a.id = v.advisory_id
         WHERE v.product_id = $1 AND a.published_at IS NOT NULL AND a.tlp = 'WHITE'
         ORDER BY a.published_at DESC, a.tracking_id DESC, v.version",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublishedMention {
                tracking_id: r.try_get(0)?,
                first_published: rows::from_micros(r.try_get(1)?)?,
                version: r.try_get(2)?,
                status: r.try_get(3)?,
            })
        })
        .collect()
}
