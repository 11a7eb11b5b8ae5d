-- Registry schema v3 (PostgreSQL): the applied versions are kept in refinery_schema_history. Databases
-- made before that recorded them in schema_migrations, adopted into the new history on their first open;
-- the old table goes, so a build from before this change fails on such a database instead of writing to it.
DROP TABLE IF EXISTS schema_migrations;
