-- Tags a reader never wants recommended. Stored as the tag id the reader blocked (canonical
-- at the time); readers follow it to its current canonical tag, so a later merge keeps it.
-- The personal-data column is `user_id`, so "/me forget" finds it.

CREATE TABLE reader_blocks (
    user_id  INTEGER NOT NULL,
    tag_id   INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (user_id, tag_id)
);
CREATE INDEX reader_blocks_tag ON reader_blocks (tag_id);
