//! The sign-in form and the second-factor form.

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::{Lang, T};
use maud::{html, Markup};

/// The sign-in page, with the form's token and the refusal to show, if any.
pub fn sign_in(lang: Lang, here: &str, csrf: &str, error: Option<T>) -> Markup {
    let c = Chrome {
        lang,
        here,
        signed: None,
    };
    page(
        &c,
        lang.t(T::SignIn),
        html! {
            @if let Some(e) = error {
                p.error role="alert" data-testid="sign-in-error" { (lang.t(e)) }
            }
            form.card method="post" action="/console/sign-in" data-testid="sign-in-form" {
                (csrf_field(csrf))
                label for="user" { (lang.t(T::UserId)) }
                input #user name="user" type="text" autocomplete="username" required
                    dir="ltr" data-testid="sign-in-user";
                label for="password" { (lang.t(T::Password)) }
                input #password name="password" type="password" autocomplete="current-password"
                    required dir="ltr" data-testid="sign-in-password";
                button type="submit" data-testid="sign-in-submit" { (lang.t(T::SignIn)) }
            }
        },
    )
}

/// The page asking for the TOTP code.
pub fn second_factor(lang: Lang, here: &str, csrf: &str, error: Option<T>) -> Markup {
    let c = Chrome {
        lang,
        here,
        signed: None,
    };
    page(
        &c,
        lang.t(T::SecondFactor),
        html! {
            @if let Some(e) = error {
                p.error role="alert" data-testid="second-factor-error" { (lang.t(e)) }
            }
            form.card method="post" action="/console/second-factor" data-testid="second-factor-form" {
                (csrf_field(csrf))
                label for="code" { (lang.t(T::Code)) }
                input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9 ]{6,8}" required dir="ltr" data-testid="second-factor-code";
                button type="submit" data-testid="second-factor-submit" { (lang.t(T::Verify)) }
            }
        },
    )
}
