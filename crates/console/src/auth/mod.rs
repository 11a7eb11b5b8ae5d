//! Who is at the console, and how they proved it.
//!
//! - [`password`]: Argon2id hashes (PHC strings with their own salt and parameters), checked on the
//!   blocking pool;
//! - [`totp`]: the second factor (RFC 6238, 30-second steps, 6 digits, one step of clock drift);
//! - [`session`]: the session cookie, its id's hash as the key of the stored session, the CSRF token
//!   every form carries, and the short-lived token of the sign-in form itself;
//! - [`sign_in`]: the sign-in steps (lockout, password, role, second factor), each recorded in the
//!   registry's access audit trail.
//!
//! Policy lives here: [`MAX_FAILURES`] failed sign-ins in a row lock an account for [`LOCKOUT_MS`];
//! a session lasts [`SESSION_MS`].

pub mod password;
pub mod session;
pub mod sign_in;
pub mod totp;

/// Failed sign-ins in a row (wrong password or wrong code) that lock an account.
pub const MAX_FAILURES: u32 = 5;
/// How long a lock lasts.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// How long a session lasts after sign-in (a working day), whatever is done in it.
pub const SESSION_MS: i64 = 10 * 3600 * 1000;
