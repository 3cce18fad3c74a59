//! What partner portals and the fediverse send, as people see it: the posts and decisions of
//! the editors' moderation inbox and the admins' block list (its page in `page`), and approved
//! posts where they belong (`shown`): on the partner city's page, in the home page's "From our
//! twin cities", and under the item a reply answers. Everything shown is the sanitised copy
//! kept on arrival, attributed and linked to the original, in the languages the original
//! carries.

mod page;
mod shown;

pub use page::InboxPage;
pub use shown::{PartnerPosts, Replies};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Moderation;
use crate::editor::FieldDiff;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::fill;
use crate::i18n::{Key, Lang};
use crate::pager::Page;

/// Waiting posts shown on one page of the inbox.
const WAITING_PER_PAGE: u32 = 20;

/// A received post in the reader's language (or the one it has).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub object_id: String,
    pub kind: String,
    pub author: String,
    /// `user@server`.
    pub handle: String,
    /// The original's page (empty when it named none).
    pub url: String,
    /// The language code of the texts below; empty when the original did not say.
    pub lang: String,
    pub title: String,
    /// Sanitised HTML.
    pub summary: String,
    pub content: String,
    pub published: String,
    pub status: Moderation,
    /// The partner city whose portal sent it.
    pub city: Option<String>,
    /// The page of the item a reply answers.
    pub reply_to: Option<String>,
    /// An edit of the approved post, waiting: how its texts differ from the approved ones.
    pub edit: Option<Vec<FieldDiff>>,
}

/// What a cap on the moderation list refused in the last week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The server that had too much waiting; `None` when the whole list was full.
    pub server: Option<String>,
    pub count: u64,
    /// The cap that refused them: what one server, or all of them, may have waiting.
    pub cap: u32,
}

/// The moderation inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    /// A page of the posts and edits waiting, oldest first.
    pub held: Page<Post>,
    pub refused: Vec<Refused>,
    /// The latest decided posts.
    pub decided: Vec<Post>,
    /// Blocked servers and accounts; shown to admins only.
    pub blocks: Option<Vec<(String, String)>>,
}

#[cfg(feature = "ssr")]
mod read {
    use serde_json::{Map, Value};

    use super::Post;
    use crate::editor::{Change, FieldDiff, Segment};
    use crate::i18n::{Key, Lang};
    use crate::news::ItemKind;
    use crate::store::federation::ReceivedPost;

    /// The text of `map` (a stored JSON object) in `lang`, else English, else any.
    fn pick(map: &str, lang: &str) -> Option<(String, String)> {
        let map: Map<String, Value> = serde_json::from_str(map).ok()?;
        let order = [lang, "en", "und"];
        order
            .iter()
            .find_map(|l| map.get(*l).map(|v| (l.to_string(), v)))
            .or_else(|| map.iter().next().map(|(l, v)| (l.clone(), v)))
            .and_then(|(l, v)| v.as_str().map(|text| (l, text.to_owned())))
    }

