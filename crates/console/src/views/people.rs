//! Users and devices, for an administrator: the users of their areas with a form to add one, an
//! enrollment code (shown once, with a QR code a tablet can scan), disabling a user; the devices of
//! those users with revocation.
//!
//! The QR code holds an enrollment link, `shumari://enroll?registry=URL&code=CODE`: the field app's
//! enrollment screen takes the link as it is (scanned, or pasted) and fills both fields. It is drawn
//! as inline SVG by the `qrcode` crate, so the page still needs no script and no image request.

use super::layout::{csrf_field, page, Chrome};
use super::when;
use crate::i18n::{texts, Lang};
use maud::{html, Markup, PreEscaped};
use shumari_domain::roles::{allows, Action};
use shumari_domain::Role;
use shumari_registry::service::{DeviceInfo, UserInfo};

texts! {
    pub enum P;
    Users => "Users", "صارفین";
    Devices => "Devices", "آلات";
    Name => "Name", "نام";
    Id => "Id", "آئی ڈی";
    Role => "Role", "کردار";
    Areas => "Areas", "علاقے";
    AreasHint => "Area codes, separated by commas (e.g. PK10101-UC01).", "علاقوں کے کوڈ، کوما سے الگ (مثلاً PK10101-UC01)۔";
    State => "State", "حالت";
    Active => "active", "فعال";
    Disabled => "disabled", "غیر فعال";
    Revoked => "revoked", "منسوخ";
    Expired => "expired", "میعاد ختم";
    UserDisabled => "user disabled", "صارف غیر فعال";
    ActiveDevices => "Active devices", "فعال آلات";
    AddUser => "Add a user", "نیا صارف شامل کریں";
    Add => "Add", "شامل کریں";
    Added => "The user was added.", "صارف شامل ہو گیا۔";
    MakeCode => "Enrollment code", "اندراج کوڈ";
    Disable => "Disable", "غیر فعال کریں";
    DisableConfirm => "I understand: every device of this user stops syncing.", "میں سمجھتا/سمجھتی ہوں: اس صارف کے تمام آلات کی ہم آہنگی رک جائے گی۔";
    DisabledDone => "The user was disabled; their devices are refused from now on.", "صارف غیر فعال ہو گیا؛ ان کے آلات اب رد کیے جائیں گے۔";
    Revoke => "Revoke", "منسوخ کریں";
    RevokedDone => "The device was revoked; it is refused from now on.", "آلہ منسوخ ہو گیا؛ اب اسے رد کیا جائے گا۔";
    User => "User", "صارف";
    Label => "Label", "لیبل";
    Enrolled => "Enrolled", "اندراج";
    LastSeen => "Last seen", "آخری بار دیکھا گیا";
    Never => "never", "کبھی نہیں";
    NoDevices => "No devices yet.", "ابھی کوئی آلہ نہیں۔";
    CodeTitle => "Enrollment code", "اندراج کوڈ";
    CodeFor => "For", "برائے";
    CodeOnce => "Shown once: write it down or scan it now. It works once, for 24 hours.", "صرف ایک بار دکھایا جاتا ہے: ابھی لکھ لیں یا اسکین کر لیں۔ یہ ایک بار، 24 گھنٹے کے لیے کام کرتا ہے۔";
    CodeScan => "Scan with the field app's enrollment screen, or type the registry address and the code.", "فیلڈ ایپ کی اندراج اسکرین سے اسکین کریں، یا رجسٹری کا پتہ اور کوڈ لکھیں۔";
    Registry => "Registry address", "رجسٹری کا پتہ";
    BackToUsers => "Back to users", "صارفین پر واپس";
}

/// What the users page reports after a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Nothing.
    Nothing,
    /// A user was added.
    Added,
    /// A user was disabled.
    Disabled,
}

