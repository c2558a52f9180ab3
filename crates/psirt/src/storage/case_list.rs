//! The filtered, paginated case list and its count, under need-to-know. Filters are composed
//! from constant SQL fragments with numbered binds; only the full-text predicate differs by
//! dialect (FTS5 trigram on SQLite, tsvector on PostgreSQL). Latency with 100,000 cases is
//! measured by `benches/case_list.rs` (docs/PERFORMANCE.md).

use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Row, any::AnyRow};

use super::{Db, Dialect, StorageError, cases::case_granted, reports::Viewer, rows};

/// A validated list query.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: Option<String>,
    pub phase: Option<String>,
    pub grade: Option<String>,
    /// Product name or catalog id.
    pub product: Option<String>,
    /// `Some(None)`: unassigned; `Some(Some(id))`: assigned to that user.
    pub assignee: Option<Option<String>>,
    pub deadline: Option<String>,
    pub sort_due: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct ListRow {
    pub reference: String,
    pub title: String,
    pub phase: String,
    pub resolution: Option<String>,
    pub grade: Option<String>,
    pub product: Option<String>,
    pub assignee: Option<String>,
    pub deadline_state: String,
    pub next_due_at: Option<Timestamp>,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
}

/// With at least this many visible matches, a page walks the cases in list order (an index on
/// `opened_at`) and stops after the page; with fewer, it starts from the filters' own indexes
/// (or the full-text match) and sorts what they find, because a walk in list order would read
/// most of the table to find a handful of rows. The count, taken first, decides.
const WALK_IN_ORDER: i64 = 1_000;

