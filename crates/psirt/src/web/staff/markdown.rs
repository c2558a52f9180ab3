//! Staff Markdown (messages, notes): rendered by pulldown-cmark, then cleaned by ammonia — raw
//! HTML removed, only http, https and mailto links, every link `rel="noopener noreferrer nofollow"`.
//! Reporter text is never rendered as Markdown: it is shown as escaped plain text.

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, html};

pub fn render(source: &str) -> String {
    // Raw HTML in the source is dropped as an event before rendering: it never reaches the output.
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .filter(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    let mut out = String::new();
    html::push_html(&mut out, parser);
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&out)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_and_bad_schemes_are_removed() {
        let out = render(
            "**b** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://e.org)",
        );
        assert!(out.contains("<strong>b</strong>"));
        assert!(
            !out.contains("<script") && !out.contains("onerror") && !out.contains("javascript:")
        );
        assert!(out.contains("href=\"https://e.org\""));
    }
}
