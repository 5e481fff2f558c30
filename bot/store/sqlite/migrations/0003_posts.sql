-- Every message the bot posted with a passage: reactions, buttons and threads find their
-- passage through it, even for messages no longer in any cache.

CREATE TABLE posts (
    message_id   INTEGER PRIMARY KEY,
    guild_id     INTEGER,
    channel_id   INTEGER NOT NULL,
    story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    passage_id   INTEGER REFERENCES passages (id) ON DELETE SET NULL,
    kind         TEXT    NOT NULL DEFAULT 'excerpt',   -- 'excerpt' or 'daily'
    thread_id    INTEGER,
    posted_by    INTEGER,                              -- who asked for it (NULL: the schedule)
    posted_at    TEXT    NOT NULL
);
CREATE INDEX posts_guild_story ON posts (guild_id, story_id);
CREATE INDEX posts_passage ON posts (passage_id);
