//! The registry's routes as one table: each row is a method, a path template and its handler.
//!
//! The router ([`super::app_with`]) is built from this table and nothing else, and
//! [`route_table`] lists the same rows as (method, path) pairs, so a test can hold the OpenAPI
//! document (`openapi.rs`) to exactly the routes the router answers: a route added here and not
//! described there (or described and never routed) fails `tests/openapi.rs`.

use crate::service::Registry;
use crate::storage::Storage;
use axum::http::Method;
use axum::routing::MethodRouter;
use axum::Router;
use std::sync::Arc;

/// Where a route sits relative to the request limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fence {
    /// Inside the limits: timeout, rate limit and concurrency limit.
    Limited,
    /// Outside them: the monitoring routes, which must answer while the registry is busy.
    Monitoring,
}

/// One route: method, path template (axum's `{param}` syntax, which is also OpenAPI's) and handler.
pub(crate) struct Route<S: Storage> {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) fence: Fence,
    pub(crate) handler: MethodRouter<Arc<Registry<S>>>,
}

impl<S: Storage> std::fmt::Debug for Route<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl<S: Storage> Route<S> {
    /// A `GET` route inside the request limits.
    pub(crate) fn get(path: &'static str, handler: MethodRouter<Arc<Registry<S>>>) -> Self {
        Route {
            method: Method::GET,
            path,
            fence: Fence::Limited,
            handler,
        }
    }

    /// A `POST` route inside the request limits.
    pub(crate) fn post(path: &'static str, handler: MethodRouter<Arc<Registry<S>>>) -> Self {
        Route {
            method: Method::POST,
            path,
            fence: Fence::Limited,
            handler,
        }
    }

    /// The same route outside the request limits.
    pub(crate) fn monitoring(mut self) -> Self {
        self.fence = Fence::Monitoring;
        self
    }
}

/// The routes as a router (several methods of one path are merged by axum).
pub(crate) fn router_of<S: Storage>(routes: Vec<Route<S>>) -> Router<Arc<Registry<S>>> {
    routes
        .into_iter()
        .fold(Router::new(), |router, r| router.route(r.path, r.handler))
}

/// Every (method, path template) the registry's own router answers, in table order (the web
/// console's and the portal's pages, merged in by the caller, are not the registry's).
pub fn route_table<S: Storage>() -> Vec<(Method, &'static str)> {
    super::routes::<S>()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect()
}
