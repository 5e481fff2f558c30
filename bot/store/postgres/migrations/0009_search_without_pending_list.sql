-- The search indexes' pending lists kept small. A GIN index takes new entries into a
-- pending list, an unsorted heap merged into the index at a vacuum or once it outgrows
-- gin_pending_list_limit (4 MB by default); until then every search reads the whole
-- list, and the planner, pricing that, walked the whole library for a rare word instead
-- (measured at 10k stories copied in with `storybot db copy`: "lighthouse", found
-- nowhere, 9.2 ms walking every story, 1.5 ms through the index with its pending list,
-- 0.04 ms through the index without it). At 64 kB the list is merged by the insert that
-- outgrows it, a few stories at a time. (Turning the list off, fastupdate = off, searched
-- as fast and made a 10k copy take 7.1-7.4 s against 6.5-6.7 s.)
ALTER INDEX story_search_document SET (gin_pending_list_limit = 64);
ALTER INDEX story_search_title SET (gin_pending_list_limit = 64);
SELECT gin_clean_pending_list('story_search_document'::regclass);
SELECT gin_clean_pending_list('story_search_title'::regclass);
