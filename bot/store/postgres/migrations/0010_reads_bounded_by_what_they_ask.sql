-- Reads bounded by what they ask for, not by how busy a server is or how long the bot has
-- been running (the same indexes as SQLite's migration 16).

-- /excerpt weighs each batch of drawn passages by their reactions, bookmarks and stars in
-- the server. With its statistics in, PostgreSQL read reactions by passage but had no such
-- index for bookmarks and stars, and read every row of both tables instead: 11.6 ms a
-- batch with 50,000 of each in the server. (passage, server) reads the batch's own rows;
-- the reactions' passage index becomes one of these.
DROP INDEX IF EXISTS reactions_passage;
CREATE INDEX IF NOT EXISTS reactions_passage_guild ON reactions (passage_id, guild_id);
CREATE INDEX IF NOT EXISTS bookmarks_passage_guild ON bookmarks (passage_id, guild_id);
CREATE INDEX IF NOT EXISTS feedback_passage_guild ON feedback (passage_id, guild_id);

-- Every 30 s the daily loop looks for posts that were claimed and neither sent nor failed
-- (a crash between the two). daily_posts keeps a row per server per day, so the look
-- walked every day of every server; this index holds only the unfinished rows, almost
-- always none.
CREATE INDEX IF NOT EXISTS daily_posts_unfinished ON daily_posts (local_date)
    WHERE message_id IS NULL AND error IS NULL;

-- A member's own suggestions (the list of theirs, and deleting their data) are found by
-- the member, newest first, instead of among every suggestion of their server.
CREATE INDEX IF NOT EXISTS suggestions_user ON suggestions (user_id, guild_id, id);
