//! Turns an item's stored Markdown body into HTML that is safe to put on a public page.

use pulldown_cmark::{html, Options, Parser};

/// Renders `markdown` and sanitises the result, so that no editor-supplied script, event
/// handler or style ever reaches a visitor.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    ammonia::clean(&out)
}

#[cfg(test)]
mod tests {
    use super::render;

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
