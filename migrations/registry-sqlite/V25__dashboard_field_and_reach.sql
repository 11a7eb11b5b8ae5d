-- Registry schema v25 (SQLite): what the dashboards' field operations and programme reach read,
-- without a scan of the households.
--
-- Field operations are read through indexes, each a range of one small slice of the registry:
-- the review backlog (households submitted and waiting, with how long each has waited) through
-- `households_backlog` (status, area, updated_at), the households with open conflicts through the
-- partial index `households_conflicted` (the open duplicate cases are few and are read through
-- V9's partial index of open cases).
CREATE INDEX households_backlog ON households (status, area, updated_at);
CREATE INDEX households_conflicted ON households (area) WHERE conflict_count > 0;

-- Interview durations: the seconds from the interview's first opening to its last completion, as
-- the field app records them in the household's paradata (`para_start`, `para_end`), kept beside
-- the surveyor and the day the quality pass already stores per household (NULL: not both
-- recorded). Households per surveyor per day and their durations are one range of
-- `quality_facts_by_day_area` from the first day shown.
ALTER TABLE quality_facts ADD COLUMN duration_secs INTEGER;
CREATE INDEX quality_facts_by_day_area ON quality_facts (day, area, surveyor, duration_secs);

-- Programme reach: households eligible for and enrolled in each programme per area code, kept by
-- the triggers below in the statement that writes the decision, the enrolment or the household's
-- area (the same reasoning as V19's counts). Rows whose counts fell to 0 are kept (readers skip
-- them).
CREATE TABLE programme_area_counts (
    programme_id  TEXT NOT NULL,
    area          TEXT NOT NULL,
    eligible      INTEGER NOT NULL DEFAULT 0,
    enrolled      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area, programme_id)
) WITHOUT ROWID;

CREATE TRIGGER programme_eligibility_counts_insert AFTER INSERT ON programme_eligibility
WHEN new.eligible = 1
BEGIN
    INSERT INTO programme_area_counts (programme_id, area, eligible)
    SELECT new.programme_id, area, 1 FROM households WHERE id = new.household_id
    ON CONFLICT (area, programme_id) DO UPDATE SET eligible = eligible + 1;
END;
CREATE TRIGGER programme_eligibility_counts_update AFTER UPDATE OF eligible ON programme_eligibility
WHEN old.eligible IS NOT new.eligible
BEGIN
    INSERT INTO programme_area_counts (programme_id, area, eligible)
    SELECT new.programme_id, area, CASE WHEN new.eligible = 1 THEN 1 ELSE -1 END
      FROM households WHERE id = new.household_id
    ON CONFLICT (area, programme_id) DO UPDATE SET eligible = eligible + excluded.eligible;
END;
CREATE TRIGGER programme_eligibility_counts_delete AFTER DELETE ON programme_eligibility
WHEN old.eligible = 1
BEGIN
    UPDATE programme_area_counts SET eligible = eligible - 1
     WHERE programme_id = old.programme_id
       AND area = (SELECT area FROM households WHERE id = old.household_id);
END;

CREATE TRIGGER programme_enrolments_counts_insert AFTER INSERT ON programme_enrolments
WHEN new.status = 'enrolled'
BEGIN
    INSERT INTO programme_area_counts (programme_id, area, enrolled)
    SELECT new.programme_id, area, 1 FROM households WHERE id = new.household_id
    ON CONFLICT (area, programme_id) DO UPDATE SET enrolled = enrolled + 1;
END;
CREATE TRIGGER programme_enrolments_counts_update AFTER UPDATE OF status ON programme_enrolments
WHEN (old.status = 'enrolled') IS NOT (new.status = 'enrolled')
BEGIN
    INSERT INTO programme_area_counts (programme_id, area, enrolled)
    SELECT new.programme_id, area, CASE WHEN new.status = 'enrolled' THEN 1 ELSE -1 END
      FROM households WHERE id = new.household_id
    ON CONFLICT (area, programme_id) DO UPDATE SET enrolled = enrolled + excluded.enrolled;
END;
CREATE TRIGGER programme_enrolments_counts_delete AFTER DELETE ON programme_enrolments
WHEN old.status = 'enrolled'
BEGIN
    UPDATE programme_area_counts SET enrolled = enrolled - 1
     WHERE programme_id = old.programme_id
       AND area = (SELECT area FROM households WHERE id = old.household_id);
END;

-- A household that moves takes its programmes along; one removed takes them away.
CREATE TRIGGER households_reach_area AFTER UPDATE OF area ON households
WHEN old.area IS NOT new.area
BEGIN
    UPDATE programme_area_counts
       SET eligible = eligible - (SELECT count(*) FROM programme_eligibility e
                                   WHERE e.household_id = new.id AND e.eligible = 1
                                     AND e.programme_id = programme_area_counts.programme_id),
           enrolled = enrolled - (SELECT count(*) FROM programme_enrolments n
                                   WHERE n.household_id = new.id AND n.status = 'enrolled'
                                     AND n.programme_id = programme_area_counts.programme_id)
     WHERE area = old.area;
    INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
    SELECT programme_id, new.area, sum(eligible), sum(enrolled) FROM (
        SELECT programme_id, 1 AS eligible, 0 AS enrolled FROM programme_eligibility
         WHERE household_id = new.id AND eligible = 1
        UNION ALL
        SELECT programme_id, 0, 1 FROM programme_enrolments
         WHERE household_id = new.id AND status = 'enrolled'
    ) WHERE true GROUP BY programme_id
    ON CONFLICT (area, programme_id) DO UPDATE
       SET eligible = eligible + excluded.eligible, enrolled = enrolled + excluded.enrolled;
END;
CREATE TRIGGER households_reach_delete AFTER DELETE ON households
BEGIN
    UPDATE programme_area_counts
       SET eligible = eligible - (SELECT count(*) FROM programme_eligibility e
                                   WHERE e.household_id = old.id AND e.eligible = 1
                                     AND e.programme_id = programme_area_counts.programme_id),
           enrolled = enrolled - (SELECT count(*) FROM programme_enrolments n
                                   WHERE n.household_id = old.id AND n.status = 'enrolled'
                                     AND n.programme_id = programme_area_counts.programme_id)
     WHERE area = old.area;
END;

-- The registry as it stands when this version is applied.
INSERT INTO programme_area_counts (programme_id, area, eligible, enrolled)
SELECT programme_id, area, sum(eligible), sum(enrolled) FROM (
    SELECT e.programme_id, h.area, 1 AS eligible, 0 AS enrolled
      FROM programme_eligibility e JOIN households h ON h.id = e.household_id WHERE e.eligible = 1
    UNION ALL
    SELECT n.programme_id, h.area, 0, 1
      FROM programme_enrolments n JOIN households h ON h.id = n.household_id
     WHERE n.status = 'enrolled'
) GROUP BY programme_id, area;
