//! PostgreSQL backend (see sqlite.rs for the embedded one).
