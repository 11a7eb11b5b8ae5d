-- Registry schema v11 (SQLite): the web console's sign-in. Only what a browser session needs; the
-- console reads and writes households through the registry's service.
-- A console user's password (an Argon2id PHC string: the password itself is never stored), TOTP
-- secret for the second factor, failed sign-ins in a row and the end of a lockout (ms since epoch).
CREATE TABLE console_accounts (
    user_id       TEXT PRIMARY KEY REFERENCES users(id),
    password_hash TEXT NOT NULL,
    totp_secret   BLOB,
    failed_count  INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    updated_at    INTEGER NOT NULL
);
-- Signed-in browsers, by the SHA-256 of the session id the cookie carries (a stolen table signs no
-- one in), with the CSRF token every form of the session carries.
CREATE TABLE console_sessions (
    id_hash           BLOB PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id),
    csrf              TEXT NOT NULL,
    second_factor_due INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);
