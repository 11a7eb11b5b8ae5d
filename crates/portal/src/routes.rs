//! The handlers: the look-up form, its answer, the complaint form, and the SMS webhook.

use crate::texts::{self as tx, Lang};
use crate::views::{self, Typed};
use crate::{sms, PortalConfig};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use maud::Markup;
use sha2::{Digest, Sha256};
use shumari_domain::money::Paisa;
use shumari_registry::service::{same_phone, Category, Channel, CitizenAnswer, CitizenFiling};
use shumari_registry::{Registry, RegistryError, Storage};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// What every handler shares.
pub(crate) struct Portal<S> {
    pub(crate) reg: Arc<Registry<S>>,
    pub(crate) config: PortalConfig,
}

type St<S> = State<Arc<Portal<S>>>;

/// The portal's routes, to merge into the registry's router.
pub fn router<S: Storage>(reg: Arc<Registry<S>>, config: PortalConfig) -> Router {
    Router::new()
        .route("/status", get(form).post(lookup::<S>))
        .route("/status/report", post(report::<S>))
        .route("/sms/inbound", post(sms_inbound::<S>))
        .with_state(Arc::new(Portal { reg, config }))
}

/// An HTML page with the headers every citizen page carries: nothing cached (a shared phone's
/// back button must not show the last family's page), no referrer, nothing but inline style.
fn html(status: StatusCode, page: Markup) -> Response {
    let mut r = (status, page).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// A failure of the registry behind the page: the page says so plainly; the log has the cause
/// (never the citizen's number).
fn trouble(e: RegistryError) -> Response {
    tracing::error!(error = %e, "citizen status page");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The status service is not available right now. Please try again later. / سروس اس وقت دستیاب نہیں۔ براہ کرم بعد میں کوشش کریں۔",
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn form(Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    html(StatusCode::OK, views::form(lang, &Typed::default(), None))
}

#[derive(serde::Deserialize)]
struct LookupForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    cnic: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
}

/// The client's address (the proxy's, behind one; the lockout then counts everyone behind it).
fn client(peer: Option<ConnectInfo<SocketAddr>>) -> IpAddr {
    peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(a)| a.ip())
}

async fn lookup<S: Storage>(State(p): St<S>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().cloned();
    let Ok(Form(f)) = Form::<LookupForm>::from_request(req, &()).await else {
        return html(
            StatusCode::BAD_REQUEST,
            views::form(Lang::En, &Typed::default(), Some(tx::BAD_CNIC)),
        );
    };
    let lang = Lang::from_code(Some(&f.lang));
    let typed = Typed {
        cnic: f.cnic.chars().take(20).collect(),
        day: f.day.chars().take(4).collect(),
        month: f.month.chars().take(4).collect(),
        year: f.year.chars().take(6).collect(),
    };
    let digits: String = f.cnic.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 13
        || f.cnic
            .chars()
            .any(|c| !c.is_ascii_digit() && c != '-' && c != ' ')
    {
        return html(
            StatusCode::BAD_REQUEST,
            views::form(lang, &typed, Some(tx::BAD_CNIC)),
        );
    }
    let date = (|| {
        NaiveDate::from_ymd_opt(
            f.year.trim().parse().ok()?,
            f.month.trim().parse().ok()?,
            f.day.trim().parse().ok()?,
        )
    })();
    let Some(issued) = date else {
        return html(
            StatusCode::BAD_REQUEST,
            views::form(lang, &typed, Some(tx::BAD_DATE)),
        );
    };
    let now = p.reg.clock_ms();
    match p
        .reg
        .citizen_lookup(&digits, issued, client(peer), now, &p.config.limits)
        .await
    {
        Ok(CitizenAnswer::Found(view)) => {
            let token = match p.reg.citizen_token(&view, now).await {
                Ok(t) => t,
                Err(e) => return trouble(e),
            };
            let extras = match crate::extras::of(&p.reg, view.household_id, lang).await {
                Ok(x) => x,
                Err(e) => return trouble(e),
            };
            html(StatusCode::OK, views::status(lang, &view, &extras, &token))
        }
        Ok(CitizenAnswer::NoMatch) => html(StatusCode::OK, views::no_match(lang)),
        Ok(CitizenAnswer::Locked { until }) => {
            html(StatusCode::TOO_MANY_REQUESTS, views::locked(lang, until))
        }
        // The number passed the page's own check but not the domain's (a check digit rule).
        Err(RegistryError::BadRequest(_)) => html(
            StatusCode::BAD_REQUEST,
            views::form(lang, &typed, Some(tx::BAD_CNIC)),
        ),
        Err(e) => trouble(e),
    }
}

#[derive(serde::Deserialize)]
struct ReportForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    received: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    text: String,
}

