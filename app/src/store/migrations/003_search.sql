-- Full-text search over every item text (all languages, all statuses; visibility is checked when
-- searching). Kept in step with item_texts by triggers. The rowid encodes (item, language) so a
-- change replaces its row by key instead of scanning the index.

CREATE VIRTUAL TABLE item_search USING fts5(
    title,
    lead,
    body,
    item_id UNINDEXED,
    lang UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Two lower-case letters give at most 26 * 26 = 676 languages per item.
CREATE VIEW item_search_keys AS
SELECT item_id, lang, title, lead, body,
       item_id * 1024 + (unicode(substr(lang, 1, 1)) - 97) * 26 + (unicode(substr(lang, 2, 1)) - 97)
           AS search_rowid
FROM item_texts;

INSERT INTO item_search (rowid, title, lead, body, item_id, lang)
SELECT search_rowid, title, lead, body, item_id, lang FROM item_search_keys;

CREATE TRIGGER item_texts_search_insert AFTER INSERT ON item_texts BEGIN
    INSERT INTO item_search (rowid, title, lead, body, item_id, lang)
    SELECT search_rowid, title, lead, body, item_id, lang FROM item_search_keys
    WHERE item_id = new.item_id AND lang = new.lang;
END;

CREATE TRIGGER item_texts_search_delete AFTER DELETE ON item_texts BEGIN
    DELETE FROM item_search
    WHERE rowid = old.item_id * 1024 + (unicode(substr(old.lang, 1, 1)) - 97) * 26
                  + (unicode(substr(old.lang, 2, 1)) - 97);
END;

CREATE TRIGGER item_texts_search_update AFTER UPDATE ON item_texts BEGIN
    DELETE FROM item_search
    WHERE rowid = old.item_id * 1024 + (unicode(substr(old.lang, 1, 1)) - 97) * 26
                  + (unicode(substr(old.lang, 2, 1)) - 97);
    INSERT INTO item_search (rowid, title, lead, body, item_id, lang)
    SELECT search_rowid, title, lead, body, item_id, lang FROM item_search_keys
    WHERE item_id = new.item_id AND lang = new.lang;
END;
