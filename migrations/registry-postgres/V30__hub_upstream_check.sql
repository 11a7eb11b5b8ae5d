-- A district hub's consistency check, token rotation, reviewers' decisions and assignments
-- upstream (crates/hub). Empty on a registry that is no hub.

-- When the hub received its token upstream (ms since the epoch, its own clock): the round swaps it
-- for a new one once it is old enough (crates/hub/src/rotation.rs). NULL: enrolled before
-- rotation, rotated at the next round.
ALTER TABLE hub_upstream ADD COLUMN token_received_at BIGINT;

-- Households the registry above said left the hub's district (a pull's or check's `removed`): the
-- hub no longer counts them in its digest nor pushes them, as a device forgets them. A household
-- that comes back (sent whole again) leaves this list.
CREATE TABLE hub_left_scope (
    household_id TEXT PRIMARY KEY,
    at           BIGINT NOT NULL
);

-- The number of the last reviewer's decision the hub holds from the registry above (on the reports
-- it forwarded): its pull names it and receives those after it (crates/hub/src/reviews.rs).
ALTER TABLE hub_upstream ADD COLUMN reviews_after BIGINT NOT NULL DEFAULT 0;

-- The assignments the hub holds because the registry above made them (its directory lists the
-- district users' active ones, complete): one no longer listed is withdrawn at the hub. Those
-- made at the hub itself are not here and are left alone (crates/hub/src/assignments.rs).
CREATE TABLE hub_assignments_above (
    assignment_id TEXT PRIMARY KEY
);
