-- Full-text search over case text: a GIN index on the 'simple' tsvector of cases.search_text
-- (the SQLite twin uses FTS5; tests/schema.rs ignores search structures).
CREATE INDEX cases_search ON cases USING GIN (to_tsvector('simple', search_text));
