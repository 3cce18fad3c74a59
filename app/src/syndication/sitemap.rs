//! `/sitemap.xml` (every public page, with its last change) and `/robots.txt`, which points at it.

use axum::extract::State;
use axum::response::Response;

use super::{document, failure, xml_escape};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::syndication;

/// The pages that are always there, besides items, cities and tags.
const FIXED: [&str; 5] = ["/", "/news", "/events", "/cities", "/map"];

/// `GET /sitemap.xml`.
pub async fn sitemap(State(state): State<AppState>) -> Response {
    let pages = state.store.call(|c| syndication::pages(c)).await;
    let pages = match pages {
        Ok(pages) => pages,
        Err(e) => return failure(&AppError::from(e)),
    };
    let base = &state.config.public_url;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in FIXED {
        out.push_str(&format!(
            "<url><loc>{}</loc></url>\n",
            xml_escape(&format!("{base}{path}"))
        ));
    }
    for (path, lastmod) in pages {
        out.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            xml_escape(&format!("{base}{path}")),
            xml_escape(&lastmod)
        ));
    }
    out.push_str("</urlset>\n");
    document("application/xml; charset=utf-8", out)
}

/// `GET /robots.txt`.
pub async fn robots(State(state): State<AppState>) -> Response {
    document(
        "text/plain; charset=utf-8",
        format!(
            "User-agent: *\nDisallow: /api/\nDisallow: /login\nDisallow: /search\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
            state.config.public_url
        ),
    )
}
