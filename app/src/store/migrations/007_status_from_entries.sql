-- The status and its note now live in the status entries (migration 006 moved them there).

ALTER TABLE cities DROP COLUMN status;
ALTER TABLE cities DROP COLUMN status_note;
ALTER TABLE city_texts DROP COLUMN status_note;

-- Each city's current status: its latest published status entry dated today or earlier. A city
-- without one is active.
CREATE VIEW city_status AS
SELECT e.city_id, e.variant AS status, e.id AS entry_id, e.date
FROM partnership_entries e
WHERE e.kind = 'status' AND e.published = 1 AND e.date <= date('now')
  AND NOT EXISTS (
      SELECT 1 FROM partnership_entries later
      WHERE later.city_id = e.city_id AND later.kind = 'status' AND later.published = 1
        AND later.date <= date('now')
        AND (later.date > e.date OR (later.date = e.date AND later.id > e.id)));

