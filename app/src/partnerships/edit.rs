//! Editing a partnership in place: one plain form per entry (and one per kind for a new entry)
//! that posts, with its file, to `save_partnership_entry` and comes back to the city page. No
//! script is needed; the forms are on the page only for signed-in editors.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::api::SavePartnershipEntry;
use super::{AgreementKind, Detail, Direction, Entry, EntryText, NewsLink, PlanArea, PlanState};
use crate::cities::CityStatus;
use crate::i18n::{use_lang, Lang};
use crate::layout::rcdata;

/// The labels of the variants a kind of entry chooses from, with their stored values.
fn variants(lang: Lang, kind: &str) -> Vec<(&'static str, &'static str)> {
    match kind {
        "agreement" => AgreementKind::ALL
            .iter()
            .map(|k| (k.as_str(), super::timeline::agreement_label(lang, *k)))
            .collect(),
        "status" => CityStatus::ALL
            .iter()
            .map(|s| (s.as_str(), crate::cities::status_label(lang, *s)))
            .collect(),
        "plan" => PlanArea::ALL
            .iter()
            .map(|a| (a.as_str(), super::timeline::area_label(lang, *a)))
            .collect(),
        "visit" => [Direction::ToPartner, Direction::FromPartner]
            .iter()
            .map(|d| (d.as_str(), super::timeline::direction_label(lang, *d)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A labelled one-line field; `id` is unique on the page.
#[component]
fn Field(
    id: String,
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] date: bool,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <label for=id.clone()>{label}</label>
        {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
        <input
            id=id
            name=name
            type="text"
            value=value
            required=required
            aria-describedby=described
            inputmode=date.then_some("numeric")
            pattern=date.then_some(r"[12][0-9]{3}(-[01][0-9]-[0-3][0-9])?")
            autocomplete="off"
        />
    }
}

/// The English and Russian versions of one text of an entry.
#[component]
fn TextPair(
    id: String,
    name: &'static str,
    label: &'static str,
    en: String,
    ru: String,
    #[prop(optional)] long: bool,
) -> impl IntoView {
    let t = use_lang().t();
    let one = move |lang: &'static str, language: &'static str, value: String| {
        let field_id = format!("{id}-{name}-{lang}");
        let field_name = format!("{name}_{lang}");
        let label = format!("{label} ({language})");
        let input = if long {
            view! { <textarea id=field_id.clone() name=field_name rows="3" lang=lang>{rcdata(&value)}</textarea> }
                .into_any()
        } else {
            view! { <input id=field_id.clone() name=field_name type="text" value=value lang=lang/> }
                .into_any()
        };
        view! { <label for=field_id>{label}</label> {input} }
    };
    view! {
        {one("en", t.language_english, en)}
        {one("ru", t.language_russian, ru)}
    }
}

/// The form that adds an entry of `kind` (when `entry` is `None`) or changes `entry`.
#[component]
pub fn EntryForm(
    city: String,
    kind: &'static str,
    entry: Option<Entry>,
    news: Vec<NewsLink>,
) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let id = entry
        .as_ref()
        .map_or_else(|| format!("new-{kind}"), |e| format!("entry-{}-form", e.id));
    let blank = Entry {
        id: 0,
        detail: Detail::Milestone,
        date: String::new(),
        end_date: None,
        place: String::new(),
        people: String::new(),
        document: None,
        photo: None,
        published: true,
        version: 0,
        updated_at: String::new(),
        en: EntryText::default(),
        ru: EntryText::default(),
        news: Vec::new(),
    };
    let editing = entry.is_some();
    let e = entry.unwrap_or(blank);
    let current_variant = if editing { e.detail.variant() } else { "" };
    let variant_options = variants(lang, kind)
        .into_iter()
        .map(|(value, label)| {
            view! { <option value=value selected=value == current_variant>{label}</option> }
        })
        .collect_view();
    let variant_label = match kind {
        "agreement" => t.entry_agreement_kind,
        "status" => t.entry_status,
        "plan" => t.entry_area,
        _ => t.entry_direction,
    };
    let variant = (kind != "milestone").then(|| {
        let field = format!("{id}-variant");
        view! {
            <label for=field.clone()>{variant_label}</label>
            <select id=field name="variant">{variant_options}</select>
        }
    });
    let progress = (kind == "plan").then(|| {
        let field = format!("{id}-progress");
        let current = match e.detail {
            Detail::Plan(_, state) => state,
            _ => PlanState::Planned,
        };
        let options = PlanState::ALL
            .iter()
            .map(|s| {
                view! {
                    <option value=s.as_str() selected=*s == current>
                        {super::timeline::state_label(lang, *s)}
                    </option>
                }
            })
            .collect_view();
        view! {
            <label for=field.clone()>{t.entry_state}</label>
            <select id=field name="progress">{options}</select>
        }
    });
    let date_label = match kind {
        "agreement" => t.entry_signed,
        "status" => t.entry_from,
        "plan" => t.entry_target,
        "visit" => t.entry_first_day,
        _ => t.entry_date,
    };
    let end = matches!(kind, "agreement" | "visit").then(|| {
        let label = if kind == "agreement" { t.entry_renewal } else { t.entry_last_day };
        view! {
            <Field id=format!("{id}-end") name="end_date" label value=e.end_date.clone().unwrap_or_default() hint=t.entry_date_hint date=true/>
        }
    });
    let place = (kind == "agreement").then(|| {
        view! { <Field id=format!("{id}-place") name="place" label=t.entry_place value=e.place.clone()/> }
    });
    let people_label = match kind {
        "agreement" => Some(t.entry_signatories),
        "plan" => Some(t.entry_responsible),
        "visit" => Some(t.entry_participants),
        _ => None,
    };
    let people = people_label.map(|label| {
        view! { <Field id=format!("{id}-people") name="people" label value=e.people.clone()/> }
    });
    let title_label = match kind {
        "milestone" => Some(t.entry_title),
        "plan" => Some(t.entry_description),
        "visit" => Some(t.entry_purpose),
        _ => None,
    };
    let title = title_label.map(|label| {
        view! { <TextPair id=id.clone() name="title" label en=e.en.title.clone() ru=e.ru.title.clone()/> }
    });
    let body_label = match kind {
        "agreement" => Some(t.entry_summary),
        "status" => Some(t.entry_note),
        "milestone" => Some(t.entry_text),
        "visit" => Some(t.entry_outcome),
        _ => None,
    };
    let body = body_label.map(|label| {
        view! { <TextPair id=id.clone() name="body" label en=e.en.body.clone() ru=e.ru.body.clone() long=true/> }
    });
    let file = match kind {
        "agreement" => Some((
            t.entry_document,
            ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
            Some(t.entry_document_hint),
        )),
        "milestone" => Some((t.entry_photo, "image/jpeg,image/png,image/webp", None)),
        _ => None,
    }
    .map(|(label, accept, hint)| {
        let field = format!("{id}-file");
        let hint_id = format!("{field}-hint");
        let described = hint.map(|_| hint_id.clone());
        view! {
            <label for=field.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input id=field name="file" type="file" accept=accept aria-describedby=described/>
        }
    });
    let alt = (kind == "milestone").then(|| {
        view! { <TextPair id=id.clone() name="alt" label=t.entry_photo_alt en=e.en.photo_alt.clone() ru=e.ru.photo_alt.clone()/> }
    });
    let linked: Vec<String> = e.news.iter().map(|n| n.slug.clone()).collect();
    let mut choices = e.news.clone();
    choices.extend(news.into_iter().filter(|n| !linked.contains(&n.slug)));
    let news_choice = (kind != "agreement" && kind != "status" && !choices.is_empty()).then(|| {
        let boxes = choices
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                let field = format!("{id}-news-{i}");
                let checked = linked.contains(&n.slug);
                view! {
                    <div class="check">
                        <input id=field.clone() type="checkbox" name="news" value=n.slug checked=checked/>
                        <label for=field>{n.title}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="entry-news">
                <legend>{t.entry_news}</legend>
                {boxes}
            </fieldset>
        }
    });
    let published_id = format!("{id}-published");
    view! {
        <form
            class="entry-form"
            method="post"
            action=SavePartnershipEntry::url()
            enctype="multipart/form-data"
            id=id.clone()
        >
            <input type="hidden" name="city" value=city/>
            <input type="hidden" name="id" value=editing.then(|| e.id.to_string())/>
            <input type="hidden" name="version" value=e.version.to_string()/>
            <input type="hidden" name="kind" value=kind/>
            <input type="hidden" name="lang" value=lang.code()/>
            {variant}
            {progress}
            <Field id=format!("{id}-date") name="date" label=date_label value=e.date.clone() hint=t.entry_date_hint date=true required=true/>
            {end}
            {place}
            {people}
            {title}
            {body}
            {file}
            {alt}
            {news_choice}
            <div class="check">
                <input id=published_id.clone() type="checkbox" name="published" value="1" checked=e.published/>
                <label for=published_id>{t.entry_published}</label>
            </div>
            <button type="submit" class="button">{if editing { t.entry_save } else { t.entry_add }}</button>
        </form>
    }
}
