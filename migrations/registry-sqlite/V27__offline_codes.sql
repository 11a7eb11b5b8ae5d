-- Offline enrollment codes (shumari_proto::offline_code): the centre's public key whose codes this
-- registry honours (a district hub learns it when it enrolls above; empty elsewhere), and every
-- code redeemed here, by its id, so that each is redeemed once.
CREATE TABLE offline_code_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    public_key BLOB NOT NULL,
    set_at     INTEGER NOT NULL
);

CREATE TABLE offline_codes_redeemed (
    code_id     BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    redeemed_at INTEGER NOT NULL
);
