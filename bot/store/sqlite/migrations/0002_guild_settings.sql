-- Per-server settings: who curates, how ratings and warnings are handled.

CREATE TABLE guild_settings (
    guild_id                INTEGER PRIMARY KEY,
    curator_role_id         INTEGER,
    warning_style           TEXT    NOT NULL DEFAULT 'plain',  -- 'plain' or 'spoiler'
    spoiler_fraction        REAL    NOT NULL DEFAULT 0.6,
    -- JSON list of ratings only posted in age-restricted channels.
    age_restricted_ratings  TEXT    NOT NULL DEFAULT '["Mature", "Explicit", "Not Rated"]'
);

-- Tags a server never wants shown (canonical tag ids; synonyms follow their canonical).
CREATE TABLE guild_blocked_tags (
    guild_id  INTEGER NOT NULL,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (guild_id, tag_id)
);
