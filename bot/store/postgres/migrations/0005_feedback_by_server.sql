-- /stats and /export feedback read one server's reactions, kudos, bookmarks and stars:
-- by server first, then story and passage, so they never scan every server's rows.
CREATE INDEX IF NOT EXISTS reactions_guild_story ON reactions (guild_id, story_id, passage_id);
CREATE INDEX IF NOT EXISTS kudos_guild ON kudos (guild_id, story_id);
CREATE INDEX IF NOT EXISTS bookmarks_guild ON bookmarks (guild_id, story_id, passage_id);
CREATE INDEX IF NOT EXISTS feedback_guild ON feedback (guild_id, story_id, passage_id);
