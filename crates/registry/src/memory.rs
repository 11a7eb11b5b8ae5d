//! An in-memory transport: the device engine calls the registry's handler directly, without sockets.
//! Used by tests and the benchmark; it exercises exactly the code paths HTTP does below the router,
//! and reports errors with the statuses and codes HTTP would.

use crate::http::HttpError;
use crate::service::Registry;
use crate::storage::Storage;
use shumari_proto::{Endpoint, Transport, TransportError};
use std::sync::Arc;

/// Calls [`Registry::handle`] on a runtime.
#[derive(Debug)]
pub struct InMemoryTransport<S> {
    reg: Arc<Registry<S>>,
    rt: tokio::runtime::Handle,
    name: Option<String>,
}

impl<S: Storage> InMemoryTransport<S> {
    /// A transport to `reg`, driving futures on `rt` (call from outside the runtime).
    pub fn new(reg: Arc<Registry<S>>, rt: tokio::runtime::Handle) -> Self {
        InMemoryTransport {
            reg,
            rt,
            name: None,
        }
    }

    /// The same, saying it reaches the registry `name` ([`Transport::registry`]): a test's second
    /// registry (a district hub) as a device tells it apart from the one it enrolled at.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }
}

impl<S: Storage> Transport for InMemoryTransport<S> {
    fn registry(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let reg = self.reg.clone();
        let token = token.map(str::to_string);
        self.rt
            .block_on(async move { reg.handle(endpoint, token.as_deref(), &body).await })
            .map_err(|e| {
                let e = HttpError(e);
                let body = e.body();
                TransportError::Rejected {
                    status: e.status().as_u16(),
                    code: body.code,
                    message: body.message,
                }
            })
    }
}
