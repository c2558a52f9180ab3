-- SQLite moves full-text indexing out of the intake transaction (see the SQLite twin). The GIN
-- index of 0003 is maintained by PostgreSQL itself, beside concurrent writers: nothing to do.
SELECT 1;
