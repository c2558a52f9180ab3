-- PostgreSQL twin of migrations/sqlite/0009_task_evidence.sql.
ALTER TABLE report_attachments ADD COLUMN task_id TEXT REFERENCES case_tasks(id);
