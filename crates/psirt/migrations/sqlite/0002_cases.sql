-- Cases (the vulnerability being handled), their clocks, tasks and decisions; the audit chain;
-- the job table of the scheduler; the mail outbox. Same types and rules as 0001.

-- A case shares its id and reference with the report that opened it; later reports about the
-- same vulnerability are merged into it (reports.case_id).
CREATE TABLE cases (
    id TEXT PRIMARY KEY REFERENCES reports(id),
    reference TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    phase TEXT NOT NULL,
    resolution TEXT,
    resolution_reason TEXT,
    duplicate_of TEXT,
    bug_reference TEXT,
    policy_id TEXT NOT NULL,
    title TEXT NOT NULL,
    product_id TEXT REFERENCES products(id),
    product TEXT,
    assignee_id TEXT REFERENCES users(id),
    grade TEXT,
    grade_source TEXT,
    grade_rationale TEXT,
    cvss_v31 TEXT,
    cvss_v31_score TEXT,
    cvss_v31_source TEXT,
    cvss_v31_rationale TEXT,
    cvss_v40 TEXT,
    cvss_v40_score TEXT,
    cvss_v40_source TEXT,
    cvss_v40_rationale TEXT,
    cwe TEXT,
    vulnerability_type TEXT,
    triage_supported BIGINT,
    triage_reproducible BIGINT,
    triage_exploitable BIGINT,
    waiting_for_reporter BIGINT NOT NULL,
    third_party BIGINT NOT NULL,
    market_eu BIGINT NOT NULL,
    market_cn BIGINT NOT NULL,
    exploitation_source TEXT,
    pending_resolution TEXT,
    pending_proposer_id TEXT REFERENCES users(id),
    pending_reason TEXT,
    released_by_id TEXT REFERENCES users(id),
    disclosure_approved_by_id TEXT REFERENCES users(id),
    post_mortem TEXT,
    search_text TEXT NOT NULL,
    -- Denormalised from the deadline engine on every change and by the scheduler, for filters.
    deadline_state TEXT NOT NULL,
    next_due_at BIGINT,
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_phase ON cases (phase, opened_at);
CREATE INDEX cases_grade ON cases (grade, opened_at);
CREATE INDEX cases_product ON cases (product_id, opened_at);
CREATE INDEX cases_assignee ON cases (assignee_id, opened_at);
CREATE INDEX cases_opened ON cases (opened_at);
CREATE INDEX cases_deadline ON cases (deadline_state, next_due_at);

ALTER TABLE reports ADD COLUMN case_id TEXT REFERENCES cases(id);

-- Clock anchors: when each start event happened (received, acknowledged, confirmed, …).
CREATE TABLE case_anchors (
    case_id TEXT NOT NULL REFERENCES cases(id),
    event TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, event)
);

-- Intervals of waiting for the reporter (pause the clocks when the policy says so).
CREATE TABLE case_pauses (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_at BIGINT NOT NULL,
    until_at BIGINT
);
CREATE INDEX case_pauses_case ON case_pauses (case_id);

CREATE TABLE case_versions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    UNIQUE (case_id, product, version, status)
);

CREATE TABLE case_tasks (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    due_at BIGINT,
    state TEXT NOT NULL,
    evidence TEXT,
    done_by_id TEXT REFERENCES users(id),
    done_at BIGINT,
    verified_by_id TEXT REFERENCES users(id),
    verified_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id);

-- Approved extensions of policy milestones; the original due time stays on record.
CREATE TABLE case_extensions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    milestone TEXT NOT NULL,
    original_due BIGINT NOT NULL,
    new_due BIGINT NOT NULL,
    reason TEXT NOT NULL,
    approver_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- Milestones staff recorded as met by hand (those without a `met_by` event), with evidence.
CREATE TABLE case_milestones_met (
    case_id TEXT NOT NULL REFERENCES cases(id),
    milestone TEXT NOT NULL,
    met_at BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    by_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (case_id, milestone)
);

-- Breaches are recorded forever, even when the milestone is met later.
CREATE TABLE case_breaches (
    case_id TEXT NOT NULL REFERENCES cases(id),
    milestone TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, milestone)
);

-- Append-only, hash-chained audit trail. audit_head holds the chain's tip (one row), so
-- appends serialise and the chain has no forks.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_case ON audit_events (case_id, seq);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Background work: reminders, mail delivery. Claimed with FOR UPDATE SKIP LOCKED on PostgreSQL.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    locked_until BIGINT,
    done_at BIGINT,
    last_error TEXT
);
CREATE INDEX jobs_due ON jobs (done_at, run_at);

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    case_id TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL,
    last_error TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, created_at);
