-- A list line shows a story's fandoms and warnings, about 2 of its 16 tags. Finding them
-- walked every tag of the story and looked each one up in `tags` for its kind: 0.25 of the
-- 0.32 ms a /story list page of 50 lines took at 100k stories. story_line_tags holds just
-- those links, in the story's order, so a line reads its few and looks up only those
-- (the page: 0.18 ms).
--
-- It is derived from story_tags and kept in step by triggers, whatever writes: the bot,
-- the command line, a bulk import, `db copy`. A tag's kind never changes (it is part of
-- the tag's identity with its key), so a link's place here is fixed when it is made.
CREATE TABLE story_line_tags (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (story_id, position, tag_id)
) WITHOUT ROWID;

INSERT INTO story_line_tags (story_id, position, tag_id)
SELECT st.story_id, st.position, st.tag_id
  FROM story_tags st JOIN tags t ON t.id = st.tag_id
 WHERE t.kind IN ('fandom', 'warning');

CREATE TRIGGER story_line_tags_added AFTER INSERT ON story_tags
WHEN (SELECT kind FROM tags WHERE id = NEW.tag_id) IN ('fandom', 'warning')
BEGIN
    INSERT OR IGNORE INTO story_line_tags (story_id, position, tag_id)
    VALUES (NEW.story_id, NEW.position, NEW.tag_id);
END;

CREATE TRIGGER story_line_tags_removed AFTER DELETE ON story_tags
BEGIN
    DELETE FROM story_line_tags WHERE story_id = OLD.story_id AND tag_id = OLD.tag_id;
END;

CREATE TRIGGER story_line_tags_changed AFTER UPDATE ON story_tags
BEGIN
    DELETE FROM story_line_tags WHERE story_id = OLD.story_id AND tag_id = OLD.tag_id;
    INSERT OR IGNORE INTO story_line_tags (story_id, position, tag_id)
    SELECT NEW.story_id, NEW.position, NEW.tag_id
     WHERE (SELECT kind FROM tags WHERE id = NEW.tag_id) IN ('fandom', 'warning');
END;
