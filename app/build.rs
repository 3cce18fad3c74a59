//! Turns the interface catalogues into Rust structs with a constant per language, so that a
//! missing or misspelt string fails the build, not a page: `locales/{en,ru}.json` into `Text`,
//! which islands carry too, and `locales/pages/{en,ru}.json` into `PageText`, the strings of
//! parts only ever rendered on the server, which the browser's WebAssembly never needs.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::{env, fs, path::Path};

const LANGS: [(&str, &str); 2] = [("EN", "locales/en.json"), ("RU", "locales/ru.json")];
const PAGE_LANGS: [(&str, &str); 2] = [
    ("PAGE_EN", "locales/pages/en.json"),
    ("PAGE_RU", "locales/pages/ru.json"),
];

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

/// `snake_case` as a type's `CamelCase`.
fn camel(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The `Key` enum (one variant per key of `name`, in the catalogue's order, so that a variant's
/// number is its index in `KEYS`) and the lookups between keys, their names and their strings.
fn write_keys(out: &mut String, name: &str, keys: &[String]) {
    let variants: Vec<String> = keys.iter().map(|k| camel(k)).collect();
    let distinct: std::collections::BTreeSet<&String> = variants.iter().collect();
    assert_eq!(
        distinct.len(),
        keys.len(),
        "two keys differ only in their underscores"
    );
    out.push_str("\n/// Every key of the catalogue, by name.\n");
    writeln!(out, "pub const KEYS: [&str; {}] = {keys:?};", keys.len()).unwrap();
    out.push_str(
        "\n/// A key of the catalogue: the form in which a message travels (an error from the \
         server,\n/// a label) until it is shown in its reader's language.\n",
    );
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for variant in &variants {
        writeln!(out, "    {variant},").unwrap();
    }
    out.push_str("}\n\nimpl Key {\n");
    out.push_str("    /// Every key, in the order of `KEYS`.\n");
    writeln!(out, "    pub const ALL: [Key; {}] = [", keys.len()).unwrap();
    for variant in &variants {
        writeln!(out, "        Key::{variant},").unwrap();
    }
    out.push_str("    ];\n}\n");
    writeln!(out, "\nimpl {name} {{").unwrap();
    out.push_str("    /// The string of `key`.\n");
    out.push_str("    pub fn of(&self, key: Key) -> &'static str {\n        match key {\n");
    for (key, variant) in keys.iter().zip(&variants) {
        writeln!(out, "            Key::{variant} => self.{key},").unwrap();
    }
    out.push_str("        }\n    }\n}\n");
}

/// Reads the catalogues `langs` (the first one's keys are the ones every other must have) and
/// writes them as the struct `name` with one static per language; with `lookup`, also `Key`
/// and `KEYS`, for messages that travel as keys.
fn generate(name: &str, langs: &[(&str, &str)], lookup: bool) -> (String, Vec<String>) {
    let catalogues: Vec<(&str, Vec<(String, String)>)> = langs
        .iter()
        .map(|(name, path)| (*name, read(path)))
        .collect();
    let keys: Vec<String> = catalogues[0].1.iter().map(|(k, _)| k.clone()).collect();
    for (lang, entries) in &catalogues[1..] {
        let theirs: BTreeMap<&String, &String> = entries.iter().map(|(k, v)| (k, v)).collect();
        let missing: Vec<&String> = keys.iter().filter(|k| !theirs.contains_key(k)).collect();
        let extra: Vec<&&String> = theirs.keys().filter(|k| !keys.contains(k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "catalogue {lang}: missing {missing:?}, not in English {extra:?}"
        );
    }

    let mut out = String::new();
    writeln!(
        out,
        "/// Interface strings in one language (generated from `app/locales`)."
    )
    .unwrap();
    writeln!(out, "#[derive(Debug)]\npub struct {name} {{").unwrap();
    for key in &keys {
        writeln!(out, "    pub {key}: &'static str,").unwrap();
    }
    out.push_str("}\n");
    if lookup {
        write_keys(&mut out, name, &keys);
    }
    for (lang, entries) in &catalogues {
        let by_key: BTreeMap<&String, &String> = entries.iter().map(|(k, v)| (k, v)).collect();
        writeln!(out, "\npub static {lang}: {name} = {name} {{").unwrap();
        for key in &keys {
            writeln!(out, "    {key}: {:?},", by_key[key]).unwrap();
        }
        out.push_str("};\n");
    }
    (out, keys)
}

fn main() {
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let (text, keys) = generate("Text", &LANGS, true);
    let (pages, page_keys) = generate("PageText", &PAGE_LANGS, false);
    let both: Vec<&String> = page_keys.iter().filter(|k| keys.contains(k)).collect();
    assert!(both.is_empty(), "keys in both catalogues: {both:?}");
    fs::write(Path::new(&out_dir).join("text.rs"), text).expect("write the catalogue");
    fs::write(Path::new(&out_dir).join("page_text.rs"), pages).expect("write the catalogue");
}
