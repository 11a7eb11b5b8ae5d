-- Registry schema v2 (SQLite): a push in the compact form names its actors by prefix, resolved among
-- the actors bound to the pushing device, read once per push.
CREATE INDEX actors_device ON actors(device_id);
