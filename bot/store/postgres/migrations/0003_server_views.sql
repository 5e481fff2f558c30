-- Every server its own view (issue 11; SQLite's 0008): a per-server overlay of the shared
-- tag vocabulary, what a server shows, and servers the bot was removed from.

-- A server-local display name for a shared canonical tag.
CREATE TABLE guild_tag_names (
    guild_id  BIGINT NOT NULL,
    tag_id    BIGINT NOT NULL REFERENCES tags (id),   -- a shared canonical tag
    name      TEXT   NOT NULL,
    key       TEXT   NOT NULL,                        -- bot.library.tags.tag_key(name)
    PRIMARY KEY (guild_id, tag_id)
);

-- A server-local synonym: in this server, tag_id counts as into_id (both shared canonical).
CREATE TABLE guild_tag_merges (
    guild_id  BIGINT NOT NULL,
    tag_id    BIGINT NOT NULL REFERENCES tags (id),
    into_id   BIGINT NOT NULL REFERENCES tags (id),
    PRIMARY KEY (guild_id, tag_id)
);

-- Whether the bundled demo library is part of this server's library (0/1, as on SQLite,
-- so `storybot db copy` carries the value over unchanged).
ALTER TABLE guild_settings ADD COLUMN demo_library INTEGER NOT NULL DEFAULT 1;
-- Mature/Explicit/Not Rated stories outside age-restricted channels: 'card' or 'hide'.
ALTER TABLE guild_settings ADD COLUMN restricted_stories TEXT NOT NULL DEFAULT 'card';

-- Servers the bot was removed from: their data is deleted once purge_after has passed,
-- unless the bot is added back first. Times are ISO 8601 text, as everywhere here.
CREATE TABLE guild_removals (
    guild_id     BIGINT PRIMARY KEY,
    removed_at   TEXT   NOT NULL,
    purge_after  TEXT   NOT NULL
);
