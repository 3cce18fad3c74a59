//! Another server's object read as a post the portal may keep: a post type, on its actor's
//! server and attributed to it, its texts per language sanitised and bounded, its date never
//! later than its arrival.

use serde_json::{Map, Value};

use crate::store::federation::{self as stored, IncomingPost, RemoteActor};

/// Object types kept as posts.
const POST_TYPES: [&str; 4] = ["Article", "Event", "Note", "Page"];
/// The most of a post's texts kept, per language, in characters.
const MAX_POST_NAME: usize = 300;
const MAX_POST_SUMMARY: usize = 2_000;
const MAX_POST_CONTENT: usize = 20_000;

/// The id a property names: the string itself, or the `id` of an object.
pub(super) fn id_of(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(id) => Some(id),
        Value::Object(object) => object.get("id").and_then(Value::as_str),
        _ => None,
    }
}

pub(super) fn kind_of(value: &Value) -> &str {
    value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// When a post says it was written: its `published` as a stored UTC time when it is one and
/// not later than `now`, else `now`.
fn written_at(published: &str, now: i64) -> String {
    let now = crate::i18n::iso_time(now);
    let digits = |range: std::ops::Range<usize>| {
        published
            .get(range)
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    let shaped = digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
        && published.get(4..5) == Some("-")
        && published.get(7..8) == Some("-")
        && published.get(10..11) == Some("T")
        && published.get(13..14) == Some(":")
        && published.get(16..17) == Some(":");
    match published.get(..19) {
        Some(time) if shaped && format!("{time}Z") <= now => format!("{time}Z"),
        _ => now,
    }
}

/// `object` as a post of `actor` (answering the portal's item `in_reply_to`), received at
/// `now`, when it is one: a post type, on the actor's host, attributed to the actor. Its HTML
/// is sanitised; texts are kept per language, bounded.
pub(super) fn post_of(
    actor: &RemoteActor,
    object: &Value,
    in_reply_to: Option<i64>,
    now: i64,
) -> Option<IncomingPost> {
    if !POST_TYPES.contains(&kind_of(object)) {
        return None;
    }
    let id = id_of(Some(object))?;
    let host = stored::host_of(id);
    if host.is_empty() || host != stored::host_of(&actor.id) {
        return None;
    }
    let attributed = match object.get("attributedTo") {
        Some(Value::Array(all)) => all.iter().any(|a| id_of(Some(a)) == Some(&actor.id)),
        other => id_of(other) == Some(actor.id.as_str()),
    };
    if !attributed {
        return None;
    }
    let url = match object.get("url") {
        Some(Value::String(url)) => url.clone(),
        Some(Value::Array(links)) => links
            .iter()
            .find_map(|l| id_of(Some(l)).or_else(|| l.get("href").and_then(Value::as_str)))
            .unwrap_or_default()
            .to_owned(),
        Some(Value::Object(link)) => link
            .get("href")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    let url = if url.starts_with("https://") || url.starts_with("http://") {
        url
    } else {
        String::new()
    };
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Some(IncomingPost {
        object_id: id.to_owned(),
        actor: actor.id.clone(),
        kind: kind_of(object).to_owned(),
        in_reply_to,
        url,
        names: languages(object, "name", |t| t.chars().take(MAX_POST_NAME).collect()),
        summaries: languages(object, "summary", |t| clean_bounded(t, MAX_POST_SUMMARY)),
        contents: languages(object, "content", |t| clean_bounded(t, MAX_POST_CONTENT)),
        published: written_at(&text("published"), now),
        updated: text("updated"),
    })
}

/// Another server's HTML made safe to show: text structure and links only. No images (they
/// would load from the other server as the visitor reads), no styles, no scripts; links are
/// marked as user content and open nothing in this page's context.
pub fn clean_remote(html: &str) -> String {
    let tags = [
        "a",
        "p",
        "br",
        "em",
        "strong",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
    ];
    ammonia::Builder::empty()
        .add_tags(tags)
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .clean(html)
        .to_string()
}

/// The first `chars` characters of `html`, made safe by `clean_remote` (which also closes what
/// the cut left open).
fn clean_bounded(html: &str, chars: usize) -> String {
    match html.char_indices().nth(chars) {
        Some((end, _)) => clean_remote(&html[..end]),
        None => clean_remote(html),
    }
}

/// The texts of `key` per language (`keyMap`, else `key` as "und"), made safe by `clean`, as a
/// JSON object.
fn languages(object: &Value, key: &str, clean: impl Fn(&str) -> String) -> String {
    let mut out = Map::new();
    if let Some(Value::Object(map)) = object.get(format!("{key}Map").as_str()) {
        for (lang, text) in map {
            let tag_ok = !lang.is_empty()
                && lang.len() <= 35
                && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if let (true, Some(text)) = (tag_ok, text.as_str()) {
                out.insert(lang.clone(), Value::String(clean(text)));
            }
        }
    }
    if out.is_empty() {
        if let Some(text) = object.get(key).and_then(Value::as_str) {
            out.insert("und".into(), Value::String(clean(text)));
        }
    }
    Value::Object(out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chemnitz() -> RemoteActor {
        RemoteActor {
            id: "https://chemnitz.example/federation/actor".into(),
            inbox: "https://chemnitz.example/federation/inbox".into(),
            shared_inbox: None,
            key_id: "https://chemnitz.example/federation/actor#main-key".into(),
            public_pem: String::new(),
            handle: "news@chemnitz.example".into(),
            name: "Chemnitz".into(),
            fetched_at: 0,
        }
    }

    #[test]
    fn a_post_keeps_its_languages_and_loses_its_scripts() {
        let post = post_of(
            &chemnitz(),
            &json!({
                "id": "https://chemnitz.example/federation/items/3", "type": "Article",
                "attributedTo": "https://chemnitz.example/federation/actor",
                "url": "https://chemnitz.example/news/x",
                "nameMap": { "en": "Hello", "de": "Hallo", "bad key": "x" },
                "contentMap": { "en": "<p>Hi<script>alert(1)</script></p>",
                                "de": "<img src=x onerror=alert(1)><a href=\"javascript:x\">y</a>" },
            }),
            None,
            0,
        )
        .unwrap();
        let names: Value = serde_json::from_str(&post.names).unwrap();
        assert_eq!(names, json!({ "en": "Hello", "de": "Hallo" }));
        for gone in ["script", "onerror", "<img", "javascript"] {
            assert!(!post.contents.contains(gone), "{gone}: {}", post.contents);
        }
        assert_eq!(post.url, "https://chemnitz.example/news/x");
    }

    #[test]
    fn posts_of_other_hosts_or_authors_are_not_kept() {
        let actor = chemnitz();
        let post = |id: &str, by: &str| json!({ "id": id, "type": "Note", "attributedTo": by, "content": "x" });
        let elsewhere = post("https://evil.example/1", &actor.id);
        assert!(post_of(&actor, &elsewhere, None, 0).is_none());
        let by_other = post(
            "https://chemnitz.example/1",
            "https://chemnitz.example/other",
        );
        assert!(post_of(&actor, &by_other, None, 0).is_none());
        let like = json!({ "id": "https://chemnitz.example/1", "type": "Like" });
        assert!(post_of(&actor, &like, None, 0).is_none());
        let own = post("https://chemnitz.example/1", &actor.id);
        let kept = post_of(&actor, &own, Some(4), 0).unwrap();
        assert_eq!(kept.contents, r#"{"und":"x"}"#);
        assert_eq!(kept.url, "");
        assert_eq!(kept.in_reply_to, Some(4));
    }

    #[test]
    fn a_post_is_dated_no_later_than_it_arrived() {
        let now = 1_767_225_600; // 2026-01-01T00:00:00Z
        assert_eq!(
            written_at("2025-12-24T18:30:00+01:00", now),
            "2025-12-24T18:30:00Z"
        );
        for odd in [
            "2999-01-01T00:00:00Z",
            "yesterday",
            "",
            "2025-12-24",
            "2025-1é-24T18:30:00Z",
        ] {
            assert_eq!(written_at(odd, now), "2026-01-01T00:00:00Z", "{odd}");
        }
    }

    #[test]
    fn long_texts_are_cut_and_stay_well_formed() {
        let long = format!("<p><em>{}</em></p>", "ж".repeat(50));
        let cut = clean_bounded(&long, 20);
        assert!(cut.ends_with("</em></p>"), "{cut}");
        assert_eq!(cut.matches('ж').count(), 13);
    }
}