/// `POST /status/report`: a problem reported from the household's page, with the page's token in
/// place of the CNIC and date (a grievance routed to the household's district office).
async fn report<S: Storage>(State(p): St<S>, Form(f): Form<ReportForm>) -> Response {
    let lang = Lang::from_code(Some(&f.lang));
    let now = p.reg.clock_ms();
    let token = match p.reg.citizen_token_check(&f.token, now).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return html(
                StatusCode::BAD_REQUEST,
                views::complaint_problem(lang, None, tx::EXPIRED),
            )
        }
        Err(e) => return trouble(e),
    };
    let again = |error| {
        html(
            StatusCode::BAD_REQUEST,
            views::complaint_problem(lang, Some(&f.token), error),
        )
    };
    // The four problems a citizen can report here; the others are the office's to record.
    let category = match f.category.as_str() {
        c @ ("not_paid" | "paid_less" | "wrong_data" | "excluded_wrongly") => Category::parse(c),
        _ => return again(tx::BAD_COMPLAINT),
    };
    let Ok(category) = category else {
        return again(tx::BAD_COMPLAINT);
    };
    let text = f.text.trim();
    if text.chars().count() < 3 {
        return again(tx::BAD_COMPLAINT);
    }
    let digits = f.phone.chars().filter(char::is_ascii_digit).count();
    if !(10..=13).contains(&digits) {
        return again(tx::BAD_PHONE);
    }
    // An amount received belongs to "I received less" only.
    let received = if category == Category::PaidLess {
        f.received.trim()
    } else {
        ""
    };
    let reported_amount = match received {
        "" => None,
        r => match Paisa::parse_rupees(r) {
            Ok(a) => Some(a),
            Err(_) => return again(tx::BAD_AMOUNT),
        },
    };
    let filing = CitizenFiling {
        household: Some(token.household_id),
        area: String::new(),
        category,
        text: text.chars().take(500).collect(),
        phone: f.phone.trim().chars().take(16).collect(),
        channel: Channel::Portal,
        payment_reference: Some(f.payment.trim().to_string()).filter(|r| !r.is_empty()),
        reported_amount,
    };
    match p.reg.file_citizen_grievance(filing, now).await {
        Ok(tracking) => html(StatusCode::OK, views::filed(lang, &tracking)),
        Err(RegistryError::BadRequest(_)) => again(tx::BAD_COMPLAINT),
        Err(e) => trouble(e),
    }
}

#[derive(serde::Deserialize)]
struct InboundSms {
    from: String,
    text: String,
}

#[derive(serde::Serialize)]
struct SmsAnswer {
    to: String,
    reply: String,
}

#[derive(serde::Serialize)]
struct SmsError {
    code: &'static str,
    message: &'static str,
}

fn sms_error(status: StatusCode, code: &'static str, message: &'static str) -> Response {
    (status, Json(SmsError { code, message })).into_response()
}

/// `POST /sms/inbound`: `from` and `text`, as a form or JSON, with the gateway's secret.
async fn sms_inbound<S: Storage>(State(p): St<S>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(expected) = p.config.sms_secret_sha256 else {
        return sms_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no SMS service is configured",
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| <[u8; 32]>::from(Sha256::digest(s.trim().as_bytes())));
    if given != Some(expected) {
        return sms_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the gateway's secret is missing or wrong",
        );
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let parsed: Option<InboundSms> = if is_json {
        serde_json::from_slice(&body).ok()
    } else {
        serde_urlencoded::from_bytes(&body).ok()
    };
    let Some(msg) = parsed else {
        return sms_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the message needs `from` and `text` (a form or JSON)",
        );
    };
    let lang = sms::lang_of(&msg.text);
    let reply = match reply_for(&p, &msg).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "SMS look-up");
            return sms_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the registry could not answer; the gateway may retry",
            );
        }
    };
    let text = sms::text(lang, &reply, sms::fits_one);
    Json(SmsAnswer {
        to: msg.from,
        reply: text,
    })
    .into_response()
}

async fn reply_for<S: Storage>(
    p: &Portal<S>,
    msg: &InboundSms,
) -> Result<sms::Reply, RegistryError> {
    let Some(cnic) = sms::cnic_in(&msg.text) else {
        p.reg.record_sms_lookup(None, "help").await?;
        return Ok(sms::Reply::Help);
    };
    let views = match p.reg.citizen_by_cnic_for_sms(&cnic).await {
        Ok(v) => v,
        // A number with a bad check digit: as unknown.
        Err(RegistryError::BadRequest(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let Some(view) = views.into_iter().find(|v| {
        v.phone
            .as_deref()
            .is_some_and(|ph| same_phone(ph, &msg.from))
    }) else {
        p.reg.record_sms_lookup(None, "elsewhere").await?;
        return Ok(sms::Reply::Elsewhere);
    };
    p.reg
        .record_sms_lookup(Some(view.household_id), "details")
        .await?;
    let last_payment = p
        .reg
        .payments_of_household(view.household_id)
        .await?
        .into_iter()
        .filter(|x| x.status == "paid")
        .filter_map(|x| Some((x.paid_on?, x.paid.unwrap_or(x.planned))))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(on, amount)| format!("{amount} {}", crate::extras::day_first(&on)));
    Ok(sms::Reply::Details {
        reference: view.reference,
        stage: view.stage,
        last_payment,
    })
}
