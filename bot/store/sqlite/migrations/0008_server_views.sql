-- Every server its own view (issue 11): the shared tag vocabulary seen through a per-server
-- overlay, what a server shows, and servers the bot was removed from.

-- A server-local display name for a shared canonical tag (a rename here, nowhere else).
CREATE TABLE guild_tag_names (
    guild_id  INTEGER NOT NULL,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),  -- a shared canonical tag
    name      TEXT    NOT NULL,
    key       TEXT    NOT NULL,                       -- bot.library.tags.tag_key(name)
    PRIMARY KEY (guild_id, tag_id)
);

-- A server-local synonym: in this server, tag_id counts as into_id (both shared canonical).
CREATE TABLE guild_tag_merges (
    guild_id  INTEGER NOT NULL,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    into_id   INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (guild_id, tag_id)
);

-- Whether the bundled demo library is part of this server's library.
ALTER TABLE guild_settings ADD COLUMN demo_library INTEGER NOT NULL DEFAULT 1;
-- Mature/Explicit/Not Rated stories outside age-restricted channels: 'card' (title, rating
-- and warnings only) or 'hide' (not at all).
ALTER TABLE guild_settings ADD COLUMN restricted_stories TEXT NOT NULL DEFAULT 'card';

-- Servers the bot was removed from: their data is deleted once purge_after has passed,
-- unless the bot is added back first.
CREATE TABLE guild_removals (
    guild_id     INTEGER PRIMARY KEY,
    removed_at   TEXT NOT NULL,
    purge_after  TEXT NOT NULL
);

-- /story list pages by title: walking this index finds the first page without sorting
-- every story the server can see.
CREATE INDEX stories_title ON stories (title COLLATE NOCASE, id);
