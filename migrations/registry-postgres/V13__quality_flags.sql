-- Registry schema v13 (PostgreSQL): data-quality flags (`service/flags.rs`).
--
-- quality_facts: one row per household with what the flags that compare households group by, kept
-- up to date as each household is merged: the surveyor and the day of the interview (households per
-- surveyor per day), the fingerprint of the asset answers (identical assets by one surveyor) and the
-- GPS point with the tehsil (distance from the tehsil's median point). Each comparison reads one
-- index range of this table, never the registry.
CREATE TABLE quality_facts (
    household_id TEXT PRIMARY KEY,
    area         TEXT NOT NULL,
    tehsil       TEXT NOT NULL,
    surveyor     TEXT NOT NULL,
    day          TEXT NOT NULL,
    asset_print  TEXT,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION
);
CREATE INDEX quality_facts_by_day ON quality_facts (surveyor, day);
CREATE INDEX quality_facts_by_assets ON quality_facts (surveyor, asset_print);
CREATE INDEX quality_facts_by_tehsil ON quality_facts (tehsil);

-- quality_flags: the flags standing on each household, one row per kind, with the numbers its
-- reason is worded from (JSON) and the household's area for scoped lists.
CREATE TABLE quality_flags (
    household_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    area         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    flagged_at   BIGINT NOT NULL,
    PRIMARY KEY (household_id, kind)
);
CREATE INDEX quality_flags_by_area ON quality_flags (area COLLATE "C", household_id);
-- Area scopes compare with COLLATE "C" (the domain's AreaRange is a bytewise range), as in V7.
