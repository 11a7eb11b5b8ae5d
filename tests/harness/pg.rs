//! A throwaway PostgreSQL 15 cluster on loopback for tests.
