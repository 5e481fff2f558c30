-- Stories from links (issue 15): what a story's site says, when we last looked, and
-- whether the work is still there; readers' suggestions waiting for a curator.
ALTER TABLE stories ADD COLUMN published TEXT;          -- ISO date, from the site
ALTER TABLE stories ADD COLUMN updated TEXT;            -- ISO date, from the site
ALTER TABLE stories ADD COLUMN series_part INTEGER;
ALTER TABLE stories ADD COLUMN source_checked_at TEXT;  -- last update check (ISO datetime)
ALTER TABLE stories ADD COLUMN source_gone_at TEXT;     -- the site no longer has the work
-- One story per work per server: the lookup behind "already in the library as ...".
-- Not UNIQUE so that older libraries holding two files of one work still migrate; the
-- store refuses a second story with the same source in its write transaction.
CREATE INDEX stories_source ON stories (IFNULL(guild_id, 0), source) WHERE source IS NOT NULL;

-- A reader's suggestion: one row per reader per work; the rows of one work in one server
-- make one review card. `user_id` makes /me forget delete them.
CREATE TABLE suggestions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    work_key      TEXT    NOT NULL,                 -- the work's canonical URL, or file:<hash>
    user_id       INTEGER NOT NULL,
    file_name     TEXT,                             -- a suggested file (kept until decided)
    file_data     BLOB,
    note          TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'waiting',  -- waiting | approved | rejected
    reason        TEXT    NOT NULL DEFAULT '',
    story_id      INTEGER,
    suggested_at  TEXT    NOT NULL,
    decided_at    TEXT,
    UNIQUE (guild_id, work_key, user_id)
);
CREATE INDEX suggestions_waiting ON suggestions (guild_id, status, suggested_at);

-- The review card of one suggested work per server (message ids survive restarts).
CREATE TABLE suggestion_cards (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    work_key    TEXT    NOT NULL,
    channel_id  INTEGER,
    message_id  INTEGER,
    UNIQUE (guild_id, work_key)
);

-- Where a server's story-source news goes: new chapters (with an optional role to ping)
-- and readers' suggestions for the curators.
CREATE TABLE source_channels (
    guild_id            INTEGER PRIMARY KEY,
    updates_channel_id  INTEGER,
    updates_role_id     INTEGER,
    review_channel_id   INTEGER
);
