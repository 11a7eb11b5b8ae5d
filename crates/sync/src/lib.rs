//! The device side of the Shumari sync protocol: the client engine ([`engine`]: register actors,
//! push, pull, check and repair against the device's encrypted store, with chunking, resumption and
//! backoff) and the HTTP transport ([`http`], blocking reqwest).
//!
//! The protocol itself — messages, wire codec, compact changes, consistency digests, the
//! [`Transport`] trait — is the `shumari-proto` crate, which explains it end to end; the registry links
//! that crate, not this one. Its modules are re-exported here under their old names so that
//! `shumari_sync::proto::PushRequest` and `crate::codec::…` keep working.

pub mod engine;
pub mod http;

pub use shumari_proto::message as proto;
pub use shumari_proto::{check, codec, compact, transport};

pub use engine::{enroll, sync, Options, Progress, Refused, Report, Retry, SyncError};
pub use http::HttpTransport;
pub use shumari_proto::{Endpoint, Transport, TransportError, PROTOCOL_VERSION};