/// A role's name in the page's language.
fn role_name(lang: Lang, r: Role) -> &'static str {
    match (lang, r) {
        (Lang::En, r) => r.title(),
        (Lang::Ur, Role::Surveyor) => "شمار کنندہ",
        (Lang::Ur, Role::Supervisor) => "نگران",
        (Lang::Ur, Role::District) => "ضلعی افسر",
        (Lang::Ur, Role::Province) => "صوبائی نگران",
        (Lang::Ur, Role::Federal) => "وفاقی نگران",
        (Lang::Ur, Role::Community) => "کمیونٹی تنظیم",
        (Lang::Ur, Role::Administrator) => "منتظم",
        (Lang::Ur, Role::Programme) => "پروگرام افسر",
        (Lang::Ur, Role::Finance) => "مالیاتی افسر",
        (Lang::Ur, Role::Hub) => "ضلعی مرکز",
    }
}

/// The users page: the list, then the form to add one.
pub fn users(c: &Chrome<'_>, rows: &[UserInfo], done: Done, error: Option<&str>) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        lang.t(P::Users),
        html! {
            @match done {
                Done::Added => p.notice role="status" data-testid="user-added" { (lang.t(P::Added)) },
                Done::Disabled => p.notice role="status" data-testid="user-disabled" { (lang.t(P::DisabledDone)) },
                Done::Nothing => {},
            }
            @if let Some(e) = error { p.error role="alert" data-testid="users-error" { (e) } }
            p { a href="/console/devices" data-testid="to-devices" { (lang.t(P::Devices)) } }
            table data-testid="users-table" {
                thead { tr {
                    th { (lang.t(P::Name)) } th { (lang.t(P::Id)) } th { (lang.t(P::Role)) }
                    th { (lang.t(P::Areas)) } th { (lang.t(P::State)) } th { (lang.t(P::ActiveDevices)) }
                    th { (lang.t(P::MakeCode)) } th { (lang.t(P::Disable)) }
                } }
                tbody {
                    @for u in rows {
                        tr data-testid="user-row" data-id=(u.user.id) {
                            td { (u.user.name) }
                            td dir="ltr" { (u.user.id) }
                            td { (role_name(lang, u.user.role)) }
                            td dir="ltr" { (u.user.areas.join(", ")) }
                            td { (lang.t(if u.disabled_at.is_some() { P::Disabled } else { P::Active })) }
                            td { (u.active_devices) }
                            td {
                                @if u.disabled_at.is_none() && allows(u.user.role, Action::EnrollTablet) {
                                    form.inline method="post" action=(format!("/console/users/{}/code", u.user.id)) {
                                        (csrf_field(csrf))
                                        button type="submit" data-testid=(format!("code-{}", u.user.id)) { (lang.t(P::MakeCode)) }
                                    }
                                }
                            }
                            td {
                                @if u.disabled_at.is_none() && c.signed.is_some_and(|(me, _)| me.id != u.user.id) {
                                    form.inline method="post" action=(format!("/console/users/{}/disable", u.user.id)) {
                                        (csrf_field(csrf))
                                        label.check {
                                            input type="checkbox" name="confirm" value="yes" required data-testid=(format!("disable-confirm-{}", u.user.id));
                                            " " (lang.t(P::DisableConfirm))
                                        }
                                        button type="submit" value="rejected" data-testid=(format!("disable-{}", u.user.id)) { (lang.t(P::Disable)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t(P::AddUser)) }
            form.card method="post" action="/console/users" data-testid="add-user-form" {
                (csrf_field(csrf))
                label for="name" { (lang.t(P::Name)) }
                input #name name="name" type="text" required maxlength="200" data-testid="add-user-name";
                label for="role" { (lang.t(P::Role)) }
                select #role name="role" data-testid="add-user-role" {
                    @for r in Role::ALL {
                        option value=(r.as_str()) { (role_name(lang, r)) }
                    }
                }
                label for="areas" { (lang.t(P::Areas)) }
                input #areas name="areas" type="text" required dir="ltr" data-testid="add-user-areas";
                small { (lang.t(P::AreasHint)) }
                div.buttons { button type="submit" data-testid="add-user-submit" { (lang.t(P::Add)) } }
            }
        },
    )
}

/// The page that shows a new enrollment code once, with its QR code.
pub fn code(c: &Chrome<'_>, user: &UserInfo, code: &str, registry_url: &str) -> Markup {
    let lang = c.lang;
    let link = enroll_link(registry_url, code);
    page(
        c,
        lang.t(P::CodeTitle),
        html! {
            p { (lang.t(P::CodeFor)) " " strong { (user.user.name) } " " span dir="ltr" { "(" (user.user.id) ")" } }
            p.notice role="status" { (lang.t(P::CodeOnce)) }
            p.code dir="ltr" data-testid="enroll-code" { (code) }
            dl {
                dt { (lang.t(P::Registry)) } dd dir="ltr" data-testid="enroll-registry" { (registry_url) }
            }
            figure.qr data-testid="enroll-qr" data-link=(link) {
                (PreEscaped(qr_svg(&link)))
                figcaption { (lang.t(P::CodeScan)) }
            }
            p { a href="/console/users" data-testid="back-to-users" { (lang.t(P::BackToUsers)) } }
        },
    )
}

/// The devices page.
pub fn devices(c: &Chrome<'_>, rows: &[DeviceInfo], revoked: bool, error: Option<&str>) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        lang.t(P::Devices),
        html! {
            @if revoked { p.notice role="status" data-testid="device-revoked" { (lang.t(P::RevokedDone)) } }
            @if let Some(e) = error { p.error role="alert" data-testid="devices-error" { (e) } }
            p { a href="/console/users" data-testid="to-users" { (lang.t(P::Users)) } }
            @if rows.is_empty() {
                p data-testid="no-devices" { (lang.t(P::NoDevices)) }
            } @else {
                table data-testid="devices-table" {
                    thead { tr {
                        th { (lang.t(P::Id)) } th { (lang.t(P::User)) } th { (lang.t(P::Label)) }
                        th { (lang.t(P::Enrolled)) } th { (lang.t(P::LastSeen)) } th { (lang.t(P::State)) }
                        th { (lang.t(P::Revoke)) }
                    } }
                    tbody {
                        @for d in rows {
                            tr data-testid="device-row" data-id=(d.id) data-state=(d.state) {
                                td dir="ltr" { (d.id) }
                                td dir="ltr" { (d.user) }
                                td dir="ltr" { (d.label) }
                                td dir="ltr" { (when(&d.enrolled_at)) }
                                td dir="ltr" { (d.last_seen_at.as_ref().map(when).unwrap_or_else(|| lang.t(P::Never).to_string())) }
                                td { (lang.t(device_state(d.state))) }
                                td {
                                    @if d.state != "revoked" {
                                        form.inline method="post" action=(format!("/console/devices/{}/revoke", d.id)) {
                                            (csrf_field(csrf))
                                            button type="submit" value="rejected" data-testid=(format!("revoke-{}", d.id)) { (lang.t(P::Revoke)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn device_state(state: &str) -> P {
    match state {
        "revoked" => P::Revoked,
        "user_disabled" => P::UserDisabled,
        "expired" => P::Expired,
        _ => P::Active,
    }
}

/// The enrollment link a QR code carries: `shumari://enroll?registry=URL&code=CODE` (the field app
/// parses it in `ui/src/lib/enrollLink.ts`).
pub fn enroll_link(registry_url: &str, code: &str) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("registry", registry_url)
        .append_pair("code", code)
        .finish();
    format!("shumari://enroll?{q}")
}

/// `text` as a QR code in SVG (medium error correction: a screen photographed at an angle still
/// reads). The SVG is generated from the text by the `qrcode` crate and holds no user markup.
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
        Ok(q) => q
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build()
            // The renderer writes an XML declaration first; inside HTML only the element belongs.
            .split_once("<svg")
            .map(|(_, rest)| format!("<svg{rest}"))
            .unwrap_or_default(),
        // Too long for a QR code: the code and address above still work.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrollment_link_carries_both_fields_encoded() {
        assert_eq!(
            enroll_link("https://registry.example:8443/", "ABCD-EFGH-JKMN"),
            "shumari://enroll?registry=https%3A%2F%2Fregistry.example%3A8443%2F&code=ABCD-EFGH-JKMN"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg(&enroll_link("http://127.0.0.1:8080", "ABCD-EFGH-JKMN"));
        assert!(svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("<script"));
    }
}
