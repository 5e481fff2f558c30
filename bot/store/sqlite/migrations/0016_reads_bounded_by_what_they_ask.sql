-- Reads bounded by what they ask for, not by how busy a server is or how long the bot has
-- been running.

-- /excerpt weighs each batch of drawn passages by their reactions, bookmarks and stars in
-- the server, on the event loop's thread. Asked by server and passage, SQLite took each
-- table's server index and walked every row of the server: 35 ms a batch with 200,000
-- reactions in it. Through (passage, server) it reads the batch's own rows. The reactions'
-- passage index becomes this one (a passage's deletion still finds its reactions by it).
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
