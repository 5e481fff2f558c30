-- A search walks the newest stories matching it and stops after the ones it ranks. FTS5
-- answers a prefix ("light*") by merging the postings of every word beginning with it
-- into one list, over the whole library, before it returns the first match; with postings
-- of their own for prefixes of 3 to 6 letters (the `prefix` option) those prefixes are
-- walked like one word, and the walk stops where the search does. Longer prefixes begin
-- few words, and are merged as before.
CREATE VIRTUAL TABLE story_search_next USING fts5 (
    title, summary, tags, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4 5 6'
);
INSERT INTO story_search_next (rowid, title, summary, tags, body)
    SELECT rowid, title, summary, tags, body FROM story_search;
DROP TABLE story_search;
ALTER TABLE story_search_next RENAME TO story_search;

-- Titles alone, for a search with more matches than it ranks: it also walks the newest
-- stories with every word in their titles, and walking titles in story_search read the
-- postings of every story carrying the words anywhere. rowid = stories.id.
CREATE VIRTUAL TABLE story_title_search USING fts5 (
    title,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4 5 6'
);
INSERT INTO story_title_search (rowid, title) SELECT id, title FROM stories;
