//! The SQLite and PostgreSQL schemas stay equivalent: same tables, same columns, same
//! nullability, same portable types. Needs PostgreSQL (`PSIRT_TEST_DATABASE_URL`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use std::collections::BTreeMap;

use psirt::storage::Db;
use sqlx::Row;

type Schema = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn portable(ty: &str) -> String {
    match ty.to_ascii_lowercase().as_str() {
        "bigint" | "integer" | "int8" => "bigint".into(),
        "text" | "character varying" => "text".into(),
        other => other.into(),
    }
}

async fn sqlite_schema(db: &Db) -> Schema {
    let mut schema = Schema::new();
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'cases_fts%'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for t in tables {
        let table: String = t.get(0);
        let cols = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
        )))
        .fetch_all(db.pool())
        .await
        .unwrap();
        let entry = schema.entry(table).or_default();
        for c in cols {
            let not_null = c.get::<i64, _>(2) != 0 || c.get::<i64, _>(3) != 0;
            entry.insert(c.get(0), (portable(&c.get::<String, _>(1)), !not_null));
        }
    }
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let mut schema = Schema::new();
    let cols = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns
         WHERE table_schema = current_schema()",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for c in cols {
        let table: String = c.get(0);
        schema.entry(table).or_default().insert(
            c.get(1),
            (
                portable(&c.get::<String, _>(2)),
                c.get::<String, _>(3) == "YES",
            ),
        );
    }
    schema
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Ok(_) = std::env::var("PSIRT_TEST_DATABASE_URL") else {
        eprintln!("PSIRT_TEST_DATABASE_URL is not set: the PostgreSQL side is checked in CI");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(
        &format!("sqlite://{}?mode=rwc", data.path().join("s.db").display()),
        2,
    )
    .await
    .unwrap();
    sqlite.migrate().await.unwrap();
    let (pg_url, schema) = common::test_database_url(data.path());
    common::prepare_schema(&schema).await;
    let pg = Db::connect(&pg_url, 2).await.unwrap();
    pg.migrate().await.unwrap();
    let (a, b) = (sqlite_schema(&sqlite).await, postgres_schema(&pg).await);
    assert!(a.len() >= 10, "{a:?}");
    assert_eq!(a, b);
}
