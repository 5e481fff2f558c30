-- The daily post's nonce, kept in its claim (a resend after a crash returns the same
-- message), and posts by kind per server (the last daily post, /daily now's too).
ALTER TABLE daily_posts ADD COLUMN nonce TEXT;
CREATE INDEX posts_guild_kind ON posts (guild_id, kind, posted_at);
