-- Partner cities and the home city in languages other than English. English stays in `cities`
-- and `site` (its values are also the keys filters use); a language without a row here shows
-- the English text.

CREATE TABLE city_texts (
    city_id      INTEGER NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    lang         TEXT NOT NULL CHECK (length(lang) = 2 AND lang <> 'en'),
    name         TEXT NOT NULL CHECK (length(name) > 0),
    country      TEXT NOT NULL CHECK (length(country) > 0),
    country_note TEXT NOT NULL DEFAULT '',
    status_note  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (city_id, lang)
) WITHOUT ROWID;

CREATE TABLE site_texts (
    lang      TEXT PRIMARY KEY CHECK (length(lang) = 2 AND lang <> 'en'),
    city_name TEXT NOT NULL CHECK (length(city_name) > 0),
    country   TEXT NOT NULL CHECK (length(country) > 0)
) WITHOUT ROWID;

-- Tag names in other languages; editors type tags in English, the names shown come from here.
CREATE TABLE tag_texts (
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    lang   TEXT NOT NULL CHECK (length(lang) = 2 AND lang <> 'en'),
    name   TEXT NOT NULL CHECK (length(name) > 0),
    PRIMARY KEY (tag_id, lang)
) WITHOUT ROWID;
