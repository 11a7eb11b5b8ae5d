-- Registry schema v19 (SQLite): the dashboards' maintained aggregates and the coverage targets.
--
-- `area_status_counts` is the number of households per (area code, status) and `area_pmt_histogram`
-- the number of scored households per (area code, 1-point score bucket 0..100, a score of 100 or
-- more in bucket 100). Both are kept by the triggers below, which fire inside the statement that
-- writes a household row or a score, so a count moves in the very transaction that moved the
-- household: no crash, and no writer that forgets, leaves them apart. A dashboard reads these small
-- tables through their (area, ...) keys and rolls them up by area-code prefix; it never scans the
-- households. Rows whose count fell to 0 are kept (readers skip them).
--
-- `area_targets` is the number of households an administrator expects in an area (coverage =
-- enumerated / target).
CREATE TABLE area_status_counts (
    area        TEXT NOT NULL,
    status      TEXT NOT NULL,
    households  INTEGER NOT NULL,
    PRIMARY KEY (area, status)
) WITHOUT ROWID;
CREATE TABLE area_pmt_histogram (
    area        TEXT NOT NULL,
    bucket      INTEGER NOT NULL,
    households  INTEGER NOT NULL,
    PRIMARY KEY (area, bucket)
) WITHOUT ROWID;
CREATE TABLE area_targets (
    area        TEXT PRIMARY KEY,
    households  INTEGER NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      INTEGER NOT NULL
);

-- A household row: its (area, status) count.
CREATE TRIGGER households_counts_insert AFTER INSERT ON households
BEGIN
    INSERT INTO area_status_counts (area, status, households) VALUES (new.area, new.status, 1)
    ON CONFLICT (area, status) DO UPDATE SET households = households + 1;
END;
CREATE TRIGGER households_counts_update AFTER UPDATE OF area, status ON households
WHEN old.area IS NOT new.area OR old.status IS NOT new.status
BEGIN
    UPDATE area_status_counts SET households = households - 1
     WHERE area = old.area AND status = old.status;
    INSERT INTO area_status_counts (area, status, households) VALUES (new.area, new.status, 1)
    ON CONFLICT (area, status) DO UPDATE SET households = households + 1;
END;
CREATE TRIGGER households_counts_delete AFTER DELETE ON households
BEGIN
    UPDATE area_status_counts SET households = households - 1
     WHERE area = old.area AND status = old.status;
END;

-- A household that moves to another area takes its score's bucket along; one removed takes it away.
CREATE TRIGGER households_histogram_area AFTER UPDATE OF area ON households
WHEN old.area IS NOT new.area
BEGIN
    UPDATE area_pmt_histogram SET households = households - 1
     WHERE area = old.area
       AND bucket = (SELECT max(0, min(100, CAST(score AS INTEGER))) FROM pmt_scores WHERE household_id = new.id);
    INSERT INTO area_pmt_histogram (area, bucket, households)
    SELECT new.area, max(0, min(100, CAST(score AS INTEGER))), 1 FROM pmt_scores WHERE household_id = new.id
    ON CONFLICT (area, bucket) DO UPDATE SET households = households + 1;
END;
CREATE TRIGGER households_histogram_delete AFTER DELETE ON households
BEGIN
    UPDATE area_pmt_histogram SET households = households - 1
     WHERE area = old.area
       AND bucket = (SELECT max(0, min(100, CAST(score AS INTEGER))) FROM pmt_scores WHERE household_id = old.id);
END;

-- A score: its bucket in its household's area (a score of no stored household counts nowhere).
CREATE TRIGGER pmt_scores_histogram_insert AFTER INSERT ON pmt_scores
BEGIN
    INSERT INTO area_pmt_histogram (area, bucket, households)
    SELECT area, max(0, min(100, CAST(new.score AS INTEGER))), 1 FROM households WHERE id = new.household_id
    ON CONFLICT (area, bucket) DO UPDATE SET households = households + 1;
END;
CREATE TRIGGER pmt_scores_histogram_update AFTER UPDATE OF score ON pmt_scores
WHEN max(0, min(100, CAST(old.score AS INTEGER))) IS NOT max(0, min(100, CAST(new.score AS INTEGER)))
BEGIN
    UPDATE area_pmt_histogram SET households = households - 1
     WHERE area = (SELECT area FROM households WHERE id = old.household_id)
       AND bucket = max(0, min(100, CAST(old.score AS INTEGER)));
    INSERT INTO area_pmt_histogram (area, bucket, households)
    SELECT area, max(0, min(100, CAST(new.score AS INTEGER))), 1 FROM households WHERE id = new.household_id
    ON CONFLICT (area, bucket) DO UPDATE SET households = households + 1;
END;
CREATE TRIGGER pmt_scores_histogram_delete AFTER DELETE ON pmt_scores
BEGIN
    UPDATE area_pmt_histogram SET households = households - 1
     WHERE area = (SELECT area FROM households WHERE id = old.household_id)
       AND bucket = max(0, min(100, CAST(old.score AS INTEGER)));
END;

-- The registry as it stands when this version is applied.
INSERT INTO area_status_counts (area, status, households)
SELECT area, status, count(*) FROM households GROUP BY area, status;
INSERT INTO area_pmt_histogram (area, bucket, households)
SELECT h.area, max(0, min(100, CAST(s.score AS INTEGER))), count(*)
  FROM pmt_scores s JOIN households h ON h.id = s.household_id
 GROUP BY 1, 2;
