-- The recommendation index saved with the library, so a restart of an unchanged library
-- loads its arrays instead of re-reading every story-tag link.
--
-- library_changes.counter goes up with every change the index depends on (stories' guild,
-- rating and series, their tags and authors, the tag vocabulary, author names); a
-- snapshot is used only while the counter still equals the value it was built at.
-- Triggers keep it so whatever writes: the bot, the command line or another process.
CREATE TABLE library_changes (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    counter  INTEGER NOT NULL
);
INSERT INTO library_changes (id, counter) VALUES (1, 0);

CREATE TABLE index_snapshot (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    format_version  INTEGER NOT NULL,
    counter         INTEGER NOT NULL,  -- library_changes.counter read before the build
    arrays          BLOB    NOT NULL   -- bot.library.index_snapshot's bytes
);

CREATE TRIGGER stories_added_counted AFTER INSERT ON stories
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER stories_removed_counted AFTER DELETE ON stories
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER stories_changed_counted AFTER UPDATE OF id, guild_id, rating, series ON stories
BEGIN UPDATE library_changes SET counter = counter + 1; END;

CREATE TRIGGER story_tags_added_counted AFTER INSERT ON story_tags
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER story_tags_removed_counted AFTER DELETE ON story_tags
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER story_tags_changed_counted AFTER UPDATE ON story_tags
BEGIN UPDATE library_changes SET counter = counter + 1; END;

CREATE TRIGGER story_authors_added_counted AFTER INSERT ON story_authors
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER story_authors_removed_counted AFTER DELETE ON story_authors
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER story_authors_changed_counted AFTER UPDATE ON story_authors
BEGIN UPDATE library_changes SET counter = counter + 1; END;

CREATE TRIGGER authors_changed_counted AFTER UPDATE OF id, name ON authors
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER authors_removed_counted AFTER DELETE ON authors
BEGIN UPDATE library_changes SET counter = counter + 1; END;

CREATE TRIGGER tags_added_counted AFTER INSERT ON tags
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER tags_removed_counted AFTER DELETE ON tags
BEGIN UPDATE library_changes SET counter = counter + 1; END;
CREATE TRIGGER tags_changed_counted AFTER UPDATE OF id, kind, key, name, canonical_id ON tags
BEGIN UPDATE library_changes SET counter = counter + 1; END;
