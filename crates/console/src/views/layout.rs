//! The frame of every page: `<html lang dir>` (Urdu right to left), the bundled stylesheet, the
//! header with the language switch, and for a signed-in user the navigation and the sign-out form.

use crate::auth::session::CSRF_FIELD;
use crate::i18n::{Lang, T};
use maud::{html, Markup, DOCTYPE};
use shumari_domain::roles::{allows, Action};
use shumari_registry::storage::User;

/// What the frame needs to know about the request.
#[derive(Debug, Clone, Copy)]
pub struct Chrome<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The page's path and query (the language switch comes back to it).
    pub here: &'a str,
    /// The signed-in user and the session's CSRF token.
    pub signed: Option<(&'a User, &'a str)>,
}

/// A hidden CSRF field.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// A whole page.
pub fn page(c: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    let lang = c.lang;
    let other = lang.other();
    let switch = format!(
        "/console/lang/{}{}",
        other.code(),
        super::query(&[("back", c.here)])
    );
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.t(T::Console)) }
                link rel="stylesheet" href="/console/console.css";
            }
            body {
                header.top {
                    a.brand href="/console" { (lang.t(T::Console)) }
                    @if let Some((user, _)) = c.signed {
                        nav {
                            a href="/console" data-testid="nav-home" { (lang.t(T::Home)) }
                            a href="/console/households" data-testid="nav-households" { (lang.t(T::Households)) }
                            @if allows(user.role, Action::ReadHouseholds) {
                                a href="/console/scoring" data-testid="nav-scoring" { (lang.t(super::scoring::R::Title)) }
                                a href="/console/exports" data-testid="nav-exports" { (lang.t(super::exports::X::Title)) }
                                a href="/console/dashboards" data-testid="nav-dashboards" { (lang.t(super::dashboards::DB::Title)) }
                            }
                            @if allows(user.role, Action::AdministerUsers) {
                                a href="/console/users" data-testid="nav-users" { (lang.t(super::people::P::Users)) }
                                a href="/console/devices" data-testid="nav-devices" { (lang.t(super::people::P::Devices)) }
                            }
                            @if allows(user.role, Action::AssignWork) {
                                a href="/console/assignments" data-testid="nav-assignments" { (lang.t(super::assignments::A::Title)) }
                            }
                            a href="/console/duplicates" data-testid="nav-duplicates" { (lang.t(super::duplicates::D::Duplicates)) }
                            @if allows(user.role, Action::ReadHouseholds) || allows(user.role, Action::PublishForms) { a href="/console/forms" data-testid="nav-forms" { (lang.t(super::forms::F::Title)) } }
                            @if shumari_domain::roles::allows(user.role, shumari_domain::Action::VerifyIdentity) { a href="/console/identity" data-testid="nav-identity" { (lang.t(super::identity::V::Exchange)) } }
                            @if allows(user.role, Action::ReadPayments) { a href="/console/payments" data-testid="nav-payments" { (lang.t(super::payments::P::Title)) } }
                            @if allows(user.role, Action::HandleGrievances) || allows(user.role, Action::FileGrievance) { a href="/console/grievances" data-testid="nav-grievances" { (lang.t(super::grievances::G::Title)) } }
                        }
                        span.who data-testid="signed-in-user" { (user.name) " · " (user.role.title()) }
                    }
                    a.lang href=(switch) hreflang=(other.code()) lang=(other.code()) data-testid="lang-switch" { (other.name()) }
                    @if let Some((_, csrf)) = c.signed {
                        form.inline method="post" action="/console/sign-out" data-testid="sign-out-form" {
                            (csrf_field(csrf))
                            button type="submit" data-testid="sign-out" { (lang.t(T::SignOut)) }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page that says what went wrong.
pub fn message(c: &Chrome<'_>, title: &str, text: &str) -> Markup {
    page(
        c,
        title,
        html! {
            p.error role="alert" data-testid="error-message" { (text) }
            p { a href="/console" { (c.lang.t(T::Back)) } }
        },
    )
}
