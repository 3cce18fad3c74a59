//! The login page and the bar a logged-in editor sees above every page.

use leptos::prelude::*;
use leptos_meta::Meta;

use crate::layout::PageTitle;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use leptos::server_fn::ServerFn;

use super::api::Login;
use super::{use_auth, Role};
use crate::error::AppError;
use crate::i18n::use_lang;

/// `/login`: a plain form that works without JavaScript; the error of a failed attempt comes back
/// in the URL when there is no script to show it.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let lang = use_lang();
    let t = lang.t();
    let next = move || query.read().get("next").unwrap_or_else(|| lang.href("/"));
    // The form is a plain one: a failed attempt comes back as a redirect to this page with the
    // error in the URL (where anybody could have put one).
    let error = move || AppError::of_form(&query.read(), Login::PATH).map(|e| e.message(lang));
    view! {
        <PageTitle text=format!("{} · {}", t.login_title, t.site_name)/>
        <Meta name="robots" content="noindex"/>
        <section class="login">
            <h1>{t.login_heading}</h1>
            <p>{t.login_intro}</p>
            {move || {
                error()
                    .map(|message| {
                        view! {
                            <p class="form-error" role="alert" data-testid="login-error">
                                {message}
                            </p>
                        }
                    })
            }}
            <ActionForm action=auth.login attr:class="login-form">
                <input type="hidden" name="next" value=next/>
                <label for="login-username">{t.login_username}</label>
                <input
                    id="login-username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    required
                    maxlength="64"
                />
                <label for="login-password">{t.login_password}</label>
                <input
                    id="login-password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
                <button type="submit" class="button primary">{t.login_button}</button>
            </ActionForm>
        </section>
    }
}

/// A bar above the header for logged-in editors: who they are, and logging out.
#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = use_auth();
    let lang = use_lang();
    let t = lang.t();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let user = auth.user.await.ok().flatten()?;
                let role = match user.role {
                    Role::Editor => t.role_editor,
                    Role::Admin => t.role_admin,
                };
                Some(
                    view! {
                        <nav class="editor-bar" data-testid="editor-bar" aria-label=t.editor_bar>
                            <div class="wrap">
                                <span>
                                    {t.logged_in_as} " " <strong>{user.display_name}</strong> " ("
                                    {role} ")"
                                </span>
                                <A href=lang.href("/inbox")>{t.nav_inbox}</A>
                                {(user.role == Role::Admin)
                                    .then(|| view! { <A href=lang.href("/audit")>{t.audit_title}</A> })}
                                <ActionForm action=auth.logout attr:class="logout-form">
                                    <button type="submit" class="link-button">{t.log_out}</button>
                                </ActionForm>
                            </div>
                        </nav>
                    },
                )
            })}
        </Transition>
    }
}
