-- Registry schema v28 (SQLite): the change log by district. A device's feed reads the entries after
-- its cursor of the households in its districts (now, or before a move: `prev_area`), one indexed
-- seek per district in sequence order, so a pull reads none of another district's entries and costs
-- what happened in its scope since its last sync, not in the country. `substr(area, 1, 5)` is a
-- district's code (the domain's `area::DISTRICT_CODE_LEN`); the feed's statements repeat the same
-- expression, which is what lets SQLite use these indexes.
CREATE INDEX log_district_seq ON log (substr(area, 1, 5), seq);
CREATE INDEX log_prev_district_seq ON log (substr(prev_area, 1, 5), seq) WHERE prev_area IS NOT NULL;
