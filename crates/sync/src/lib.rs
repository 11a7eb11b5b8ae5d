//! The device side of the Shumari sync protocol: the client engine ([`engine`]: rotate the token when
//! due ([`rotation`]), register actors, push, pull, check and repair against the device's encrypted
//! store, with chunking, resumption and backoff), its errors ([`error`]: a revoked or expired device is
//! its own [`SyncError`] variant, never retried) and the HTTP transport ([`http`], blocking reqwest).
//!
//! The protocol itself — messages, wire codec, compact changes, consistency digests, the
//! [`Transport`] trait — is the `shumari-proto` crate, which explains it end to end; the registry links
//! that crate, not this one. Its modules are re-exported here under their old names so that
//! `shumari_sync::proto::PushRequest` and `crate::codec::…` keep working.
//!
//! The engine never stands in the surveyor's way: it takes the device's store for one short local
//! step at a time ([`access`]), never across a request, and acknowledges the heads it sent, so edits
//! made while a batch is in flight stay waiting for the next round.

pub mod access;
pub mod engine;
pub mod error;
pub mod http;
pub mod identity;
pub mod rotation;

pub use shumari_proto::message as proto;
pub use shumari_proto::{check, codec, compact, transport};

pub use access::{SharedStore, StoreAccess};
pub use engine::{
    enroll, enroll_with, sync, sync_with, Options, Progress, Refused, Report, Retry, SyncError,
};
pub use http::{check_registry_url, HttpTransport, RegistryUrlError};
pub use shumari_proto::{Endpoint, Transport, TransportError, PROTOCOL_VERSION};
