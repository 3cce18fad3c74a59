//! Turns an item's stored Markdown body into HTML that is safe to put on a public page.

use pulldown_cmark::{html, Options, Parser};

/// Renders `markdown` and sanitises the result, so that no editor-supplied script, event
/// handler or style ever reaches a visitor.
pub fn render(markdown: &str) -> String {
    ammonia::clean(&to_html(markdown))
}

/// `render`, with links and images relative to the site made absolute against `base`: for
/// copies read elsewhere (federated posts), where a relative link would point at the reader's
/// server.
pub fn render_absolute(markdown: &str, base: &str) -> String {
    let Ok(base) = ammonia::Url::parse(&format!("{base}/")) else {
        return render(markdown);
    };
    ammonia::Builder::default()
        .url_relative(ammonia::UrlRelative::RewriteWithBase(base))
        .clean(&to_html(markdown))
        .to_string()
}

fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn absolute_rendering_resolves_site_links_only() {
        let html = super::render_absolute(
            "[a](/news/x) ![b](/media/h/400.jpg) [c](https://example.org/y) <a href=\"javascript:x\">d</a>",
            "https://city.example",
        );
        assert!(
            html.contains("href=\"https://city.example/news/x\""),
            "{html}"
        );
        assert!(
            html.contains("src=\"https://city.example/media/h/400.jpg\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://example.org/y\""), "{html}");
        assert!(!html.contains("javascript"), "{html}");
    }

    #[test]
    fn renders_markdown() {
        let html = render("Hello *world*\n\n- one\n- two\n");
        assert!(html.contains("<em>world</em>"));
        assert!(html.contains("<li>two</li>"));
    }

    #[test]
    fn strips_script_and_event_handlers() {
        let html = render(
            "<script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">x</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
