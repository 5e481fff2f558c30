-- A story's title words alone, as a small document of their own: a search with more matches
-- than it ranks walks the newest stories with every word in their titles (bot/library/
-- search_order.py). Asking the whole document for title-weighted words instead rechecks
-- every story carrying the words anywhere, reading its whole text.
ALTER TABLE story_search ADD COLUMN title_document TSVECTOR NOT NULL DEFAULT ''::tsvector;
UPDATE story_search SET title_document = ts_filter(document, '{a}');
CREATE INDEX story_search_title ON story_search USING GIN (title_document);
