-- A story's authors and tags are read in their order for every list line, card and page of
-- recommendations: covering indexes in position order answer from the index alone, already
-- sorted (as SQLite's migration 0013).
CREATE INDEX IF NOT EXISTS story_tags_in_order ON story_tags (story_id, position, tag_id);
CREATE INDEX IF NOT EXISTS story_authors_in_order ON story_authors (story_id, position, author_id);
