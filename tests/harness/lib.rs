//! Test harness shared by the scenario tests.
