//! What a user is at the registry. The role travels in the enrollment answer as its name and is
//! stored by the registry as its name; the names are part of the protocol. The type and the table of
//! what each role may do live in the domain ([`shumari_domain::roles`]); the protocol re-exports it.

pub use shumari_domain::roles::{Role, UnknownRole};
