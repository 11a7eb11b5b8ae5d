//! Sync over real HTTP through a fault-injecting proxy, and malformed input at the HTTP layer.