/// `AND …` after the visibility predicate, and its binds, numbered from `$first`. `fts_in_order`
/// (SQLite) keeps the full-text match from driving the query (`+c.rowid` is no index term).
fn conditions(
    dialect: Dialect,
    q: &Query,
    first: usize,
    fts_in_order: bool,
) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds: Vec<String> = Vec::new();
    let mut push_all = |fragment: &str, values: &[String]| {
        // `$?` is the first value, `$?2` the second (numbered in order of the values).
        let mut fragment = fragment.to_owned();
        for i in (0..values.len()).rev() {
            let n = binds.len() + first + i;
            let mark = if i == 0 {
                "$?".to_owned()
            } else {
                format!("$?{}", i + 1)
            };
            fragment = fragment.replace(&mark, &format!("${n}"));
        }
        sql.push_str(" AND ");
        sql.push_str(&fragment);
        binds.extend(values.iter().cloned());
    };
    if let Some(text) = &q.q {
        match dialect {
            // The trigram tokenizer needs three characters; shorter terms fall back to LIKE.
            // Cases still queued for indexing (storage/search.rs) are matched on their current
            // text, never on what the index may hold of an earlier text, so a search is exact
            // however far the indexer is behind.
            Dialect::Sqlite if text.chars().count() >= 3 => push_all(
                if fts_in_order {
                    "((+c.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH $?)
                       AND +c.rowid NOT IN (SELECT case_rowid FROM cases_fts_queue))
                      OR (+c.rowid IN (SELECT case_rowid FROM cases_fts_queue)
                       AND c.search_text LIKE $?2 ESCAPE '\\'))"
                } else {
                    "((c.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH $?)
                       AND c.rowid NOT IN (SELECT case_rowid FROM cases_fts_queue))
                      OR (c.rowid IN (SELECT case_rowid FROM cases_fts_queue)
                       AND c.search_text LIKE $?2 ESCAPE '\\'))"
                },
                &[
                    format!("\"{}\"", text.replace('"', "\"\"")),
                    like_pattern(text),
                ],
            ),
            Dialect::Sqlite => push_all("c.search_text LIKE $? ESCAPE '\\'", &[like_pattern(text)]),
            Dialect::Postgres => push_all(
                "to_tsvector('simple', c.search_text) @@ plainto_tsquery('simple', $?)",
                std::slice::from_ref(text),
            ),
        }
    }
    let mut push = |fragment: &str, bind: String| push_all(fragment, std::slice::from_ref(&bind));
    if let Some(phase) = &q.phase {
        push("c.phase = $?", phase.clone());
    }
    if let Some(grade) = &q.grade {
        push("c.grade = $?", grade.clone());
    }
    if let Some(product) = &q.product {
        // A name or a catalog id: one bind, compared with both columns. Two equalities (not
        // `$? IN (c.product, c.product_id)`) so each can use its index.
        push("(c.product_id = $? OR c.product = $?)", product.clone());
    }
    match &q.assignee {
        Some(Some(id)) => push("c.assignee_id = $?", id.clone()),
        Some(None) => push("c.assignee_id IS NULL AND $? = ''", String::new()),
        None => {}
    }
    if let Some(state) = &q.deadline {
        push("c.deadline_state = $?", state.clone());
    }
    (sql, binds)
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn list(
    db: &Db,
    viewer: Viewer<'_>,
    q: &Query,
) -> Result<(Vec<ListRow>, i64), StorageError> {
    // `SeeAll` needs no predicate; anyone else is limited by their grants, user id in `$1`.
    // Two statement shapes rather than `$1 = 1 OR …`, which a plan prepared once (SQLite, or a
    // generic plan on PostgreSQL) cannot simplify: it would test every row for everybody.
    let (visible, user) = if viewer.sees_all {
        ("1 = 1", None)
    } else {
        (case_granted!("$1"), Some(viewer.user_id))
    };
    let first = 1 + usize::from(user.is_some());

    // The exact count first (index-only with the covering indexes of migration 0008): it tells
    // whether the page is empty and how the page is best read.
    let (filters, binds) = conditions(db.dialect(), q, first, false);
    let count = format!("SELECT COUNT(*) FROM cases c WHERE {visible}{filters}");
    let mut counter = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count));
    if let Some(user) = user {
        counter = counter.bind(user);
    }
    for t in &binds {
        counter = counter.bind(t.clone());
    }
    let total = counter.fetch_one(db.pool()).await?;
    if total <= q.offset {
        return Ok((Vec::new(), total));
    }

    // PostgreSQL never walks for full text: it would compute `to_tsvector` for every row it
    // passes, where the GIN index finds the matches without reading their text.
    let walk = total >= WALK_IN_ORDER && !(q.q.is_some() && db.dialect() == Dialect::Postgres);
    let filters = if walk && q.q.is_some() {
        conditions(db.dialect(), q, first, true).0
    } else {
        filters
    };
    let order = if q.sort_due {
        " ORDER BY CASE WHEN c.next_due_at IS NULL THEN 1 ELSE 0 END, c.next_due_at, c.opened_at DESC"
    } else {
        " ORDER BY c.opened_at DESC, c.reference DESC"
    };
    // `opened_at + 0` is the same order but no index order: the planner sorts the few matches.
    let inner_order = if q.sort_due || walk {
        order
    } else {
        " ORDER BY c.opened_at + 0 DESC, c.reference DESC"
    };
    let n = binds.len() + first;
    // Deferred join: the ids of the page are chosen (and sorted) from narrow index entries,
    // then only the page's rows are read whole.
    let select = format!(
        "SELECT c.reference, c.title, c.phase, c.resolution, c.grade, c.product, u.email AS assignee, c.deadline_state,
                c.next_due_at, c.opened_at, c.updated_at
         FROM (SELECT c.id FROM cases c WHERE {visible}{filters}{inner_order} LIMIT ${n} OFFSET ${}) p
         JOIN cases c ON c.id = p.id LEFT JOIN users u ON u.id = c.assignee_id{order}",
        n + 1
    );
    let mut query = sqlx::query(AssertSqlSafe(select));
    if let Some(user) = user {
        query = query.bind(user);
    }
    for t in binds {
        query = query.bind(t);
    }
    let rows = query
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(db.pool())
        .await?;
    let items = rows.iter().map(list_row).collect::<Result<_, _>>()?;
    Ok((items, total))
}

fn list_row(r: &AnyRow) -> Result<ListRow, StorageError> {
    Ok(ListRow {
        reference: r.try_get("reference")?,
        title: r.try_get("title")?,
        phase: r.try_get("phase")?,
        resolution: r.try_get("resolution")?,
        grade: r.try_get("grade")?,
        product: r.try_get("product")?,
        assignee: r.try_get("assignee")?,
        deadline_state: r.try_get("deadline_state")?,
        next_due_at: r
            .try_get::<Option<i64>, _>("next_due_at")?
            .map(rows::from_micros)
            .transpose()?,
        opened_at: rows::from_micros(r.try_get("opened_at")?)?,
        updated_at: rows::from_micros(r.try_get("updated_at")?)?,
    })
}

/// References of the reports handled in a case (its own first, then merged ones).
pub async fn report_references(db: &Db, case_id: &str) -> Result<Vec<String>, StorageError> {
    let rows = sqlx::query("SELECT reference FROM reports WHERE case_id = $1 ORDER BY received_at")
        .bind(case_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
