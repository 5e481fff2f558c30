-- Excerpts and the daily post: how passages were cut, what each server has seen, the
-- daily schedule and the one-post-per-local-day claims.

-- Where a passage starts and ends (bot.library.segmentation.Cut): "…" is shown at a cut made
-- in the middle of a sentence. Passages stored before this migration count as paragraph cuts.
ALTER TABLE passages ADD COLUMN cut_before INTEGER NOT NULL DEFAULT 3;
ALTER TABLE passages ADD COLUMN cut_after  INTEGER NOT NULL DEFAULT 3;

-- Passages shown in a server in the current cycle (no repeats until all were shown).
CREATE TABLE excerpt_shown (
    guild_id    INTEGER NOT NULL,
    passage_id  INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, passage_id)
);

-- When a server last featured each story (the 14-day cooldown).
CREATE TABLE excerpt_featured (
    guild_id     INTEGER NOT NULL,
    story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    featured_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, story_id)
);

-- One daily schedule per server.
CREATE TABLE daily_schedules (
    guild_id         INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL,
    local_time       TEXT    NOT NULL,            -- HH:MM
    timezone         TEXT    NOT NULL,            -- IANA name
    mode             TEXT    NOT NULL DEFAULT 'random',
    role_id          INTEGER,
    enabled          INTEGER NOT NULL DEFAULT 1,
    saved_at         TEXT    NOT NULL,            -- moments before this are never due
    serial_story_id  INTEGER REFERENCES stories (id) ON DELETE SET NULL,
    serial_seq       INTEGER,
    last_error       TEXT,
    last_error_at    TEXT
);

-- A daily post is claimed (row inserted) BEFORE it is sent: one row per server and local
-- date, so a restart or a second tick can never post that day again.
CREATE TABLE daily_posts (
    guild_id    INTEGER NOT NULL,
    local_date  TEXT    NOT NULL,                 -- YYYY-MM-DD in the schedule's zone
    claimed_at  TEXT    NOT NULL,
    message_id  INTEGER,                          -- set once sent
    channel_id  INTEGER,
    passage_id  INTEGER REFERENCES passages (id) ON DELETE SET NULL,
    error       TEXT,                             -- why it was not sent
    UNIQUE (guild_id, local_date)
);

-- A curator's discussion prompt for a story (else a rotating default is used).
CREATE TABLE story_prompts (
    guild_id  INTEGER NOT NULL,
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    prompt    TEXT    NOT NULL,
    PRIMARY KEY (guild_id, story_id)
);
