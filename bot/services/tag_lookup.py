"""Turning tag names people type into canonical tags, with "did you mean …?" errors."""

from __future__ import annotations

from collections.abc import Sequence

from bot.library.errors import InvalidInput
from bot.library.lookup import suggestion
from bot.library.models import TagKind
from bot.library.overlay import TagOverlay
from bot.library.records import TagRow
from bot.library.tags import shipped_synonyms
from bot.store.protocol import TagStore

# When one spelling names tags of several kinds ("Sherlock Holmes" the character and the
# fandom synonym), a search means the kind listed first.
KIND_PRIORITY: tuple[TagKind, ...] = (
    TagKind.FANDOM, TagKind.RELATIONSHIP, TagKind.CHARACTER, TagKind.FREEFORM,
    TagKind.CATEGORY, TagKind.WARNING, TagKind.RATING,
)
SHOWN_NAME_LENGTH = 60


def shown(name: str) -> str:
    text = " ".join(name.split())
    return text if len(text) <= SHOWN_NAME_LENGTH else text[: SHOWN_NAME_LENGTH - 1] + "…"


class TagLookup:
    def __init__(self, tags: TagStore) -> None:
        self.tags = tags

    async def canonical_matches(self, text: str, kind: TagKind | None = None) -> list[TagRow]:
        """Every canonical tag `text` names (directly or as a synonym), best kind first.

        Raises InvalidInput naming the nearest known tag when nothing matches.
        """
        if not text.strip():
            raise InvalidInput("a tag cannot be empty")
        found: dict[int, TagRow] = {}
        for row in await self.tags.with_key(text) or await self._shipped_synonym(text):
            if kind is not None and row.kind is not kind:
                continue
            canonical = row if row.canonical_id is None else await self.tags.canonical_of(row.id)
            found.setdefault(canonical.id, canonical)
        if not found:
            raise InvalidInput(await self._unknown(text, kind))
        return sorted(found.values(), key=lambda row: (KIND_PRIORITY.index(row.kind), row.id))

    async def in_view(self, overlay: TagOverlay, text: str,
                      kind: TagKind | None = None) -> list[TagRow]:
        """Every canonical tag `text` names in a server's view: its local names first, then
        the shared names, each folded through the server's merges; best kind first."""
        if not text.strip():
            raise InvalidInput("a tag cannot be empty")
        found: dict[int, TagRow] = {}
        for tag_id in overlay.named_locally(text):
            row = overlay.rows.get(tag_id) or await self.tags.canonical_of(tag_id)
            if kind is None or row.kind is kind:
                found.setdefault(overlay.fold(row.id), row)
        try:
            shared = await self.canonical_matches(text, kind)
        except InvalidInput:
            if not found:
                raise InvalidInput(await self._unknown(text, kind, overlay)) from None
            shared = []
        for row in shared:
            folded = overlay.fold(row.id)
            found.setdefault(folded, row if folded == row.id else (
                overlay.rows.get(folded) or await self.tags.canonical_of(folded)))
        rows = [overlay.rows.get(tag_id) or row for tag_id, row in found.items()]
        return sorted(rows, key=lambda row: (KIND_PRIORITY.index(row.kind), row.id))

    async def best(self, text: str, kind: TagKind | None = None) -> TagRow:
        """The one canonical tag a search for `text` means."""
        return (await self.canonical_matches(text, kind))[0]

    async def many(self, texts: Sequence[str], *, every_kind: bool) -> list[TagRow]:
        """Canonical tags for several names; `every_kind` keeps all kinds a name matches
        (what excluding and blocking want), otherwise only the best one."""
        rows: dict[int, TagRow] = {}
        for text in texts:
            matches = await self.canonical_matches(text)
            for row in matches if every_kind else matches[:1]:
                rows.setdefault(row.id, row)
        return list(rows.values())

    async def _shipped_synonym(self, text: str) -> list[TagRow]:
        """A shipped synonym no story uses yet ("Fluffy") still names its canonical tag."""
        rows: list[TagRow] = []
        for kind in KIND_PRIORITY:
            canonical = shipped_synonyms().canonical_for(kind, text)
            row = await self.tags.find(kind, canonical) if canonical else None
            if row is not None:
                rows.append(row)
        return rows

    async def _unknown(self, text: str, kind: TagKind | None,
                       overlay: TagOverlay | None = None) -> str:
        names = {row.id: row.name for row in await self.tags.all()
                 if kind is None or row.kind is kind}
        if overlay is not None:  # the server's own names, under ids no tag row uses
            names.update({-tag_id: name for tag_id, name in overlay.renamed.items()})
        nearest = suggestion(text, names)
        hint = f" — did you mean '{shown(nearest)}'?" if nearest else ""
        return f"unknown tag '{shown(text)}'{hint}"
