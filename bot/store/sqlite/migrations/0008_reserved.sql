-- Placeholder on branch `links` only: 0008 is reserved for another branch. Delete this
-- file when merging (migrations must run 1, 2, 3... with no gaps).
SELECT 1;
