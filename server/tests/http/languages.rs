//! The Russian interface under `/ru`: every page, its language and alternates, translated
//! interface text and city names, the fallback notice, errors, feeds and the sitemap.

use super::common;
use app::auth::Role;
use app::i18n::{Lang, KEYS};
use http::StatusCode;
use serde_json::json;

/// English interface strings (placeholders and plural forms aside) that the Russian catalogue
/// never uses ("English" is the Russian page's link to the English one).
fn english_only_strings() -> Vec<&'static str> {
    let russian: Vec<&str> = KEYS.iter().filter_map(|k| Lang::Ru.t().get(k)).collect();
    KEYS.iter()
        .filter_map(|k| Lang::En.t().get(k))
        .filter(|en| !russian.contains(en) && !en.contains('{') && !en.contains('|'))
        .collect()
}

#[test]
fn russian_pages_are_russian_throughout() {
    common::block_on(async {
        let app = common::app();
        let english = english_only_strings();
        for path in [
            "/ru",
            "/ru/cities",
            "/ru/map",
            "/ru/cities/coventry",
            "/ru/search?q=Хемниц",
        ] {
            let (status, body) = app.get(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(body.contains(r#"<html lang="ru""#), "{path}");
            let leaked: Vec<_> = english
                .iter()
                .filter(|s| body.contains(&format!(">{s}<")))
                .collect();
            assert!(leaked.is_empty(), "{path} shows English: {leaked:?}");
        }
        let (_, body) = app.get("/ru/cities/coventry").await;
        assert!(body.contains("Ковентри") && body.contains("Великобритания"));
        assert!(body.contains("Партнёрство приостановлено"));
        assert!(body.contains("Ковентри приостановил связи 22.03.2022"));
        let (_, body) = app.get("/ru").await;
        assert!(body.contains("Волгоград и города-побратимы"));
        assert!(body.contains("с 25 городами в 19 странах"));
    });
}

#[test]
fn every_page_names_both_languages_and_links_its_twin() {
    common::block_on(async {
        let app = common::app();
        for (path, en, ru) in [
            ("/news", "/news", "/ru/news"),
            ("/ru/news", "/news", "/ru/news"),
            ("/ru", "/", "/ru"),
            (
                "/cities/coventry",
                "/cities/coventry",
                "/ru/cities/coventry",
            ),
        ] {
            let (_, body) = app.get(path).await;
            assert!(
                body.contains(&format!(r#"href="http://portal.test{en}" hreflang="en""#)),
                "{path}"
            );
            assert!(
                body.contains(&format!(r#"href="http://portal.test{ru}" hreflang="ru""#)),
                "{path}"
            );
        }
        let (_, body) = app.get("/news?kind=news").await;
        assert!(
            body.contains(r#"href="/ru/news?kind=news""#),
            "the switch keeps the query"
        );
        let (status, body) = app.get("/ru/news?kind=news").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#"href="/news?kind=news""#));
        assert!(body.contains(r#"href="/ru/news/"#), "links stay in Russian");
    });
}

#[test]
fn untranslated_items_fall_back_to_english_with_a_notice() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app
            .get("/ru/news/reply-from-a-twin-city-across-the-ocean")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Этот текст ещё не переведён на русский"));
        assert!(
            body.contains(r#"lang="en""#),
            "the English text is marked as English"
        );
        let (_, body) = app
            .get("/news/reply-from-a-twin-city-across-the-ocean")
            .await;
        assert!(!body.contains("translation-notice"));
    });
}

#[test]
fn an_editor_writes_the_russian_text_on_the_russian_page() {
    common::block_on(async {
        let app = common::app();
        app.add_user("olga", Role::Editor);
        let cookie = app.login("olga").await;
        let item = app
            .editable(
                "kind=news&slug=reply-from-a-twin-city-across-the-ocean&lang=ru",
                &cookie,
            )
            .await;
        let mut fields = item["fields"].clone();
        fields["lang"] = json!("ru");
        fields["title"] = json!("Как получить ответ от города-побратима за океаном");
        let request = common::update_request(&item, &fields);
        let (parts, body) = app
            .post_json("/api/update_item", &request, Some(&cookie))
            .await;
        assert_eq!(parts.status, StatusCode::OK, "{body}");

        let (_, ru) = app
            .get("/ru/news/reply-from-a-twin-city-across-the-ocean")
            .await;
        assert!(ru.contains("Как получить ответ от города-побратима за океаном"));
        assert!(!ru.contains("translation-notice"));
        let (_, en) = app
            .get("/news/reply-from-a-twin-city-across-the-ocean")
            .await;
        assert!(en.contains("How to secure a reply from your twin-city"));
        assert!(!en.contains("Как получить ответ"));
    });
}

#[test]
fn bad_input_is_explained_in_the_page_s_language() {
    common::block_on(async {
        let app = common::app();
        let (status, body) = app.get("/ru/news?page=two").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("Номер страницы должен быть целым числом"));
        let (status, body) = app.get("/ru/no/such/page").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Страница не найдена"));
    });
}

#[test]
fn feeds_calendars_and_the_sitemap_come_in_both_languages() {
    common::block_on(async {
        let app = common::app();
        let (status, rss) = app.get("/ru/news/rss.xml").await;
        assert_eq!(status, StatusCode::OK);
        assert!(rss.contains("<language>ru</language>"));
        assert!(rss.contains("<title>Международный Волгоград</title>"));
        assert!(rss.contains("http://portal.test/ru/news/"));
        let (_, atom) = app.get("/ru/news/atom.xml").await;
        assert!(atom.contains(r#"xml:lang="ru""#));
        let (status, ics) = app.get("/ru/events.ics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(ics.contains("URL:http://portal.test/ru/events/"));
        let (_, sitemap) = app.get("/sitemap.xml").await;
        assert!(sitemap.contains("<loc>http://portal.test/ru/cities/coventry</loc>"));
        assert!(sitemap.contains("<loc>http://portal.test/cities/coventry</loc>"));
        assert!(sitemap.contains(r#"hreflang="ru" href="http://portal.test/ru/cities/coventry""#));
    });
}

#[test]
fn a_bad_filter_is_explained_in_the_page_s_language() {
    common::block_on(async {
        let app = common::app();
        for (uri, words) in [
            ("/news?kind=poem", "The kind must be “news” or “event”."),
            ("/ru/news?kind=poem", "Вид должен быть «news» или «event»."),
            (
                "/ru/news?year=20x0",
                "Год должен быть годом от 1900 до 2200",
            ),
            ("/ru/partnerships?status=closed", "Статус должен быть"),
        ] {
            let (status, page) = app.get(uri).await;
            assert_eq!(status, http::StatusCode::BAD_REQUEST, "{uri}");
            assert!(page.contains(words), "{uri}");
        }
    });
}
