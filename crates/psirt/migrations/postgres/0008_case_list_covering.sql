-- PostgreSQL twin of migrations/sqlite/0008_case_list_covering.sql.
-- Case list (issue 4; benches/case_list.rs, docs/PERFORMANCE.md). The list pages row ids first
-- and fetches the columns of the page only; these indexes carry the sort keys and every column
-- of the need-to-know predicate (phase, resolution, product_id, id), so choosing the ids of a
-- page and counting the visible rows read the index, not the wide case rows.
CREATE INDEX cases_list_opened ON cases (opened_at, reference, phase, resolution, product_id, id);
CREATE INDEX cases_list_grade_due ON cases (grade, next_due_at, opened_at, phase, resolution, product_id, id);
