//! Bulk-loads a realistic case history straight into the tables (multi-row INSERTs in large
//! transactions): 100,000 reports and their cases over three years, 40 catalog products, staff
//! as assignees, and the grants of the measured users. Deterministic (a fixed seed and clock).

use anyhow::{Context, Result};
use jiff::{SignedDuration, Timestamp};
use psirt::{
    app::{App, admin},
    storage::{micros, new_id},
};
use psirt_domain::report::Role;
use sqlx::{Any, AssertSqlSafe, query::Query};

const FAMILIES: [&str; 8] = [
    "VoltGuard",
    "GridSense",
    "AeroLink",
    "NovaCam",
    "PlantOS",
    "MediFlow",
    "HomeHub",
    "RailNet",
];
const LINES: [&str; 5] = ["BMS", "Gateway", "Controller", "Camera", "Router"];
const FLAWS: [&str; 12] = [
    "Buffer overflow",
    "SQL injection",
    "Authentication bypass",
    "Cross-site scripting",
    "Path traversal",
    "Hard-coded credentials",
    "Command injection",
    "Use after free",
    "Denial of service",
    "Information disclosure",
    "Privilege escalation",
    "Insecure firmware update",
];
const PARTS: [&str; 10] = [
    "the web console",
    "the Modbus listener",
    "the OTA updater",
    "the REST API",
    "the maintenance port",
    "the Bluetooth stack",
    "the log exporter",
    "the MQTT bridge",
    "the backup service",
    "the SNMP agent",
];
const ACTIVE: [&str; 7] = [
    "received",
    "acknowledged",
    "triage",
    "confirmed",
    "remediation",
    "release",
    "triage",
];
const GRADES: [&str; 10] = [
    "critical", "high", "high", "medium", "medium", "medium", "medium", "low", "low", "none",
];
const OTHER_ENDS: [&str; 4] = [
    "duplicate",
    "not_reproducible",
    "out_of_scope",
    "not_security_issue",
];
const ROWS_PER_INSERT: usize = 400;
const ROWS_PER_TX: usize = 10_000;

/// What the measurement needs to know about the loaded data.
pub struct Seeded {
    pub pso_token: String,
    /// One token per RD user, each with 50 grants.
    pub rd_tokens: Vec<String>,
    pub product_name: String,
    pub assignee_email: String,
}

/// A small deterministic generator (SplitMix64): the same data on every run and backend.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or_default()
    }
}

enum Val {
    Int(i64),
    NoInt,
    Text(Option<String>),
}

fn text(s: impl Into<String>) -> Val {
    Val::Text(Some(s.into()))
}

/// One INSERT of many rows with numbered binds.
async fn insert_rows(
    tx: &mut sqlx::Transaction<'_, Any>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for (i, row) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for j in 0..row.len() {
            n += 1;
            sql.push_str(&format!("{}${n}", if j == 0 { "" } else { ", " }));
        }
        sql.push(')');
    }
    let mut query: Query<'_, Any, _> = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for v in row {
            query = match v {
                Val::Int(i) => query.bind(*i),
                Val::NoInt => query.bind(None::<i64>),
                Val::Text(t) => query.bind(t.clone()),
            };
        }
    }
    query
        .execute(&mut **tx)
        .await
        .with_context(|| format!("bulk insert into {table}"))?;
    Ok(())
}