    /// The text of sanitised HTML, as an editor compares two versions of it.
    fn plain(html: &str) -> String {
        ammonia::Builder::empty()
            .clean(&with_targets(html))
            .to_string()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// `html` (as `clean_remote` writes it) with each link's address after its text, so that
    /// an editor sees where a link goes (`log in (https://evil.example/login)`), not only
    /// what it says.
    fn with_targets(html: &str) -> String {
        const OPEN: &str = "<a href=\"";
        let pieces: Vec<&str> = html.split("</a>").collect();
        let mut out = String::with_capacity(html.len());
        for (n, piece) in pieces.iter().enumerate() {
            out.push_str(piece);
            if n + 1 == pieces.len() {
                break;
            }
            let href = piece
                .rfind(OPEN)
                .and_then(|at| piece[at + OPEN.len()..].split('"').next());
            if let Some(href) = href {
                out.push_str(" (");
                out.push_str(href);
                out.push(')');
            }
            out.push_str("</a>");
        }
        out
    }

    /// `received` as `lang`'s reader sees it.
    pub fn post(received: ReceivedPost, lang: Lang) -> Post {
        let p = &received.post;
        // The edit beside the approved texts, whole (an editor has to read all of what would be
        // shown), in the language the post is shown in.
        let edit = received.edit.as_ref().map(|edit| {
            let shown = pick(&p.contents, lang.code()).map(|(l, _)| l);
            let code = shown.as_deref().unwrap_or(lang.code());
            let text = |map: &str| pick(map, code).map(|(_, t)| plain(&t)).unwrap_or_default();
            [
                (Key::DiffTitle, &p.names, &edit.names),
                (Key::DiffLead, &p.summaries, &edit.summaries),
                (Key::DiffText, &p.contents, &edit.contents),
            ]
            .into_iter()
            .filter_map(|(label, old, new)| {
                let (old, new) = (text(old), text(new));
                (old != new).then(|| FieldDiff {
                    label,
                    segments: [(Change::Removed, old), (Change::Added, new)]
                        .into_iter()
                        .filter(|(_, text)| !text.is_empty())
                        .map(|(change, text)| Segment { change, text })
                        .collect(),
                })
            })
            .collect()
        });
        let (lang_code, content) = pick(&p.contents, lang.code()).unwrap_or_default();
        // The title and summary in the language the content is shown in, so one post is never
        // a mixture.
        let in_lang = |map: &str| {
            pick(map, &lang_code)
                .filter(|(l, _)| *l == lang_code)
                .map(|(_, t)| t)
                .unwrap_or_default()
        };
        Post {
            object_id: p.object_id.clone(),
            kind: p.kind.clone(),
            author: received.author.clone(),
            handle: received.handle.clone(),
            url: p.url.clone(),
            title: in_lang(&p.names),
            summary: in_lang(&p.summaries),
            lang: if lang_code == "und" {
                String::new()
            } else {
                lang_code
            },
            content,
            published: p.published.clone(),
            status: received.status,
            city: received.city.clone(),
            reply_to: received
                .reply_to
                .as_ref()
                .and_then(|(slug, kind)| ItemKind::from_db(kind).map(|k| lang.href(&k.href(slug)))),
            edit,
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn an_editor_sees_where_each_link_goes() {
            let html = r#"<p>Claim your <a href="https://evil.example/login?a=1&amp;b=2" rel="ugc">prize</a> now</p>"#;
            assert_eq!(
                super::plain(html),
                "Claim your prize (https://evil.example/login?a=1&b=2) now"
            );
            assert_eq!(super::plain("<p>No links</p>"), "No links");
        }
    }
}

/// What to do with a held post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
    /// Approve, and open a draft news item with the post's text for an editor to translate.
    Translate,
}

/// Page `page` of the moderation inbox. Editors only.
#[server(prefix = "/api", endpoint = "get_inbox")]
pub async fn get_inbox(
    #[server(default)] page: u32,
    #[server(default)] lang: Lang,
) -> Result<Inbox, AppError> {
    use crate::auth::{session, Role};
    use crate::state::app_state;
    use crate::store::federation::{self as stored, Cap, WAITING_IN_ALL, WAITING_PER_SERVER};
    let user = session::require(Role::Editor).await?;
    let admin = user.role == Role::Admin;
    let page = page.max(1);
    let now = super::now();
    let (held, decided, refused, blocks) = app_state()?
        .store
        .call(move |c| {
            let (held, decided) = stored::moderation_list(c, page, WAITING_PER_PAGE, 20)?;
            let refused = stored::refusals(c, now)?;
            let blocks = if admin {
                Some(stored::blocks(c)?)
            } else {
                None
            };
            Ok((held, decided, refused, blocks))
        })
        .await?;
    if held.page > held.pages {
        return Err(AppError::NotFound);
    }
    Ok(Inbox {
        held: Page {
            items: held
                .items
                .into_iter()
                .map(|p| read::post(p, lang))
                .collect(),
            page: held.page,
            pages: held.pages,
        },
        refused: refused
            .into_iter()
            .map(|(cap, server, count)| match cap {
                Cap::Server => Refused {
                    server: Some(server),
                    count,
                    cap: WAITING_PER_SERVER,
                },
                Cap::Inbox => Refused {
                    server: None,
                    count,
                    cap: WAITING_IN_ALL,
                },
            })
            .collect(),
        decided: decided.into_iter().map(|p| read::post(p, lang)).collect(),
        blocks: blocks.map(|all| {
            all.into_iter()
                .map(|(kind, value)| (kind.as_str().to_owned(), value))
                .collect()
        }),
    })
}

/// Approves or rejects the post `object`; `translate` also opens a draft with its text. Then
/// goes back to the inbox (or to the draft). Editors only.
#[server(prefix = "/api", endpoint = "moderate_post")]
pub async fn moderate_post(
    object: String,
    decision: Decision,
    #[server(default)] lang: Lang,
) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::{state::app_state, store};
    let user = session::require(Role::Editor).await?;
    let act = match decision {
        Decision::Approve => FederationAct::Approved,
        Decision::Reject => FederationAct::Rejected,
        Decision::Translate => FederationAct::Translated,
    };
    let draft = app_state()?
        .store
        .call(move |c| {
            if !store::federation::moderate(c, &object, decision != Decision::Reject, user.id)? {
                return Ok(None);
            }
            // Read after the decision: an approved edit is what gets translated.
            let Some(received) = store::federation::received(c, &object)? else {
                return Ok(None);
            };
            let detail = AuditDetail::Federated {
                act,
                subject: object.clone(),
            };
            store::audit::record(c, Some(user.id), "federation", &received.handle, &detail)?;
            if decision != Decision::Translate {
                return Ok(Some(None));
            }
            let post = read::post(received, lang);
            draft_of(c, &post, lang, user.id).map(|href| Some(Some(href)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    match draft {
        Some(href) => crate::url::redirect(&format!("{href}?edit")),
        None => crate::url::redirect(&lang.href("/inbox#held")),
    }
    Ok(())
}

/// A draft news item holding `post`'s text, in the language it is written in (or `lang`), with
/// a line naming its source; the address of its page.
#[cfg(feature = "ssr")]
fn draft_of(
    conn: &mut rusqlite::Connection,
    post: &Post,
    lang: Lang,
    user: i64,
) -> Result<String, crate::store::StoreError> {
    use crate::editor::{RevisionNote, MAX_BODY, MAX_LEAD, MAX_TITLE};
    use crate::news::ItemKind;
    use crate::store::editor;
    let written_in = Lang::ALL
        .into_iter()
        .find(|l| l.code() == post.lang)
        .unwrap_or(lang);
    let draft = editor::create_draft(conn, ItemKind::News, written_in, user)?;
    let title = if post.title.is_empty() {
        fill(written_in.p().inbox_draft_title, &[&post.handle])
    } else {
        post.title.clone()
    };
    let link = if post.url.is_empty() {
        &post.object_id
    } else {
        &post.url
    };
    let source = fill(written_in.p().inbox_draft_source, &[&post.handle, link]);
    let fields = crate::editor::ItemFields {
        lang: written_in,
        title: title.chars().take(MAX_TITLE).collect(),
        lead: ammonia::Builder::empty()
            .clean(&post.summary)
            .to_string()
            .chars()
            .take(MAX_LEAD)
            .collect(),
        body: format!("{}\n\n{source}", post.content)
            .chars()
            .take(MAX_BODY)
            .collect(),
        cities: post.city.iter().cloned().collect(),
        ..draft.fields.clone()
    };
    // The first save names the draft after its title: its address is the saved one.
    let slug = match editor::save_item(
        conn,
        draft.id,
        draft.version,
        &fields,
        user,
        RevisionNote::Created,
    )? {
        editor::SaveOutcome::Saved(saved) => saved.slug,
        editor::SaveOutcome::Conflict(_) => draft.slug,
    };
    Ok(written_in.href(&ItemKind::News.href(&slug)))
}

/// Blocks a server (`chemnitz.example`) or an account (`user@server`, or its actor address).
/// Admins only.
#[server(prefix = "/api", endpoint = "block_sender")]
pub async fn block_sender(value: String, #[server(default)] lang: Lang) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::store::federation::BlockKind;
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    let value = value.trim().trim_start_matches('@').to_owned();
    let invalid = || AppError::invalid("value", Key::ErrBlockValue);
    let state = app_state()?;
    // Named as the inbox compares them: a server by its host (any spelling, with its
    // subdomains), an account by its actor id exactly, a handle by the actor it names.
    let (kind, value) = if value.contains("://") {
        let id = store::federation::actor_name(&value).ok_or_else(invalid)?;
        (BlockKind::Account, id)
    } else if value.contains('@') {
        super::remote::split_handle(&value).ok_or_else(invalid)?;
        let actor = super::remote::lookup(&state, &value)
            .await
            .map_err(|_| AppError::invalid("value", Key::ErrPartnerUnreachable))?;
        let id = store::federation::actor_name(&actor.id).ok_or_else(invalid)?;
        (BlockKind::Account, id)
    } else {
        let host = store::federation::server_name(&value).ok_or_else(invalid)?;
        (BlockKind::Server, host)
    };
    state
        .store
        .call(move |c| {
            store::federation::block(c, kind, &value, user.id)?;
            let detail = AuditDetail::Federated {
                act: FederationAct::Blocked,
                subject: value.clone(),
            };
            store::audit::record(c, Some(user.id), "federation", &value, &detail)
        })
        .await?;
    crate::url::redirect(&lang.href("/inbox#blocks"));
    Ok(())
}

/// Lifts a block. Admins only.
#[server(prefix = "/api", endpoint = "unblock_sender")]
pub async fn unblock_sender(
    kind: String,
    value: String,
    #[server(default)] lang: Lang,
) -> Result<(), AppError> {
    use crate::auth::{session, Role};
    use crate::editor::audit::{AuditDetail, FederationAct};
    use crate::store::federation::BlockKind;
    use crate::{state::app_state, store};
    let user = session::require(Role::Admin).await?;
    let kind =
        BlockKind::from_db(&kind).ok_or_else(|| AppError::invalid("kind", Key::ErrBlockValue))?;
    app_state()?
        .store
        .call(move |c| {
            if store::federation::unblock(c, kind, &value)? {
                let detail = AuditDetail::Federated {
                    act: FederationAct::Unblocked,
                    subject: value.clone(),
                };
                store::audit::record(c, Some(user.id), "federation", &value, &detail)?;
            }
            Ok(())
        })
        .await?;
    crate::url::redirect(&lang.href("/inbox#blocks"));
    Ok(())
}

/// Approved posts of the partner portal followed for the city at `city`, newest first.
#[server(prefix = "/api", endpoint = "get_partner_posts")]
pub async fn get_partner_posts(
    city: String,
    #[server(default)] lang: Lang,
) -> Result<Vec<Post>, AppError> {
    use crate::{state::app_state, store};
    let posts = app_state()?
        .store
        .call(move |c| store::federation::approved_of_city(c, &city, 5))
        .await?;
    Ok(posts.into_iter().map(|p| read::post(p, lang)).collect())
}

/// The newest approved posts of all partner portals, for the home page.
#[server(prefix = "/api", endpoint = "get_twin_posts")]
pub async fn get_twin_posts(#[server(default)] lang: Lang) -> Result<Vec<Post>, AppError> {
    use crate::{state::app_state, store};
    let posts = app_state()?
        .store
        .call(|c| store::federation::approved_latest(c, 3))
        .await?;
    Ok(posts.into_iter().map(|p| read::post(p, lang)).collect())
}

/// The approved replies to the item of `kind` at `slug`, oldest first.
#[server(prefix = "/api", endpoint = "get_replies")]
pub async fn get_replies(
    kind: crate::news::ItemKind,
    slug: String,
    #[server(default)] lang: Lang,
) -> Result<Vec<Post>, AppError> {
    use crate::{state::app_state, store};
    let posts = app_state()?
        .store
        .call(move |c| {
            let Some(item) = store::items::visible_item(c, lang, kind, &slug)? else {
                return Ok(Vec::new());
            };
            store::federation::approved_replies(c, item.id)
        })
        .await?;
    Ok(posts.into_iter().map(|p| read::post(p, lang)).collect())
}
