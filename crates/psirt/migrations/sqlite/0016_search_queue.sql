-- Full-text indexing leaves the intake transaction: a trigger only queues the case's rowid
-- (a few microseconds), and the search indexer (storage/search.rs) indexes queued cases in its
-- own transactions, yielding to intake when it is busy. Searches stay exact meanwhile: queued
-- cases are matched on their current text (storage/case_list.rs). The index is contentless
-- (the text lives only in `cases`) and deletable by rowid, so re-indexing a case needs no copy of
-- its previous text.
DROP TRIGGER cases_fts_insert;
DROP TRIGGER cases_fts_delete;
DROP TRIGGER cases_fts_update;
DROP TABLE cases_fts;
CREATE VIRTUAL TABLE cases_fts USING fts5(search_text, content='', contentless_delete=1, tokenize='trigram');
CREATE TABLE cases_fts_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_rowid BIGINT NOT NULL
);
CREATE INDEX cases_fts_queue_case ON cases_fts_queue (case_rowid);
INSERT INTO cases_fts_queue (case_rowid) SELECT rowid FROM cases ORDER BY rowid;
CREATE TRIGGER cases_fts_queue_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts_queue (case_rowid) VALUES (new.rowid);
END;
CREATE TRIGGER cases_fts_queue_update AFTER UPDATE OF search_text ON cases BEGIN
    INSERT INTO cases_fts_queue (case_rowid) VALUES (new.rowid);
END;
CREATE TRIGGER cases_fts_queue_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts_queue (case_rowid) VALUES (old.rowid);
END;
