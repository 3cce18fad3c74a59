-- Lets the feed's year filter find the years with published items by jumping from year to year
-- down this index, instead of reading every published item on every feed page.
CREATE INDEX items_published_at ON items (published_at) WHERE status = 'published';
