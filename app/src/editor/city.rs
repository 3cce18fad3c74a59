//! Editing a partner city's facts in place on its page (admins only). The partnership's status
//! is not a fact here: it is the latest status change of the partnership's record.

use leptos::prelude::*;

use super::{check_len, one_line, paragraph};
use crate::cities::{City, CityKind};
use crate::error::AppError;
use crate::i18n::{fill, Key, Lang};
use crate::layout::PageTitle;

/// Checks a city's facts, cleaning text, or says what is wrong.
pub fn validated(mut city: City) -> Result<City, AppError> {
    city.name = one_line(&city.name);
    city.country = one_line(&city.country);
    city.country_name = one_line(&city.country_name);
    city.country_note = paragraph(&city.country_note);
    for (field, label, value, max) in [
        ("name", Key::LabelCityName, &city.name, 100),
        ("country", Key::LabelCountry, &city.country, 100),
        ("country", Key::LabelCountry, &city.country_name, 100),
        (
            "country_note",
            Key::LabelCountryNote,
            &city.country_note,
            300,
        ),
    ] {
        if value.is_empty() && (field == "name" || field == "country") {
            return Err(AppError::invalid_with(field, Key::ErrEmpty, [label.into()]));
        }
        check_len(field, label, value, max)?;
    }
    if city.since_year.is_some_and(|y| !(1900..=2200).contains(&y)) {
        return Err(AppError::invalid("since_year", Key::ErrYearRange));
    }
    if !(-90.0..=90.0).contains(&city.lat) || !(-180.0..=180.0).contains(&city.lon) {
        return Err(AppError::invalid("lat", Key::ErrCoordinates));
    }
    Ok(city)
}

/// Saves the facts of the city `city.slug`, which the admin loaded at `base_version`, its texts
/// (name, country, notes) in `lang`. `Conflict` (409) when someone saved in between.
#[server(prefix = "/api", endpoint = "update_city", input = leptos::server_fn::codec::Json)]
pub async fn update_city(
    city: City,
    base_version: i64,
    #[server(default)] lang: Lang,
) -> Result<i64, AppError> {
    use crate::auth::{session, Role};
    use crate::store::cities::{self, CitySave};
    let user = session::require(Role::Admin).await?;
    let city = validated(city)?;
    let store = crate::state::app_state()?.store;
    match store
        .call(move |c| cities::save_city(c, lang, &city, base_version, user.id))
        .await?
    {
        CitySave::Saved(version) => Ok(version),
        CitySave::Conflict => Err(AppError::Conflict),
        CitySave::NotFound => Err(AppError::NotFound),
    }
}

/// A city's page for an admin: with `editing` (`?edit`) the facts as a form, else an Edit link
/// above `facts`, the page as visitors see it.
#[component]
pub fn EditableCity(city: City, version: i64, editing: bool, facts: AnyView) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let t = lang.t();
    if editing {
        let heading = fill(t.city_editing, &[&city.name]);
        return view! {
            <PageTitle text=format!("{heading} · {}", t.site_name)/>
            <h1>{heading}</h1>
            <CityEditor city version lang/>
        }
        .into_any();
    }
    let edit = lang.href(&format!("{}?edit", city.href()));
    view! {
        <div class="editor-toolbar">
            <a href=edit class="button" data-testid="edit-toggle">{t.edit}</a>
        </div>
        {facts}
    }
    .into_any()
}

/// The city's facts as a form, in the place of the facts list; a lazy island, fetched only by an
/// admin's page with `?edit`. `version` is the one the form starts from.
#[island(lazy)]
pub fn CityEditor(city: City, version: i64, lang: Lang) -> impl IntoView {
    provide_context(lang);
    let t = lang.t();
    let href = lang.href(&city.href());
    let name = RwSignal::new(city.name.clone());
    // The form edits the country as this language writes it; in English that is also the
    // stored name filters use.
    let country = RwSignal::new(city.country_name.clone());
    let country_note = RwSignal::new(city.country_note.clone());
    let since = RwSignal::new(city.since_year.map(|y| y.to_string()).unwrap_or_default());
    let kind = RwSignal::new(city.kind);
    let save = ServerAction::<UpdateCity>::new();
    let year_error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let since_year = match since.get_untracked().trim() {
            "" => None,
            year => match year.parse() {
                Ok(y) => Some(y),
                Err(_) => {
                    year_error.set(Some(t.err_year_form));
                    return;
                }
            },
        };
        year_error.set(None);
        let country_name = country.get_untracked();
        save.dispatch(UpdateCity {
            city: City {
                name: name.get_untracked(),
                country: match lang {
                    Lang::En => country_name.clone(),
                    Lang::Ru => city.country.clone(),
                },
                country_name,
                country_note: country_note.get_untracked(),
                since_year,
                kind: kind.get_untracked(),
                ..city.clone()
            },
            base_version: version,
            lang,
        });
    };
    let target = href.clone();
    crate::client_effect(move || {
        if let Some(Ok(_)) = save.value().get() {
            crate::load_page(&target);
        }
    });
    let hydrated = RwSignal::new(false);
    crate::client_effect(move || hydrated.set(true));
    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message(lang))
    };
    view! {
        <form
            class="item-edit city-edit"
            data-testid="city-form"
            data-island-ready=move || hydrated.get().then_some("")
            data-navigation="document"
            on:submit=submit
        >
            // Live only once the island is: see the item editor.
            <fieldset class="plain" disabled=move || !hydrated.get()>
            <p class="form-error" role="alert">{error}</p>
            <p class="form-hint">{fill(t.city_form_texts_in, &[&t.lang_name])}</p>
            <label for="city-name">{t.city_form_name}</label>
            <input id="city-name" type="text" required bind:value=name/>
            <label for="city-country">{t.city_form_country}</label>
            <input id="city-country" type="text" required bind:value=country/>
            <label for="city-country-note">{t.city_form_country_note}</label>
            <input id="city-country-note" type="text" bind:value=country_note/>
            <label for="city-kind">{t.city_form_kind}</label>
            <select id="city-kind" on:change:target=move |ev| {
                if let Some(k) = CityKind::from_db(&ev.target().value()) {
                    kind.set(k);
                }
            }>
                <option value="twin" selected=move || kind.get() == CityKind::Twin>{t.kind_twin_cap}</option>
                <option value="partner" selected=move || kind.get() == CityKind::Partner>{t.kind_partner_cap}</option>
            </select>
            <label for="city-since">{t.city_form_since}</label>
            <input id="city-since" type="text" inputmode="numeric" bind:value=since/>
            <div class="edit-actions">
                <button type="submit" class="button primary" disabled=move || save.pending().get()>{t.save}</button>
                <a href=href class="button">{t.cancel}</a>
            </div>
            </fieldset>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cities::CityStatus;

    fn city() -> City {
        City {
            slug: "turin".into(),
            name: " Turin ".into(),
            country: "Italy".into(),
            country_name: "Italy".into(),
            country_note: String::new(),
            kind: CityKind::Twin,
            since_year: Some(1961),
            status: CityStatus::Active,
            status_note: String::new(),
            status_changes: Vec::new(),
            lat: 45.07,
            lon: 7.69,
        }
    }

    #[test]
    fn city_facts_are_checked() {
        assert_eq!(validated(city()).unwrap().name, "Turin");
        assert!(validated(City {
            name: " ".into(),
            ..city()
        })
        .is_err());
        assert!(validated(City {
            since_year: Some(0),
            ..city()
        })
        .is_err());
        assert!(validated(City {
            lat: 91.0,
            ..city()
        })
        .is_err());
    }
}
