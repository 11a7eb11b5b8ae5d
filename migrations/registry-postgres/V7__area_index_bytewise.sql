-- Registry schema v7 (PostgreSQL): households by (area, id) in bytewise order. Scope queries compare
-- areas with COLLATE "C" (the domain's AreaRange is a bytewise range), which the default-collation
-- index of v1 cannot serve; this one serves a device's consistency check (its areas' heads) and its
-- first sync (snapshot pages resumed at an (area, id) position), so both cost the device's scope,
-- not the country.
CREATE INDEX households_area_c ON households (area COLLATE "C", id COLLATE "C");
