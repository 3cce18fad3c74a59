//! The features depend on each other in one direction only: `news` (items and their feeds) on
//! none, `cities` on `news`, `partnerships` and the `editor` on both. Visitors' pages never import the editor; the
//! routes (`src/routes.rs`) put an editor's controls around them. A cycle would be back the day
//! a visitor's page needed an editor's type again.

use std::path::Path;

/// Every `crate::<feature>` a feature's source names, with the file it is in.
fn imports(feature: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(feature);
    let mut found = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a feature folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                for (at, _) in text.match_indices("crate::") {
                    let name: String = text[at + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    found.push((name, path.display().to_string()));
                }
            }
        }
    }
    found
}

fn assert_never_imports(feature: &str, others: &[&str]) {
    let bad: Vec<_> = imports(feature)
        .into_iter()
        .filter(|(name, _)| others.contains(&name.as_str()))
        .collect();
    assert!(bad.is_empty(), "{feature} imports {bad:?}");
}

#[test]
fn news_depends_on_no_other_feature() {
    assert_never_imports(
        "news",
        &["editor", "cities", "events", "search", "partnerships"],
    );
}

#[test]
fn cities_never_import_the_editor() {
    assert_never_imports("cities", &["editor", "events", "search", "partnerships"]);
}

#[test]
fn visitors_pages_never_import_the_editor() {
    for feature in ["events", "search"] {
        assert_never_imports(feature, &["editor"]);
    }
}

#[test]
fn partnerships_use_the_editor_only_to_store_a_photo_on_the_server() {
    let bad: Vec<_> = imports("partnerships")
        .into_iter()
        .filter(|(name, file)| name == "editor" && !file.ends_with("form.rs"))
        .collect();
    assert!(bad.is_empty(), "partnerships import {bad:?}");
}
