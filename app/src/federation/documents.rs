//! The JSON documents the portal publishes and sends: its actor, WebFinger answer, collections,
//! items as `Article` and `Event` objects carrying every language they have, and the activities
//! around them.

use serde_json::{json, Map, Value};

use super::Urls;
use crate::i18n::Lang;
use crate::news::ItemKind;
use crate::store::federation::FederatedItem;

/// Everything the fediverse may read.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        { "Hashtag": "as:Hashtag" }
    ])
}

/// `object` as a document of its own, with the context its terms are defined in.
pub fn with_context(mut object: Value) -> Value {
    object["@context"] = context();
    object
}

fn per_language(text: impl Fn(Lang) -> String) -> Map<String, Value> {
    Lang::ALL
        .into_iter()
        .map(|lang| (lang.code().to_owned(), Value::String(text(lang))))
        .collect()
}

/// The portal's actor: a `Service` named after the site, with its public key.
pub fn actor(urls: &Urls, public_pem: &str) -> Value {
    json!({
        "@context": context(),
        "id": urls.actor,
        "type": "Service",
        "preferredUsername": super::USERNAME,
        "name": Lang::En.t().site_name,
        "nameMap": per_language(|l| l.t().site_name.to_owned()),
        "summary": Lang::En.t().site_tagline,
        "summaryMap": per_language(|l| l.t().site_tagline.to_owned()),
        "url": format!("{}/", urls.base),
        "inbox": urls.inbox,
        "outbox": urls.outbox,
        "followers": urls.followers,
        "following": urls.following,
        "endpoints": { "sharedInbox": urls.inbox },
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "publicKey": {
            "id": urls.key_id(),
            "owner": urls.actor,
            "publicKeyPem": public_pem,
        },
    })
}

/// The WebFinger answer for the portal's handle.
pub fn webfinger(urls: &Urls) -> Value {
    json!({
        "subject": format!("acct:{}", urls.handle()),
        "aliases": [urls.actor],
        "links": [
            { "rel": "self", "type": super::ACTIVITY_JSON, "href": urls.actor },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
              "href": format!("{}/", urls.base) },
        ],
    })
}

/// An ordered collection of `items` out of `total`.
pub fn collection(id: &str, total: u64, items: Vec<Value>) -> Value {
    json!({
        "@context": context(),
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
        "orderedItems": items,
    })
}

/// `item` as an `Article` (news) or `Event`, in every language it has.
pub fn object(urls: &Urls, item: &FederatedItem) -> Value {
    let page = |lang: Lang| format!("{}{}", urls.base, lang.href(&item.kind.href(&item.slug)));
    let first = item.texts.first();
    let mut names = Map::new();
    let mut summaries = Map::new();
    let mut contents = Map::new();
    for text in &item.texts {
        let code = text.lang.code().to_owned();
        names.insert(code.clone(), Value::String(text.title.clone()));
        if !text.lead.is_empty() {
            summaries.insert(code.clone(), Value::String(text.lead.clone()));
        }
        // The lead travels as the summary; the content is the body, or the lead for an item
        // without one, so that no reader shows it twice.
        let html = if text.body.trim().is_empty() {
            format!("<p>{}</p>", crate::syndication::xml_escape(&text.lead))
        } else {
            crate::news::markdown::render_absolute(&text.body, &urls.base)
        };
        contents.insert(code, Value::String(html));
    }
    let lang = first.map_or(Lang::En, |t| t.lang);
    let mut tags: Vec<Value> = item
        .tags
        .iter()
        .map(|(slug, name)| {
            json!({
                "type": "Hashtag",
                "href": format!("{}/tags/{slug}", urls.base),
                "name": format!("#{}", name.replace(char::is_whitespace, "")),
            })
        })
        .collect();
    tags.extend(item.cities.iter().map(|city| {
        let mut place = json!({
            "type": "Place",
            "name": city.name,
            "url": format!("{}/cities/{}", urls.base, city.slug),
            "latitude": city.lat,
            "longitude": city.lon,
        });
        if let Some(ru) = &city.name_ru {
            place["nameMap"] = json!({ "en": city.name, "ru": ru });
        }
        place
    }));
    let mut object = json!({
        "id": urls.item(item.id),
        "type": match item.kind { ItemKind::News => "Article", ItemKind::Event => "Event" },
        "attributedTo": urls.actor,
        "to": [PUBLIC],
        "cc": [urls.followers],
        "url": page(lang),
        "name": first.map(|t| t.title.clone()).unwrap_or_default(),
        "nameMap": names,
        "content": contents.get(lang.code()).cloned().unwrap_or_default(),
        "contentMap": contents,
        "published": item.published_at,
        "updated": item.updated_at,
        "tag": tags,
    });
    if !summaries.is_empty() {
        object["summary"] = summaries.get(lang.code()).cloned().unwrap_or_default();
        object["summaryMap"] = Value::Object(summaries);
    }
    if let Some((meta, alt)) = &item.cover {
        let width = meta.widths.last().copied().unwrap_or(meta.width);
        object["image"] = json!({
            "type": "Image",
            "mediaType": "image/jpeg",
            "url": format!("{}{}", urls.base, crate::media::Cover::url(&meta.hash, width)),
            "name": alt,
        });
        object["attachment"] = json!([object["image"].clone()]);
    }
    if item.kind == ItemKind::Event {
        if let Some(start) = &item.event_start {
            object["startTime"] = json!(start);
        }
        if let Some(end) = &item.event_end {
            object["endTime"] = json!(end);
        }
        if !item.venue.is_empty() {
            object["location"] = json!({ "type": "Place", "name": item.venue });
        }
    }
    object
}

/// A `Tombstone` at the URL of an item no longer public.
pub fn tombstone(urls: &Urls, id: i64, kind: Option<ItemKind>) -> Value {
    let mut value = json!({ "@context": context(), "id": urls.item(id), "type": "Tombstone" });
    if let Some(kind) = kind {
        value["formerType"] = json!(match kind {
            ItemKind::News => "Article",
            ItemKind::Event => "Event",
        });
    }
    value
}

/// An activity of the portal's actor about `object`, addressed like the portal's posts.
pub fn activity(urls: &Urls, kind: &str, id: String, object: Value) -> Value {
    json!({
        "@context": context(),
        "id": id,
        "type": kind,
        "actor": urls.actor,
        "to": [PUBLIC],
        "cc": [urls.followers],
        "object": object,
    })
}

/// `Accept` of the `follow` the portal received.
pub fn accept(urls: &Urls, follow: &Value, follower: &str) -> Value {
    let follow_id = follow.get("id").and_then(Value::as_str).unwrap_or_default();
    json!({
        "@context": context(),
        "id": format!("{}#accepts/{}", urls.actor, super::short_hash(follow_id)),
        "type": "Accept",
        "actor": urls.actor,
        "to": [follower],
        "object": {
            "id": follow_id,
            "type": "Follow",
            "actor": follower,
            "object": urls.actor,
        },
    })
}

/// `Follow` of `actor`, with its id.
pub fn follow(urls: &Urls, id: &str, actor: &str) -> Value {
    json!({
        "@context": context(),
        "id": id,
        "type": "Follow",
        "actor": urls.actor,
        "to": [actor],
        "object": actor,
    })
}

/// `Undo` of the portal's follow `id` of `actor`.
pub fn unfollow(urls: &Urls, id: &str, actor: &str) -> Value {
    json!({
        "@context": context(),
        "id": format!("{id}#undo"),
        "type": "Undo",
        "actor": urls.actor,
        "to": [actor],
        "object": { "id": id, "type": "Follow", "actor": urls.actor, "object": actor },
    })
}
