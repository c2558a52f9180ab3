-- Task evidence may carry files: an attachment of the case's report can belong to a task.
ALTER TABLE report_attachments ADD COLUMN task_id TEXT REFERENCES case_tasks(id);
