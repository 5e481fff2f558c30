-- /story list reads 50 stories in one of three orders; these indexes let it read them in
-- order and stop, instead of sorting the whole library on every call.
-- Meant as migration 0010 (0008 and 0009 are on other branches); until they are merged it
-- is applied on every open, which IF NOT EXISTS makes cheap and idempotent.
CREATE INDEX IF NOT EXISTS stories_title_order ON stories (title COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS stories_newest_order ON stories (added_at, id);
CREATE INDEX IF NOT EXISTS stories_words_order ON stories (words DESC, id);
-- A typed tag is looked up by its key alone (any kind): /recommend tags:, /story list tag:.
CREATE INDEX IF NOT EXISTS tags_key ON tags (key);
