//! Turns the interface catalogues (`locales/en.json`, `locales/ru.json`) into one Rust struct with
//! a constant per language, so that a missing or misspelt string fails the build, not a page.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::{env, fs, path::Path};

const LANGS: [(&str, &str); 2] = [("EN", "locales/en.json"), ("RU", "locales/ru.json")];

fn read(path: &str) -> Vec<(String, String)> {
    println!("cargo:rerun-if-changed={path}");
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // Keep the file's order so that the generated struct reads like the catalogue.
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    map.into_iter()
        .map(|(key, value)| {
            let text = value
                .as_str()
                .unwrap_or_else(|| panic!("{path}: “{key}” must be a string"));
            assert!(
                key.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{path}: the key “{key}” must be snake_case"
            );
            assert!(!text.trim().is_empty(), "{path}: “{key}” is empty");
            (key, text.to_owned())
        })
        .collect()
}

fn main() {
    let catalogues: Vec<(&str, Vec<(String, String)>)> = LANGS
        .iter()
        .map(|(name, path)| (*name, read(path)))
        .collect();
    let keys: Vec<&String> = catalogues[0].1.iter().map(|(k, _)| k).collect();
    for (name, entries) in &catalogues[1..] {
        let theirs: BTreeMap<&String, &String> = entries.iter().map(|(k, v)| (k, v)).collect();
        let missing: Vec<&&String> = keys.iter().filter(|k| !theirs.contains_key(**k)).collect();
        let extra: Vec<&&String> = theirs.keys().filter(|k| !keys.contains(k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "catalogue {name}: missing {missing:?}, not in English {extra:?}"
        );
    }

    let mut out = String::new();
    out.push_str(
        "/// Every interface string, in one language (generated from `app/locales/*.json`).\n",
    );
    out.push_str("#[derive(Debug)]\npub struct Text {\n");
    for key in &keys {
        writeln!(out, "    pub {key}: &'static str,").unwrap();
    }
    out.push_str("}\n\n/// Every key of the catalogue.\n");
    writeln!(out, "pub const KEYS: [&str; {}] = {keys:?};", keys.len()).unwrap();
    out.push_str("\nimpl Text {\n");
    out.push_str("    /// The string stored under `key`, for messages that travel as keys.\n");
    out.push_str(
        "    pub fn get(&self, key: &str) -> Option<&'static str> {\n        match key {\n",
    );
    for key in &keys {
        writeln!(out, "            {key:?} => Some(self.{key}),").unwrap();
    }
    out.push_str("            _ => None,\n        }\n    }\n}\n");
    for (name, entries) in &catalogues {
        let by_key: BTreeMap<&String, &String> = entries.iter().map(|(k, v)| (k, v)).collect();
        writeln!(out, "\npub static {name}: Text = Text {{").unwrap();
        for key in &keys {
            writeln!(out, "    {key}: {:?},", by_key[key]).unwrap();
        }
        out.push_str("};\n");
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("text.rs");
    fs::write(dest, out).expect("write the generated catalogue");
}
