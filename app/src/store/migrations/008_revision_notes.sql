-- Revision notes were stored as English phrases; they are now a word and a number that each page
-- writes in its reader's language (see editor::RevisionNote).

UPDATE revisions SET note = CASE
    WHEN note = 'as first stored' THEN 'first_stored'
    WHEN note LIKE 'restored version %' THEN 'restored ' || substr(note, 18)
    WHEN note IN ('created', 'edited') THEN note
    ELSE 'edited'
END;
