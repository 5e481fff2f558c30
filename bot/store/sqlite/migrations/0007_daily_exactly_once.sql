-- A daily post is sent with a nonce kept in its claim (Discord returns the same message for
-- a resend with that nonce), and the passage chosen for it is kept before sending, so a
-- post interrupted by a crash is retried as the same post.
ALTER TABLE daily_posts ADD COLUMN nonce TEXT;
-- Posts by kind per server, newest first (/daily status: the last daily post).
CREATE INDEX posts_guild_kind ON posts (guild_id, kind, posted_at);
