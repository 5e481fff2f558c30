-- /story list reads 50 stories in one of three orders: these let it read them in order and
-- stop, instead of sorting the library; a typed tag is looked up by its key alone.
CREATE INDEX IF NOT EXISTS stories_newest_order ON stories (added_at, id);
CREATE INDEX IF NOT EXISTS stories_words_order ON stories (words DESC, id);
CREATE INDEX IF NOT EXISTS tags_key ON tags (key);
