//! What the registry counts for a monitoring system, served at `GET /metrics` in the Prometheus text
//! format.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `shumari_http_requests_total` | `route`, `method`, `status` | requests answered |
//! | `shumari_http_request_duration_seconds` | `route` | latency histogram |
//! | `shumari_http_requests_in_flight` | `route` | requests being answered now |
//! | `shumari_http_errors_total` | `code` | error answers by their JSON `code` |
//! | `shumari_sync_requests_total` | `endpoint` | protocol exchanges (`push`, `pull`, ...) |
//! | `shumari_sync_rounds_total` | | pulls that gave a device the end of its feed |
//! | `shumari_households_ingested_total` | | households stored from pushes |
//! | `shumari_refusals_total` | `code` | households refused in pushes, by refusal code |
//! | `shumari_db_connections` / `_in_use` | | the database pool's size and use |
//!
//! Labels never carry personal data or anything a caller chooses freely: a route is the matched
//! route *template* (`/v1/households/{id}`, never the id or the query string), an unmatched path is
//! `other`, and codes come from the registry's own closed lists. Each [`Metrics`] is its own
//! `prometheus::Registry` rather than a process-wide recorder, so two registries in one test process
//! count apart.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    TextEncoder,
};

/// The registry's counters, gauges and histograms.
pub struct Metrics {
    registry: prometheus::Registry,
    pub(crate) requests: IntCounterVec,
    pub(crate) latency: HistogramVec,
    pub(crate) in_flight: IntGaugeVec,
    pub(crate) errors: IntCounterVec,
    pub(crate) exchanges: IntCounterVec,
    pub(crate) rounds: IntCounter,
    pub(crate) ingested: IntCounter,
    pub(crate) refusals: IntCounterVec,
    pub(crate) db_connections: IntGauge,
    pub(crate) db_in_use: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Latency buckets in seconds: a lookup is a few milliseconds, a 2G push up to the request timeout.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0, 120.0,
];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric registered, at zero.
    pub fn new() -> Self {
        let registry = prometheus::Registry::new();
        // Registration fails only for a duplicate or malformed name, which these constants are not.
        fn reg<T: prometheus::core::Collector + Clone + 'static>(
            r: &prometheus::Registry,
            c: T,
        ) -> T {
            r.register(Box::new(c.clone()))
                .expect("metric names are unique and well formed");
            c
        }
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            reg(
                &registry,
                IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let requests = counter_vec(
            "shumari_http_requests_total",
            "HTTP requests answered, by route template, method and status.",
            &["route", "method", "status"],
        );
        let errors = counter_vec(
            "shumari_http_errors_total",
            "Error answers, by the code of their JSON body.",
            &["code"],
        );
        let exchanges = counter_vec(
            "shumari_sync_requests_total",
            "Sync protocol exchanges, by endpoint.",
            &["endpoint"],
        );
        let refusals = counter_vec(
            "shumari_refusals_total",
            "Households refused in pushes, by refusal code.",
            &["code"],
        );
        let latency = reg(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "shumari_http_request_duration_seconds",
                    "Time to answer a request, by route template.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["route"],
            )
            .expect("valid metric"),
        );
        let in_flight = reg(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "shumari_http_requests_in_flight",
                    "Requests being answered now, by route template.",
                ),
                &["route"],
            )
            .expect("valid metric"),
        );
        let counter = |name: &str, help: &str| {
            reg(
                &registry,
                IntCounter::new(name, help).expect("valid metric"),
            )
        };
        let rounds = counter(
            "shumari_sync_rounds_total",
            "Pulls that gave a device the end of its feed (a finished sync round).",
        );
        let ingested = counter(
            "shumari_households_ingested_total",
            "Households stored from pushes.",
        );
        let gauge = |name: &str, help: &str| {
            reg(&registry, IntGauge::new(name, help).expect("valid metric"))
        };
        let db_connections = gauge(
            "shumari_db_connections",
            "Connections the registry holds to its database.",
        );
        let db_in_use = gauge(
            "shumari_db_connections_in_use",
            "Database connections in use when the metrics were read.",
        );
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            errors,
            exchanges,
            rounds,
            ingested,
            refusals,
            db_connections,
            db_in_use,
        }
    }

    /// Counts a push's outcomes: households stored, and refusals by code.
    pub(crate) fn count_push(&self, answer: &shumari_proto::message::PushResponse) {
        use shumari_proto::message::DocOutcome;
        for (_, outcome) in &answer.results {
            match outcome {
                DocOutcome::Accepted => self.ingested.inc(),
                DocOutcome::Refused(r) => self.refusals.with_label_values(&[r.code.as_str()]).inc(),
            }
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec fails only on a malformed metric family, which registration rules out.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_in_the_text_format() {
        let m = Metrics::new();
        m.requests
            .with_label_values(&["/v1/{endpoint}", "POST", "200"])
            .inc();
        m.latency
            .with_label_values(&["/v1/{endpoint}"])
            .observe(0.003);
        m.refusals.with_label_values(&["out_of_scope"]).inc_by(2);
        m.ingested.inc_by(5);
        let text = m.render();
        assert!(text.contains(
            r#"shumari_http_requests_total{method="POST",route="/v1/{endpoint}",status="200"} 1"#
        ));
        assert!(text.contains(r#"shumari_refusals_total{code="out_of_scope"} 2"#));
        assert!(text.contains("shumari_households_ingested_total 5"));
        assert!(text.contains("# TYPE shumari_http_request_duration_seconds histogram"));
        assert!(text.contains("shumari_sync_rounds_total 0"));
        // Two registries count apart.
        assert!(Metrics::new()
            .render()
            .contains("shumari_households_ingested_total 0"));
    }
}
