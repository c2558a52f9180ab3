-- PostgreSQL twin of migrations/sqlite/0006_publication.sql.
-- Publication: the catalog in full (vendor, version ordering, support, markets), Security
-- Advisories and Notices with revisions and approvals, and the published files kept byte for byte.

ALTER TABLE products ADD COLUMN vendor TEXT;
ALTER TABLE products ADD COLUMN version_scheme TEXT;
ALTER TABLE products ADD COLUMN purl TEXT;
ALTER TABLE product_versions ADD COLUMN eos_at BIGINT;
ALTER TABLE product_versions ADD COLUMN markets TEXT;
ALTER TABLE product_versions ADD COLUMN ordinal BIGINT;

CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    tracking_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    business_impact TEXT,
    remediation TEXT,
    workarounds TEXT,
    tlp TEXT NOT NULL,
    embargo_until BIGINT,
    embargo_zone TEXT,
    created_by_id TEXT NOT NULL REFERENCES users(id),
    approved_by_id TEXT REFERENCES users(id),
    approved_at BIGINT,
    gate_overrides TEXT,
    revision BIGINT NOT NULL,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX advisories_state ON advisories (state, published_at);

CREATE TABLE advisory_cases (
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    cve TEXT,
    PRIMARY KEY (advisory_id, case_id)
);

CREATE TABLE advisory_revisions (
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    number BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

-- Every file publication produced, as served: CSAF (+ hashes, signatures), CVE, OSV, OpenVEX,
-- HTML. A later revision adds new rows and replaces the current path's content.
CREATE TABLE published_files (
    path TEXT PRIMARY KEY,
    advisory_id TEXT REFERENCES advisories(id),
    revision BIGINT NOT NULL,
    tlp TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE INDEX published_files_advisory ON published_files (advisory_id);
