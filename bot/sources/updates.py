"""What changed on a story's site since we stored it, without touching what we have.

Readers' reactions and feedback hang on our passages, so an update only ever appends:
chapters the site added after ours become `new_chapters` (numbered after ours). Chapters
the site removed, moved or inserted in the middle are reported, never applied; our copy
stays as it was and a curator decides.

Chapters are matched by text: identical text first, else a text at least
`SAME_CHAPTER` similar (an author's typo fixes, or a page's timestamp, keep a chapter the
same chapter; those are listed as `edited`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from bot.library.models import Chapter, StoryDraft
from bot.sources.metadata import SiteMetadata

SAME_CHAPTER = 90.0
# Similarity is judged on the chapter's opening: enough to recognise it, cheap on long ones.
_COMPARED_CHARS = 4000


class UpdateKind(StrEnum):
    UNCHANGED = "unchanged"
    NEW_CHAPTERS = "new chapters"
    # Chapters removed, reordered or inserted: reported, not applied.
    CHANGED = "changed"
    # The work is no longer on its site: keep our copy, mark the source gone.
    GONE = "gone"


@dataclass
class ChapterChanges:
    new_chapters: list[Chapter] = field(default_factory=list)
    # Our chapter numbers the site no longer has.
    removed: list[int] = field(default_factory=list)
    reordered: bool = False
    # How many of the site's chapters sit between ours (cannot be appended).
    inserted: int = 0
    # Our chapter numbers whose text changed a little on the site.
    edited: list[int] = field(default_factory=list)

    @property
    def only_appended(self) -> bool:
        return not (self.removed or self.reordered or self.inserted)


@dataclass
class StoryUpdate:
    url: str
    kind: UpdateKind
    changes: ChapterChanges = field(default_factory=ChapterChanges)
    complete: bool | None = None
    # The site now says complete and we did not know: the story can stop being checked.
    became_complete: bool = False
    meta: SiteMetadata | None = None
    # The whole work as fetched (None when the chapter count showed nothing new).
    draft: StoryDraft | None = None

    @property
    def new_chapters(self) -> list[Chapter]:
        return self.changes.new_chapters

    def summary(self) -> str:
        """One line for a curator."""
        if self.kind is UpdateKind.GONE:
            return "the work is no longer on its site; our copy is kept"
        parts: list[str] = []
        count = len(self.changes.new_chapters)
        if count:
            parts.append(f"{count} new chapter{'s' * (count != 1)}")
        if self.changes.removed:
            listed = ", ".join(str(n) for n in self.changes.removed)
            parts.append(f"the site removed chapter{'s' * (len(self.changes.removed) > 1)} "
                         f"{listed}")
        if self.changes.reordered:
            parts.append("the site reordered chapters")
        if self.changes.inserted:
            parts.append(f"the site inserted {self.changes.inserted} chapter"
                         f"{'s' * (self.changes.inserted != 1)} between ours")
        if self.kind is UpdateKind.CHANGED:
            parts.append("our copy is kept as it was")
        if self.became_complete:
            parts.append("the story is now complete")
        return "; ".join(parts) if parts else "no new chapters"


def _similar(ours: str, theirs: str) -> float:
    return float(fuzz.ratio(ours[:_COMPARED_CHARS], theirs[:_COMPARED_CHARS],
                            score_cutoff=SAME_CHAPTER))


def compare_chapters(ours: Sequence[Chapter], theirs: Sequence[Chapter]) -> ChapterChanges:
    """How the site's chapter list relates to ours (both in reading order)."""
    match: dict[int, int] = {}  # our index -> their index
    taken: set[int] = set()
    by_text: dict[str, list[int]] = {}
    for j, chapter in enumerate(theirs):
        by_text.setdefault(chapter.text, []).append(j)
    changes = ChapterChanges()
    for i, chapter in enumerate(ours):
        exact = [j for j in by_text.get(chapter.text, []) if j not in taken]
        if exact:
            j = i if i in exact else exact[0]
        else:
            close = _closest(chapter.text, i, theirs, taken)
            if close is None:
                changes.removed.append(chapter.number)
                continue
            j = close
            changes.edited.append(chapter.number)
        match[i] = j
        taken.add(j)
    order = [match[i] for i in sorted(match)]
    changes.reordered = order != sorted(order)
    last = max(order, default=-1)
    changes.inserted = sum(1 for j in range(last) if j not in taken)
    start = len(ours)
    changes.new_chapters = [
        Chapter(number=start + k + 1, title=chapter.title, text=chapter.text)
        for k, chapter in enumerate(c for j, c in enumerate(theirs) if j > last)
    ]
    return changes


def _closest(text: str, index: int, theirs: Sequence[Chapter], taken: set[int]) -> int | None:
    """Their chapter most like ours: the same position first, else the best above the
    threshold."""
    if index < len(theirs) and index not in taken and _similar(text, theirs[index].text):
        return index
    best, best_score = None, 0.0
    for j, chapter in enumerate(theirs):
        if j in taken:
            continue
        score = _similar(text, chapter.text)
        if score > best_score:
            best, best_score = j, score
    return best


def judge_update(url: str, ours: Sequence[Chapter], was_complete: bool | None,
                 meta: SiteMetadata, draft: StoryDraft | None) -> StoryUpdate:
    """The update a fetch shows. `draft` None means the site lists as many chapters as we
    have, so nothing was downloaded."""
    complete = meta.complete
    became_complete = bool(complete) and not was_complete
    if draft is None:
        return StoryUpdate(url, UpdateKind.UNCHANGED, complete=complete,
                           became_complete=became_complete, meta=meta)
    changes = compare_chapters(ours, draft.chapters)
    if not changes.only_appended:
        kind = UpdateKind.CHANGED
    elif changes.new_chapters:
        kind = UpdateKind.NEW_CHAPTERS
    else:
        kind = UpdateKind.UNCHANGED
    return StoryUpdate(url, kind, changes, complete, became_complete, meta, draft)
