-- Registry schema v25 (PostgreSQL): what the dashboards' field operations and programme reach read,
-- without a scan of the households.
--
-- Field operations are read through indexes, each a range of one small slice of the registry,
-- bytewise (`COLLATE "C"`, as the domain's `AreaRange` requires): the review backlog (households
-- submitted and waiting, with how long each has waited) through `households_backlog`, the
-- households with open conflicts through the partial index `households_conflicted` (the open
-- duplicate cases are few and are read through V9's partial index of open cases).
CREATE INDEX households_backlog ON households (status, area COLLATE "C", updated_at);
CREATE INDEX households_conflicted ON households (area COLLATE "C") WHERE conflict_count > 0;

-- Interview durations: the seconds from the interview's first opening to its last completion, as
-- the field app records them in the household's paradata (`para_start`, `para_end`), kept beside
-- the surveyor and the day the quality pass already stores per household (NULL: not both
-- recorded). Households per surveyor per day and their durations are one range of
-- `quality_facts_by_day_area` from the first day shown.
ALTER TABLE quality_facts ADD COLUMN duration_secs BIGINT;
CREATE INDEX quality_facts_by_day_area
    ON quality_facts (day COLLATE "C", area COLLATE "C", surveyor, duration_secs);

-- Programme reach: households eligible for and enrolled in each programme per area code, kept by
-- the row triggers below in the statement that writes the decision, the enrolment or the
-- household's area (the same reasoning as V19's counts; row triggers because a decision or an
-- enrolment is written a household at a time, and a household's area rarely moves). Rows whose
-- counts fell to 0 are kept (readers skip them).
CREATE TABLE programme_area_counts (
    programme_id  TEXT NOT NULL,
    area          TEXT COLLATE "C" NOT NULL,
    eligible      BIGINT NOT NULL DEFAULT 0,
    enrolled      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (area, programme_id)
);

-- Adds `eligible` and `enrolled` to the counts of `programme` in the area of `household`.
CREATE FUNCTION shumari_reach_add(programme TEXT, household TEXT, d_eligible BIGINT, d_enrolled BIGINT)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
    SELECT programme, area, d_eligible, d_enrolled FROM households WHERE id = household
    ON CONFLICT (area, programme_id) DO UPDATE
       SET eligible = programme_area_counts.eligible + excluded.eligible,
           enrolled = programme_area_counts.enrolled + excluded.enrolled;
$$;

CREATE FUNCTION shumari_eligibility_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.eligible THEN
        PERFORM shumari_reach_add(OLD.programme_id, OLD.household_id, -1, 0);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.eligible THEN
        PERFORM shumari_reach_add(NEW.programme_id, NEW.household_id, 1, 0);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION shumari_enrolment_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'enrolled' THEN
        PERFORM shumari_reach_add(OLD.programme_id, OLD.household_id, 0, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'enrolled' THEN
        PERFORM shumari_reach_add(NEW.programme_id, NEW.household_id, 0, 1);
    END IF;
    RETURN NULL;
END $$;

-- A household that moves takes its programmes along; one removed takes them away.
CREATE FUNCTION shumari_households_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE programme_area_counts c
       SET eligible = c.eligible - d.eligible, enrolled = c.enrolled - d.enrolled
      FROM (SELECT programme_id, sum(eligible) AS eligible, sum(enrolled) AS enrolled FROM (
                SELECT programme_id, 1 AS eligible, 0 AS enrolled FROM programme_eligibility
                 WHERE household_id = OLD.id AND eligible
                UNION ALL
                SELECT programme_id, 0, 1 FROM programme_enrolments
                 WHERE household_id = OLD.id AND status = 'enrolled') x
             GROUP BY programme_id) d
     WHERE c.area = OLD.area AND c.programme_id = d.programme_id;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
        SELECT programme_id, NEW.area, sum(eligible), sum(enrolled) FROM (
            SELECT programme_id, 1 AS eligible, 0 AS enrolled FROM programme_eligibility
             WHERE household_id = NEW.id AND eligible
            UNION ALL
            SELECT programme_id, 0, 1 FROM programme_enrolments
             WHERE household_id = NEW.id AND status = 'enrolled') x
        GROUP BY programme_id ORDER BY programme_id
        ON CONFLICT (area, programme_id) DO UPDATE
           SET eligible = programme_area_counts.eligible + excluded.eligible,
               enrolled = programme_area_counts.enrolled + excluded.enrolled;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER programme_eligibility_reach
    AFTER INSERT OR UPDATE OF eligible OR DELETE ON programme_eligibility
    FOR EACH ROW EXECUTE FUNCTION shumari_eligibility_reach();
CREATE TRIGGER programme_enrolments_reach
    AFTER INSERT OR UPDATE OF status OR DELETE ON programme_enrolments
    FOR EACH ROW EXECUTE FUNCTION shumari_enrolment_reach();
CREATE TRIGGER households_reach_area AFTER UPDATE OF area ON households
    FOR EACH ROW WHEN (OLD.area IS DISTINCT FROM NEW.area)
    EXECUTE FUNCTION shumari_households_reach();
CREATE TRIGGER households_reach_delete AFTER DELETE ON households
    FOR EACH ROW EXECUTE FUNCTION shumari_households_reach();

-- The registry as it stands when this version is applied.
INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
SELECT programme_id, area, sum(eligible), sum(enrolled) FROM (
    SELECT e.programme_id, h.area, 1 AS eligible, 0 AS enrolled
      FROM programme_eligibility e JOIN households h ON h.id = e.household_id WHERE e.eligible
    UNION ALL
    SELECT n.programme_id, h.area, 0, 1
      FROM programme_enrolments n JOIN households h ON h.id = n.household_id
     WHERE n.status = 'enrolled'
) x GROUP BY programme_id, area;