/// Inserts `rows` into `table` in statements of `ROWS_PER_INSERT` and transactions of
/// `ROWS_PER_TX` rows.
async fn load(app: &App, table: &str, columns: &[&str], rows: Vec<Vec<Val>>) -> Result<()> {
    for tx_rows in rows.chunks(ROWS_PER_TX) {
        let mut tx = app.db.pool().begin().await?;
        for stmt_rows in tx_rows.chunks(ROWS_PER_INSERT) {
            insert_rows(&mut tx, table, columns, stmt_rows).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

pub async fn seed(app: &App, cases: usize, rd_users: usize) -> Result<Seeded> {
    let now: Timestamp = "2026-11-25T09:00:00Z".parse()?;
    let mut rng = Rng(0x5EED_0004);

    let mut products = Vec::new();
    for family in FAMILIES {
        for line in LINES {
            products.push((new_id(), format!("{family} {line}")));
        }
    }
    let product_rows = products
        .iter()
        .map(|(id, name)| vec![text(id), text(name), Val::Int(micros(now))])
        .collect();
    load(app, "products", &["id", "name", "created_at"], product_rows).await?;

    let mut assignees = Vec::new();
    for i in 0..30 {
        let role = if i % 5 == 4 { Role::Qa } else { Role::Rd };
        let user = admin::create_user(app, &format!("engineer{i}@example.com"), None, role).await?;
        assignees.push((user.id, user.email));
    }

    let three_years = SignedDuration::from_hours(3 * 365 * 24).as_micros() as i64;
    let start = micros(now) - three_years;
    let mut report_rows = Vec::with_capacity(cases);
    let mut case_rows = Vec::with_capacity(cases);
    let mut anchor_rows = Vec::with_capacity(cases);
    let mut undisclosed = Vec::new();
    let mut counters = std::collections::BTreeMap::<i16, i64>::new();
    for i in 0..cases {
        let opened = start + (three_years / cases as i64) * i as i64 + rng.below(60_000_000) as i64;
        let at = Timestamp::from_microsecond(opened)?;
        let year = at.to_zoned(jiff::tz::TimeZone::UTC).year();
        let number = counters.entry(year).or_default();
        *number += 1;
        let reference = format!("PSIRT-{year}-{:04}", *number);
        let id = new_id();
        // Skewed: the first products get most reports; one in ten names no catalog product.
        let skewed = rng.below(products.len()) + 1;
        let skewed = rng.below(skewed);
        let product = (!rng.chance(10)).then(|| products.get(skewed)).flatten();
        let product_name = product.map_or_else(|| "Legacy field unit".to_owned(), |p| p.1.clone());
        let flaw = rng.pick(&FLAWS);
        let part = rng.pick(&PARTS);
        let title = format!("{flaw} in {part} of {product_name}");
        let description = format!(
            "{flaw} found in {part}. An attacker on the plant network can send a crafted request \
             and {}. Seen on firmware {}.{}.{}; reported by a researcher after fuzzing.",
            rng.pick(&[
                "read process values",
                "take over the device",
                "crash the service",
                "read other users' data"
            ]),
            rng.below(5),
            rng.below(20),
            rng.below(10)
        );
        let age = (micros(now) - opened) as f64 / three_years as f64;
        // Recent cases are mostly open; older ones mostly finished.
        let open = rng.chance(if age < 0.08 {
            90
        } else if age < 0.33 {
            35
        } else {
            6
        });
        let (phase, resolution) = if open {
            (rng.pick(&ACTIVE), None)
        } else {
            match rng.below(10) {
                0..=2 => ("disclosed", None),
                3 => ("post_release", None),
                4..=7 => ("closed", Some("fixed")),
                _ => ("closed", Some(rng.pick(&OTHER_ENDS))),
            }
        };
        let graded = !matches!(phase, "received" | "acknowledged")
            && (phase != "triage" || !rng.chance(50))
            && resolution.is_none_or(|r| r == "fixed");
        let grade = graded.then(|| rng.pick(&GRADES).to_owned());
        let assignee = (phase != "received" && !rng.chance(10))
            .then(|| {
                assignees
                    .get(rng.below(assignees.len()))
                    .map(|a| a.0.clone())
            })
            .flatten();
        let (deadline_state, next_due) = if open {
            let state = match rng.below(20) {
                0..=1 => "breached",
                2..=4 => "at_risk",
                _ => "on_track",
            };
            let due = micros(now) + (rng.below(60 * 24) as i64 - 240) * 3_600_000_000;
            (state, Some(due))
        } else {
            ("none", None)
        };
        let search_text = format!("{title}\n{description}\n{product_name}");
        if open || resolution.is_some_and(|r| r != "fixed") {
            undisclosed.push(id.clone());
        }
        report_rows.push(vec![
            text(&id),
            text(&reference),
            Val::Int(i64::from(year)),
            Val::Int(*number),
            text("api"),
            Val::Int(opened),
            text(new_id()),
            text(new_id()),
            text("received"),
            Val::Int(0),
            text(&product_name),
            Val::Text(product.map(|p| p.0.clone())),
            text(&title),
            text(&description),
        ]);
        case_rows.push(vec![
            text(&id),
            text(&reference),
            Val::Int(1),
            text(phase),
            Val::Text(resolution.map(str::to_owned)),
            text("default"),
            text(&title),
            Val::Text(product.map(|p| p.0.clone())),
            text(&product_name),
            Val::Text(assignee),
            Val::Text(grade),
            text(search_text),
            text(deadline_state),
            next_due.map_or(Val::NoInt, Val::Int),
            Val::Int(opened),
            Val::Int(opened),
        ]);
        anchor_rows.push(vec![text(&id), text("received"), Val::Int(opened)]);
    }
    let report_columns = [
        "id",
        "reference",
        "ref_year",
        "ref_number",
        "channel",
        "received_at",
        "tracking_token_hash",
        "payload_sha256",
        "status",
        "anonymous",
        "product",
        "product_id",
        "title",
        "description",
    ];
    load(app, "reports", &report_columns, report_rows).await?;
    let case_columns = [
        "id",
        "reference",
        "version",
        "phase",
        "resolution",
        "policy_id",
        "title",
        "product_id",
        "product",
        "assignee_id",
        "grade",
        "search_text",
        "deadline_state",
        "next_due_at",
        "opened_at",
        "updated_at",
    ];
    // The flag columns have no defaults: appended as literals to every row.
    let case_rows = case_rows
        .into_iter()
        .map(|mut r| {
            r.extend([Val::Int(0), Val::Int(0), Val::Int(0), Val::Int(0)]);
            r
        })
        .collect();
    let mut columns = case_columns.to_vec();
    columns.extend([
        "waiting_for_reporter",
        "third_party",
        "market_eu",
        "market_cn",
    ]);
    load(app, "cases", &columns, case_rows).await?;
    load(
        app,
        "case_anchors",
        &["case_id", "event", "at"],
        anchor_rows,
    )
    .await?;
    sqlx::query("UPDATE reports SET case_id = id")
        .execute(app.db.pool())
        .await?;

    admin::create_user(app, "pso@example.com", None, Role::Pso).await?;
    let pso_token = admin::create_token(app, "pso@example.com", "bench").await?;
    let mut rd_tokens = Vec::new();
    let mut grant_rows = Vec::new();
    for u in 0..rd_users {
        let email = format!("rd{u}@example.com");
        let user = admin::create_user(app, &email, None, Role::Rd).await?;
        rd_tokens.push(admin::create_token(app, &email, "bench").await?);
        let product_grants = 1 + u % 2;
        for _ in 0..product_grants {
            // Less popular products: a product grant is a team's own line.
            let p = products.get(10 + rng.below(products.len() - 10));
            grant_rows.push(vec![
                text(new_id()),
                text(&user.id),
                Val::Text(None),
                Val::Text(p.map(|p| p.0.clone())),
                Val::Int(micros(now)),
            ]);
        }
        for _ in product_grants..50 {
            let case = undisclosed.get(rng.below(undisclosed.len())).cloned();
            grant_rows.push(vec![
                text(new_id()),
                text(&user.id),
                Val::Text(case),
                Val::Text(None),
                Val::Int(micros(now)),
            ]);
        }
    }
    let grant_columns = ["id", "user_id", "report_id", "product_id", "created_at"];
    load(app, "grants", &grant_columns, grant_rows).await?;

    let product_name = products
        .get(5)
        .map(|p| p.1.clone())
        .context("no products")?;
    let assignee_email = assignees
        .get(3)
        .map(|a| a.1.clone())
        .context("no assignees")?;
    Ok(Seeded {
        pso_token,
        rd_tokens,
        product_name,
        assignee_email,
    })
}
