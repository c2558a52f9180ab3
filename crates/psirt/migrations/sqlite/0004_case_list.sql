-- Case list (issue 4; measured by benches/case_list.rs, figures in docs/PERFORMANCE.md).
-- The product filter compares a name as well as a catalog id (one index each), and the grant
-- subqueries of need-to-know read a user's case and product grants by (user, target).
CREATE INDEX cases_product_name ON cases (product, opened_at);
CREATE INDEX grants_user_report ON grants (user_id, report_id);
CREATE INDEX grants_user_product ON grants (user_id, product_id);
