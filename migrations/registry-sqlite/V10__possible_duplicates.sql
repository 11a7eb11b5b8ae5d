-- Registry schema v10 (SQLite): possible duplicates set aside. Households whose heads' names match and
-- that share another attribute are listed as possible duplicates when asked (nothing is stored for
-- them); a pair a reviewer dismissed is kept here, smaller id first, so it is not listed again.
CREATE TABLE possible_dismissed (
    household_a  TEXT NOT NULL,
    household_b  TEXT NOT NULL,
    dismissed_by TEXT NOT NULL,
    dismissed_at INTEGER NOT NULL,
    note         TEXT,
    PRIMARY KEY (household_a, household_b)
);
