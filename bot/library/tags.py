"""Tag normalisation and synonyms, AO3-style.

Two spellings are the same tag when their keys are equal (`tag_key`). A tag may also be a
synonym of a canonical tag: the shipped table (`synonyms.toml`) knows common fandom tags,
and curators add more by merging. Recommendations and filters work on canonical keys.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.library.models import TagKind

_SEPARATORS = re.compile(r"[\s_\-‐‑‒–—]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})
MAX_TAG_LENGTH = 100


def tag_key(name: str) -> str:
    """The comparison key of a tag name: NFKC, case-folded, one space between words.

    Hyphens, underscores and runs of whitespace all count as one space, so
    "Soulmate-AU", "soulmate_au" and " Soulmate  AU " share a key. Idempotent.
    """
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).casefold()
    text = _SEPARATORS.sub(" ", text).strip()
    # casefold can produce text NFKC would change again (e.g. 'ß' -> 'ss' is fine, but
    # some compatibility characters are not stable), so normalise once more.
    return unicodedata.normalize("NFKC", text)


def clean_tag_name(name: str) -> str:
    """The display form of a tag: NFKC and single spaces, case kept."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class SynonymTable:
    """Shipped synonyms: (kind, synonym key) -> canonical display name."""

    canonical_names: dict[tuple[TagKind, str], str]

    def canonical_for(self, kind: TagKind, name: str) -> str | None:
        """The canonical name `name` folds into, or None when it is canonical itself."""
        canonical = self.canonical_names.get((kind, tag_key(name)))
        if canonical is None or tag_key(canonical) == tag_key(name):
            return None
        return canonical


@cache
def shipped_synonyms() -> SynonymTable:
    raw = tomllib.loads(resources.files("bot.library").joinpath("synonyms.toml").read_text())
    table: dict[tuple[TagKind, str], str] = {}
    for kind_name, entries in raw.items():
        kind = TagKind(kind_name)
        for canonical, synonyms in entries.items():
            for synonym in [canonical, *synonyms]:
                table[(kind, tag_key(synonym))] = canonical
    return SynonymTable(table)
