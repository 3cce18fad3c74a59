//! One item laid out for reading, as `/news/{slug}` and `/events/{slug}` show it to visitors
//! (`routes.rs` puts the editor's controls around it for editors).

use leptos::prelude::*;

use super::feed::DateLine;
use super::{CityRef, Item, ItemKind, ItemLink, ItemSummary};
use crate::i18n::use_lang;
use crate::layout::{json_string, JsonLd, PageMeta, PublicUrl};
use crate::media::{Cover, CoverImage};

/// An item laid out for reading.
#[component]
pub fn ItemArticle(item: Item) -> impl IntoView {
    let summary = item.summary;
    let lang = use_lang();
    let t = lang.t();
    let kicker = match summary.kind {
        ItemKind::News => t.kicker_news,
        ItemKind::Event => t.badge_event,
    };
    let og_type = match summary.kind {
        ItemKind::News => "article",
        ItemKind::Event => "website",
    };
    let has_body = !item.body_html.trim().is_empty();
    let base = use_context::<PublicUrl>().map(|u| u.0).unwrap_or_default();
    let url = format!("{base}{}", lang.href(&summary.href()));
    let calendar = (summary.kind == ItemKind::Event).then(|| {
        let href = lang.href(&format!("{}/calendar.ics", summary.href()));
        view! {
            <p class="add-to-calendar">
                <a href=href download>{t.add_to_calendar}</a>
                " "
                {t.ical_file}
            </p>
        }
    });
    let untranslated = (summary.lang != lang)
        .then(|| view! { <p class="notice" role="note" data-testid="translation-notice">{t.other_lang_notice}</p> });
    let structured = structured_data(&summary, &url, item.cover.as_ref(), &base);
    view! {
        <PageMeta
            title=summary.title.clone()
            description=summary.lead.clone()
            path=summary.href()
            og_type
        />
        <article class="item" data-testid="item">
            {structured}
            <header>
                <p class="kicker">{kicker}</p>
                <h1 lang=summary.lang.code()>{summary.title.clone()}</h1>
                <DateLine item=summary.clone()/>
            </header>
            {untranslated}
            {item.cover.map(|cover| view! { <CoverImage cover/> })}
            <p class="lead" lang=summary.lang.code()>{summary.lead.clone()}</p>
            {calendar}
            {has_body.then(|| view! { <div class="body" lang=summary.lang.code() inner_html=item.body_html/> })}
            <CityLinks cities=item.cities/>
            <TagList tags=item.tags/>
        </article>
        <PrevNext previous=item.previous next=item.next/>
    }
}

/// schema.org `NewsArticle` or `Event` for the item.
fn structured_data(
    summary: &ItemSummary,
    url: &str,
    cover: Option<&Cover>,
    base: &str,
) -> impl IntoView {
    let mut fields = vec![
        ("url", json_string(url)),
        ("description", json_string(&summary.lead)),
    ];
    if let Some(cover) = cover {
        fields.push(("image", json_string(&format!("{base}{}", cover.src()))));
    }
    let kind = match summary.kind {
        ItemKind::News => {
            fields.push(("headline", json_string(&summary.title)));
            fields.push(("datePublished", json_string(&summary.published_at)));
            "NewsArticle"
        }
        ItemKind::Event => {
            fields.push(("name", json_string(&summary.title)));
            let start = summary.event_start.clone().unwrap_or_default();
            fields.push(("startDate", json_string(&start)));
            fields.push((
                "endDate",
                json_string(summary.event_end.as_deref().unwrap_or(&start)),
            ));
            if !summary.venue.is_empty() {
                fields.push((
                    "location",
                    format!(
                        "{{\"@type\":\"Place\",\"name\":{}}}",
                        json_string(&summary.venue)
                    ),
                ));
            }
            "Event"
        }
    };
    view! { <JsonLd kind fields/> }
}

#[component]
fn CityLinks(cities: Vec<CityRef>) -> impl IntoView {
    let lang = use_lang();
    (!cities.is_empty()).then(|| {
        view! {
            <section class="item-cities" aria-labelledby="item-cities-heading">
                <h2 id="item-cities-heading">{lang.t().item_cities}</h2>
                <ul>
                    {cities
                        .into_iter()
                        .map(|c| {
                            let href = lang.href(&c.href());
                            view! {
                                <li>
                                    <a href=href>{c.name}</a>
                                    ", "
                                    {c.country}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn TagList(tags: Vec<super::Tag>) -> impl IntoView {
    let lang = use_lang();
    (!tags.is_empty()).then(|| {
        view! {
            <section class="item-tags" aria-labelledby="item-tags-heading">
                <h2 id="item-tags-heading">{lang.t().item_tags}</h2>
                <ul class="tags">
                    {tags
                        .into_iter()
                        .map(|t| view! { <li><a href=lang.href(&format!("/tags/{}", t.slug))>{t.name}</a></li> })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn PrevNext(previous: Option<ItemLink>, next: Option<ItemLink>) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    view! {
        <nav class="prev-next" aria-label=t.prev_next_label>
            {previous
                .map(|p| {
                    view! {
                        <a class="prev" href=lang.href(&p.href) rel="prev">
                            <span class="direction">{t.older}</span>
                            <span class="title">{p.title}</span>
                        </a>
                    }
                })}
            {next
                .map(|n| {
                    view! {
                        <a class="next" href=lang.href(&n.href) rel="next">
                            <span class="direction">{t.newer}</span>
                            <span class="title">{n.title}</span>
                        </a>
                    }
                })}
        </nav>
    }
}
