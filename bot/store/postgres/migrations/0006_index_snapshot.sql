-- The recommendation index saved with the library (see the SQLite migration 0012 for what
-- is counted and why).
--
-- Every process of the bot may write, so the counter row is a point of contention. It is
-- bumped once per writing transaction, at its commit: the first counted statement of a
-- transaction leaves a mark (a row keyed by its transaction id), and a deferred constraint
-- trigger on the marks bumps the counter as the transaction commits. The counter's row lock
-- is then held only from the commit's start to its end, by a transaction that takes no
-- other lock after it (no deadlock), and a bulk import pays one update per transaction.
CREATE TABLE library_changes (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    counter  BIGINT  NOT NULL
);
INSERT INTO library_changes (id, counter) VALUES (1, 0);

CREATE TABLE library_change_marks (
    txid  BIGINT PRIMARY KEY
);

CREATE TABLE index_snapshot (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    format_version  INTEGER NOT NULL,
    counter         BIGINT  NOT NULL,  -- library_changes.counter read before the build
    arrays          BYTEA   NOT NULL   -- bot.library.index_snapshot's bytes
);

CREATE FUNCTION library_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A transaction-local flag: one mark per transaction, however many statements.
    IF current_setting('storybot.library_changed', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('storybot.library_changed', 'on', true);
        INSERT INTO library_change_marks (txid) VALUES (txid_current())
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION count_library_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE library_changes SET counter = counter + 1 WHERE id = 1;
    DELETE FROM library_change_marks WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER library_change_counted AFTER INSERT ON library_change_marks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_library_change();

CREATE TRIGGER stories_counted
    AFTER INSERT OR DELETE OR UPDATE OF id, guild_id, rating, series ON stories
    FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
CREATE TRIGGER story_tags_counted AFTER INSERT OR DELETE OR UPDATE ON story_tags
    FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
CREATE TRIGGER story_authors_counted AFTER INSERT OR DELETE OR UPDATE ON story_authors
    FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
CREATE TRIGGER authors_counted AFTER DELETE OR UPDATE OF id, name ON authors
    FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
CREATE TRIGGER tags_counted AFTER INSERT OR DELETE OR UPDATE OF id, kind, key, name, canonical_id
    ON tags FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
CREATE TRIGGER library_truncated AFTER TRUNCATE ON stories
    FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
