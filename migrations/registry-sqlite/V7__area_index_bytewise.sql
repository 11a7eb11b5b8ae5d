-- Registry schema v7 (SQLite): nothing to change. SQLite's default BINARY collation is already the
-- bytewise order the domain's AreaRange needs, so v1's `households_area` serves scope queries; the
-- PostgreSQL schema adds a bytewise index at this version, and both folders keep the same numbers.
SELECT 1;
