-- Full-text search over case text: FTS5 with the trigram tokenizer (substring matches in any
-- script, e.g. product names in Chinese), kept in sync with cases.search_text by triggers.
CREATE VIRTUAL TABLE cases_fts USING fts5(search_text, content='cases', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO cases_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
