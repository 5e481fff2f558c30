-- The story library: stories, their authors, chapters, passages and AO3-style tags.

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: old buttons stay unambiguous
    guild_id      INTEGER,                            -- NULL = bundled demo library, visible everywhere
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL DEFAULT '',
    notes         TEXT    NOT NULL DEFAULT '',
    end_notes     TEXT    NOT NULL DEFAULT '',
    rating        TEXT    NOT NULL,
    language      TEXT,
    words         INTEGER NOT NULL,
    chapters      INTEGER NOT NULL,
    complete      INTEGER,                            -- NULL when the file did not say
    series        TEXT,
    source        TEXT,
    format        TEXT    NOT NULL DEFAULT '',
    content_hash  TEXT    NOT NULL,
    added_by      INTEGER,
    added_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX stories_unique_content ON stories (IFNULL(guild_id, 0), content_hash);
CREATE INDEX stories_guild ON stories (guild_id);

CREATE TABLE authors (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);

CREATE TABLE story_authors (
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES authors (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (story_id, author_id)
);
CREATE INDEX story_authors_author ON story_authors (author_id);

CREATE TABLE chapters (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    number    INTEGER NOT NULL,
    title     TEXT    NOT NULL DEFAULT '',
    text      TEXT    NOT NULL,
    PRIMARY KEY (story_id, number)
);

CREATE TABLE passages (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    chapter   INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    words     INTEGER NOT NULL,
    UNIQUE (story_id, seq)
);

CREATE TABLE tags (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    key           TEXT    NOT NULL,                   -- bot.library.tags.tag_key(name)
    canonical_id  INTEGER REFERENCES tags (id),       -- NULL when canonical
    UNIQUE (kind, key)
);
CREATE INDEX tags_canonical ON tags (canonical_id);

CREATE TABLE story_tags (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (story_id, tag_id)
);
CREATE INDEX story_tags_tag ON story_tags (tag_id);

-- Full-text search over title, summary, tags and text; rowid = stories.id.
CREATE VIRTUAL TABLE story_search USING fts5 (
    title, summary, tags, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Small facts the bot remembers between runs (e.g. the hash of the last synced command tree).
CREATE TABLE bot_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
