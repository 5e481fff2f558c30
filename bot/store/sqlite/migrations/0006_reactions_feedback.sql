-- What readers think: raw reactions on the bot's posts, kudos, bookmarks, stars and comments.
-- Personal rows keep the reader in a column named `user_id`: /me forget deletes every row of
-- every table with such a column, so a new personal table must use that name too.

-- One row per (message, reader, emoji); a removed reaction removes its row.
-- emoji: the unicode character, or "name:id" for a custom emoji (from any server).
CREATE TABLE reactions (
    message_id  INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    emoji       TEXT    NOT NULL,
    passage_id  INTEGER REFERENCES passages (id) ON DELETE SET NULL,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    guild_id    INTEGER,
    at          TEXT    NOT NULL,
    UNIQUE (message_id, user_id, emoji)
);
CREATE INDEX reactions_story ON reactions (story_id);
CREATE INDEX reactions_passage ON reactions (passage_id);
CREATE INDEX reactions_user ON reactions (user_id);

-- AO3-style: one kudos per reader per story.
CREATE TABLE kudos (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    guild_id  INTEGER,
    at        TEXT    NOT NULL,
    PRIMARY KEY (story_id, user_id)
);
CREATE INDEX kudos_user ON kudos (user_id);

-- Private bookmarks of passages.
CREATE TABLE bookmarks (
    user_id     INTEGER NOT NULL,
    passage_id  INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    guild_id    INTEGER,
    at          TEXT    NOT NULL,
    PRIMARY KEY (user_id, passage_id)
);
CREATE INDEX bookmarks_story ON bookmarks (story_id);

-- Stars (1-5) and an optional comment, one per reader per passage; passage_id NULL = the
-- whole story. NULLs are distinct in a UNIQUE constraint, hence the IFNULL index.
CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    passage_id  INTEGER REFERENCES passages (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    stars       INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment     TEXT    NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    at          TEXT    NOT NULL
);
CREATE UNIQUE INDEX feedback_one_per_reader ON feedback (user_id, story_id, IFNULL(passage_id, 0));
CREATE INDEX feedback_story ON feedback (story_id);
