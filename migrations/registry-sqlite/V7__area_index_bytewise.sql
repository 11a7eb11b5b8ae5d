-- Registry schema v7 (SQLite): households by (area, id). A first sync sends a scope's snapshot in
-- (area, id) order and resumes each page at an (area, id) position: one seek in this index per page,
-- so it costs the device's scope, not the country. (SQLite's default BINARY collation is already the
-- bytewise order the domain's AreaRange needs.)
CREATE INDEX households_area_id ON households (area, id);
