//! `/sitemap.xml` (every public page, with its last change) and `/robots.txt`, which points at it.

use axum::extract::State;
use axum::response::Response;

use super::{document, failure, xml_escape};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::store::syndication;

/// The pages that are always there, besides items, cities and tags.
const FIXED: [&str; 6] = ["/", "/news", "/events", "/cities", "/map", "/partnerships"];

/// `GET /sitemap.xml`: every page in both languages, each naming its other-language twin.
pub async fn sitemap(State(state): State<AppState>) -> Response {
    let pages = state.store.call(|c| syndication::pages(c)).await;
    let pages = match pages {
        Ok(pages) => pages,
        Err(e) => return failure(Lang::En, &AppError::from(e)),
    };
    let base = &state.config.public_url;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let fixed = FIXED.iter().map(|p| (p.to_string(), None));
    let items = pages.into_iter().map(|(p, lastmod)| (p, Some(lastmod)));
    for (path, lastmod) in fixed.chain(items) {
        let alternates: String = Lang::ALL
            .iter()
            .map(|l| {
                format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    l.code(),
                    xml_escape(&format!("{base}{}", l.href(&path)))
                )
            })
            .collect();
        let lastmod = lastmod
            .map(|at| format!("<lastmod>{}</lastmod>", xml_escape(&at)))
            .unwrap_or_default();
        for lang in Lang::ALL {
            out.push_str(&format!(
                "<url><loc>{}</loc>{lastmod}{alternates}</url>\n",
                xml_escape(&format!("{base}{}", lang.href(&path))),
            ));
        }
    }
    out.push_str("</urlset>\n");
    document("application/xml; charset=utf-8", out)
}

/// `GET /robots.txt`.
pub async fn robots(State(state): State<AppState>) -> Response {
    document(
        "text/plain; charset=utf-8",
        format!(
            "User-agent: *\nDisallow: /api/\nDisallow: /login\nDisallow: /search\nDisallow: /ru/login\n\
             Disallow: /ru/search\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
            state.config.public_url
        ),
    )
}
