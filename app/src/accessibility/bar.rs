//! The switch to the version for the visually impaired in every page's header, and the settings
//! bar above the header while it is on. Every control is a plain link to `/accessibility/view`,
//! which sets the cookie and comes back to the page: no script is needed, and none is loaded.

use leptos::prelude::*;

use super::settings::{
    use_settings, Change, Images, LineHeight, Scheme, Settings, Spacing, TextSize,
};
use crate::i18n::{use_lang, Lang};
use crate::url::{encode, page_address, site_path};

/// The address of the page being read (its path and what it reads of the query), for the way
/// back from a settings link.
fn this_page() -> String {
    let location = leptos_router::hooks::use_location();
    let path = site_path(&location.pathname.get_untracked());
    page_address(
        &path,
        location.search.get_untracked().trim_start_matches('?'),
    )
}

/// The link that asks `/accessibility/view` for `param` and comes back to this page.
fn view_href(lang: Lang, param: (&str, &str)) -> String {
    let (name, value) = param;
    format!(
        "{}?{name}={}&back={}",
        lang.href("/accessibility/view"),
        encode(value),
        encode(&this_page())
    )
}

/// The header's switch: to the version for the visually impaired, or back from it.
#[component]
pub fn ViewSwitch() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let (param, text) = match use_settings() {
        Some(_) => (("off", "1"), t.view_normal),
        None => (("on", "1"), t.view_switch),
    };
    view! {
        <p class="view-switch">
            <a href=view_href(lang, param) rel="external nofollow" data-testid="view-switch">
                {text}
            </a>
        </p>
    }
}

/// The settings bar, on every page while the version for the visually impaired is on.
#[component]
pub fn SettingsBar() -> impl IntoView {
    let settings = use_settings()?;
    let lang = use_lang();
    let t = lang.t();
    let size = choices(TextSize::ALL, Change::Size, |v| format!("{}%", v.as_str()));
    let scheme = choices(Scheme::ALL, Change::Scheme, |v| {
        scheme_label(lang, v).to_owned()
    });
    let spacing = choices(Spacing::ALL, Change::Spacing, |v| {
        match v {
            Spacing::Normal => t.view_normal_spacing,
            Spacing::Wide => t.view_wide_spacing,
        }
        .to_owned()
    });
    let line = choices(LineHeight::ALL, Change::Line, |v| {
        match v {
            LineHeight::Normal => t.view_normal_lines,
            LineHeight::Tall => t.view_tall_lines,
        }
        .to_owned()
    });
    let images = choices(Images::ALL, Change::Images, |v| {
        match v {
            Images::Shown => t.view_images_shown,
            Images::Hidden => t.view_images_hidden,
        }
        .to_owned()
    });
    Some(view! {
        <section id="view-settings" class="view-settings" aria-label=t.view_settings tabindex="-1">
            <div class="wrap">
                <ChoiceGroup id="view-size" label=t.view_size settings choices=size/>
                <ChoiceGroup id="view-scheme" label=t.view_scheme settings choices=scheme/>
                <ChoiceGroup id="view-spacing" label=t.view_spacing settings choices=spacing/>
                <ChoiceGroup id="view-line" label=t.view_line settings choices=line/>
                <ChoiceGroup id="view-images" label=t.view_images settings choices=images/>
                <p class="view-off">
                    <a href=view_href(lang, ("off", "1")) rel="external nofollow">
                        {t.view_normal}
                    </a>
                </p>
            </div>
        </section>
    })
}

/// Each of `all` as the change that picks it, with its label.
fn choices<T: Copy>(
    all: &[T],
    change: fn(T) -> Change,
    label: impl Fn(T) -> String,
) -> Vec<(Change, String)> {
    all.iter().map(|&v| (change(v), label(v))).collect()
}

/// The name of a colour scheme, as the settings bar shows it.
fn scheme_label(lang: Lang, scheme: Scheme) -> &'static str {
    let t = lang.t();
    match scheme {
        Scheme::BlackOnWhite => t.view_scheme_bw,
        Scheme::WhiteOnBlack => t.view_scheme_wb,
        Scheme::BlueOnBlue => t.view_scheme_blue,
    }
}

/// One setting's choices as links; the current one is marked for sight and for screen readers.
#[component]
fn ChoiceGroup(
    id: &'static str,
    label: &'static str,
    settings: Settings,
    choices: Vec<(Change, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let items = choices
        .into_iter()
        .map(|(change, text)| {
            let current = settings.has(change);
            view! {
                <li>
                    <a
                        href=view_href(lang, change.param())
                        rel="external nofollow"
                        aria-current=current.then_some("true")
                        data-setting=change.param().0
                        data-value=change.param().1
                    >
                        {text}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="view-group" role="group" aria-labelledby=id>
            <span class="view-group-label" id=id>{label}</span>
            <ul>{items}</ul>
        </div>
    }
}
