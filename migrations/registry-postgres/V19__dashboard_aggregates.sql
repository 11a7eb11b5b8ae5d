-- Registry schema v19 (PostgreSQL): the dashboards' maintained aggregates and the coverage targets.
--
-- `area_status_counts` is the number of households per (area code, status) and `area_pmt_histogram`
-- the number of scored households per (area code, 1-point score bucket 0..100, a score of 100 or
-- more in bucket 100). Both are kept by the triggers below, which run inside the statement that
-- writes household rows or scores, so a count moves in the very transaction that moved the
-- household: no crash, and no writer that forgets, leaves them apart. The triggers are per
-- statement with transition tables: an ingest batch of 5,000 households is one grouped upsert per
-- table, applied in key order (so two transactions take the counters' row locks in one order).
-- A dashboard reads these small tables through their (area, ...) keys, bytewise (`COLLATE "C"`, as
-- the domain's `AreaRange` requires), and rolls them up by area-code prefix; it never scans the
-- households. Rows whose count fell to 0 are kept (readers skip them).
--
-- `area_targets` is the number of households an administrator expects in an area.
CREATE TABLE area_status_counts (
    area        TEXT COLLATE "C" NOT NULL,
    status      TEXT NOT NULL,
    households  BIGINT NOT NULL,
    PRIMARY KEY (area, status)
);
CREATE TABLE area_pmt_histogram (
    area        TEXT COLLATE "C" NOT NULL,
    bucket      INTEGER NOT NULL,
    households  BIGINT NOT NULL,
    PRIMARY KEY (area, bucket)
);
CREATE TABLE area_targets (
    area        TEXT COLLATE "C" PRIMARY KEY,
    households  BIGINT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      BIGINT NOT NULL
);

CREATE FUNCTION shumari_pmt_bucket(score DOUBLE PRECISION) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE AS $$ SELECT greatest(0, least(100, floor(score)))::integer $$;

-- Households written by one statement: the net change per (area, status), and the score buckets
-- of the households whose area changed.
CREATE FUNCTION shumari_households_aggregates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO area_status_counts (area, status, households)
        SELECT area, status, count(*) FROM new_rows GROUP BY area, status ORDER BY area, status
        ON CONFLICT (area, status) DO UPDATE
           SET households = area_status_counts.households + excluded.households;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE area_status_counts c SET households = c.households - d.n
          FROM (SELECT area, status, count(*) AS n FROM old_rows GROUP BY area, status) d
         WHERE c.area = d.area AND c.status = d.status;
        UPDATE area_pmt_histogram c SET households = c.households - d.n
          FROM (SELECT o.area, shumari_pmt_bucket(s.score) AS bucket, count(*) AS n
                  FROM old_rows o JOIN pmt_scores s ON s.household_id = o.id GROUP BY 1, 2) d
         WHERE c.area = d.area AND c.bucket = d.bucket;
    ELSE
        INSERT INTO area_status_counts (area, status, households)
        SELECT area, status, sum(delta) FROM (
            SELECT n.area, n.status, 1 AS delta FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.area <> o.area OR n.status <> o.status
            UNION ALL
            SELECT o.area, o.status, -1 FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.area <> o.area OR n.status <> o.status
        ) d GROUP BY area, status ORDER BY area, status
        ON CONFLICT (area, status) DO UPDATE
           SET households = area_status_counts.households + excluded.households;
        INSERT INTO area_pmt_histogram (area, bucket, households)
        SELECT area, bucket, sum(delta) FROM (
            SELECT n.area, shumari_pmt_bucket(s.score) AS bucket, 1 AS delta
              FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN pmt_scores s ON s.household_id = n.id
             WHERE n.area <> o.area
            UNION ALL
            SELECT o.area, shumari_pmt_bucket(s.score), -1
              FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN pmt_scores s ON s.household_id = n.id
             WHERE n.area <> o.area
        ) d GROUP BY area, bucket ORDER BY area, bucket
        ON CONFLICT (area, bucket) DO UPDATE
           SET households = area_pmt_histogram.households + excluded.households;
    END IF;
    RETURN NULL;
END $$;

-- Scores written by one statement: the net change per (household's area, bucket).
CREATE FUNCTION shumari_scores_aggregates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO area_pmt_histogram (area, bucket, households)
        SELECT h.area, shumari_pmt_bucket(n.score), count(*)
          FROM new_rows n JOIN households h ON h.id = n.household_id
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (area, bucket) DO UPDATE
           SET households = area_pmt_histogram.households + excluded.households;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE area_pmt_histogram c SET households = c.households - d.n
          FROM (SELECT h.area, shumari_pmt_bucket(o.score) AS bucket, count(*) AS n
                  FROM old_rows o JOIN households h ON h.id = o.household_id GROUP BY 1, 2) d
         WHERE c.area = d.area AND c.bucket = d.bucket;
    ELSE
        INSERT INTO area_pmt_histogram (area, bucket, households)
        SELECT area, bucket, sum(delta) FROM (
            SELECT h.area, shumari_pmt_bucket(n.score) AS bucket, 1 AS delta
              FROM new_rows n JOIN old_rows o ON o.household_id = n.household_id
              JOIN households h ON h.id = n.household_id
             WHERE shumari_pmt_bucket(n.score) <> shumari_pmt_bucket(o.score)
            UNION ALL
            SELECT h.area, shumari_pmt_bucket(o.score), -1
              FROM new_rows n JOIN old_rows o ON o.household_id = n.household_id
              JOIN households h ON h.id = n.household_id
             WHERE shumari_pmt_bucket(n.score) <> shumari_pmt_bucket(o.score)
        ) d GROUP BY area, bucket ORDER BY area, bucket
        ON CONFLICT (area, bucket) DO UPDATE
           SET households = area_pmt_histogram.households + excluded.households;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER households_aggregates_insert AFTER INSERT ON households
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shumari_households_aggregates();
CREATE TRIGGER households_aggregates_update AFTER UPDATE ON households
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shumari_households_aggregates();
CREATE TRIGGER households_aggregates_delete AFTER DELETE ON households
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shumari_households_aggregates();
CREATE TRIGGER pmt_scores_aggregates_insert AFTER INSERT ON pmt_scores
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shumari_scores_aggregates();
CREATE TRIGGER pmt_scores_aggregates_update AFTER UPDATE ON pmt_scores
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shumari_scores_aggregates();
CREATE TRIGGER pmt_scores_aggregates_delete AFTER DELETE ON pmt_scores
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shumari_scores_aggregates();

-- The registry as it stands when this version is applied.
INSERT INTO area_status_counts (area, status, households)
SELECT area, status, count(*) FROM households GROUP BY area, status;
INSERT INTO area_pmt_histogram (area, bucket, households)
SELECT h.area, shumari_pmt_bucket(s.score), count(*)
  FROM pmt_scores s JOIN households h ON h.id = s.household_id
 GROUP BY 1, 2;
