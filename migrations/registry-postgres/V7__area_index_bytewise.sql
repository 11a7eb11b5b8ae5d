-- Registry schema v7 (PostgreSQL): the area index in bytewise order. Scope queries compare areas
-- with COLLATE "C" (the domain's AreaRange is a bytewise range), which the default-collation index
-- of v1 cannot serve; this one can, so a device's scope reads cost its scope, not the country.
CREATE INDEX households_area_c ON households (area COLLATE "C");
