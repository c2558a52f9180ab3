-- Intake (PostgreSQL twin of migrations/sqlite; a test keeps them equivalent): reports, their conversation and files, staff and their tokens, a minimal catalog.
-- Times are BIGINT microseconds since the Unix epoch (UTC); flags are BIGINT 0/1 so that one
-- SQL code path reads the same types from SQLite and PostgreSQL.

CREATE TABLE reference_counters (
    year BIGINT PRIMARY KEY,
    last_number BIGINT NOT NULL
);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE product_models (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE product_versions (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products(id),
    model_id TEXT REFERENCES product_models(id),
    version TEXT NOT NULL,
    released_at BIGINT,
    supported BIGINT NOT NULL
);
CREATE INDEX product_versions_product ON product_versions (product_id);

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    ref_year BIGINT NOT NULL,
    ref_number BIGINT NOT NULL,
    channel TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    tracking_token_hash TEXT NOT NULL UNIQUE,
    payload_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    anonymous BIGINT NOT NULL,
    reporter_name TEXT,
    reporter_organization TEXT,
    reporter_job_title TEXT,
    reporter_email TEXT,
    product TEXT,
    product_id TEXT REFERENCES products(id),
    model TEXT,
    version TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    technical_details TEXT,
    reproduction_steps TEXT,
    disclosure_plans TEXT,
    UNIQUE (ref_year, ref_number)
);
CREATE INDEX reports_received_at ON reports (received_at);
CREATE INDEX reports_product_id ON reports (product_id);

CREATE TABLE report_messages (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    author_kind TEXT NOT NULL,
    author_user_id TEXT,
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, created_at);

CREATE TABLE report_attachments (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    message_id TEXT REFERENCES report_messages(id),
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

-- Need-to-know: a grant on one report or on every report about a catalog product.
CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    report_id TEXT REFERENCES reports(id),
    product_id TEXT REFERENCES products(id),
    created_at BIGINT NOT NULL,
    CHECK ((report_id IS NULL) <> (product_id IS NULL))
);
CREATE INDEX grants_user ON grants (user_id);

CREATE TABLE setup_links (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
