"""Story metadata given as a mapping: Markdown front matter, `X.meta.yaml` sidecars, CLI options.

All three use the same keys, read by `metadata_fields`, so a key means the same thing
wherever a curator writes it.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from bot.library.errors import ImportRejected
from bot.library.models import Rating, StoryDraft
from bot.library.rating_change import RatingChange, merge_rating
from bot.library.text_safety import clean_line, clean_text, safe_file_name

SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")
# Metadata beside a story, never a story itself (.meta.json: what some exporters write).
METADATA_SUFFIXES = (*SIDECAR_SUFFIXES, ".meta.json")

# Key as a curator writes it -> StoryDraft field holding a list of names.
_LIST_KEYS = {
    "authors": "authors",
    "warnings": "warnings",
    "warning": "warnings",
    "categories": "categories",
    "category": "categories",
    "fandoms": "fandoms",
    "fandom": "fandoms",
    "relationships": "relationships",
    "relationship": "relationships",
    "characters": "characters",
    "character": "characters",
    "tags": "freeform",
    "tag": "freeform",
    "freeform": "freeform",
}
_TEXT_KEYS = {"summary", "notes", "end_notes"}
_OPTIONAL_TEXT_KEYS = {"language", "series", "source"}

_RATING_NAMES: dict[str, Rating] = {
    **{rating.value.lower(): rating for rating in Rating},
    **{rating.name.lower().replace("_", " "): rating for rating in Rating},
    "teen and up": Rating.TEEN,
    "general audience": Rating.GENERAL,
    "unrated": Rating.NOT_RATED,
    "g": Rating.GENERAL,
    "t": Rating.TEEN,
    "m": Rating.MATURE,
    "e": Rating.EXPLICIT,
}

_TRUE_WORDS = {"true", "yes", "y", "1", "complete", "completed", "finished"}
_FALSE_WORDS = {"false", "no", "n", "0", "incomplete", "in progress", "wip", "ongoing"}


def parse_rating(value: object) -> Rating:
    """AO3's rating names, case-insensitive, plus the short forms curators type."""
    key = re.sub(r"[\s_\-]+", " ", str(value)).strip().lower()
    rating = _RATING_NAMES.get(key)
    if rating is None:
        choices = ", ".join(rating.value for rating in Rating)
        raise ImportRejected(f"unknown rating {str(value)!r}; use one of {choices}")
    return rating


def parse_name_list(value: object, key: str) -> list[str]:
    """A YAML list or a comma-separated string -> stripped names, blanks and repeats dropped."""
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, int | float):
        items = [value]
    else:
        raise ImportRejected(f"{key!r} must be a list or a comma-separated text")
    names: list[str] = []
    for item in items:
        if isinstance(item, dict | list):
            raise ImportRejected(f"{key!r} must hold plain names, not nested lists or maps")
        name = clean_line(str(item))
        if name and name not in names:
            names.append(name)
    return names


def parse_complete(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ImportRejected(f"'complete' must be true or false, not {str(value)!r}")


def _scalar_text(value: object, key: str) -> str:
    """A text value, cleaned of terminal escapes and control characters (it is stored)."""
    if isinstance(value, dict | list):
        raise ImportRejected(f"{key!r} must be a text, not a list or map")
    return clean_text(str(value)).strip()


def metadata_fields(meta: Mapping[str, object]) -> dict[str, object]:
    """Read metadata keys into StoryDraft field values. Keys with no value are left out;
    unknown keys are ignored (front matter often carries keys of other tools)."""
    fields: dict[str, object] = {}
    for raw_key, value in meta.items():
        key = str(raw_key).strip().lower().replace("-", "_")
        if value is None:
            continue
        if key == "title":
            title = clean_line(_scalar_text(value, key))
            if title:
                fields["title"] = title
        elif key == "author":
            # One author as a text (a pseud may contain a comma); a list is accepted too.
            names = (
                parse_name_list(value, key)
                if isinstance(value, list)
                else [clean_line(_scalar_text(value, key))]
            )
            fields["authors"] = [name for name in names if name]
        elif key in _LIST_KEYS:
            fields[_LIST_KEYS[key]] = parse_name_list(value, key)
        elif key == "rating":
            fields["rating"] = parse_rating(value)
        elif key == "complete":
            fields["complete"] = parse_complete(value)
        elif key in _TEXT_KEYS:
            fields[key] = _scalar_text(value, key)
        elif key in _OPTIONAL_TEXT_KEYS:
            fields[key] = clean_line(_scalar_text(value, key)) or None
    return fields


def apply_metadata(draft: StoryDraft, meta: Mapping[str, object]) -> StoryDraft:
    """A copy of `draft` with every field the mapping names set from it (a sidecar: the
    file's own metadata, kept next to it)."""
    fields = metadata_fields(meta)
    if "title" in fields:
        fields["title_from_file_name"] = False
    return dataclasses.replace(draft, **fields)  # type: ignore[arg-type]


# Fields a file either carries or lacks; an option only fills them when the file lacks them.
_EMPTY_WHEN_LACKING: dict[str, object] = {
    "summary": "", "notes": "", "end_notes": "", "language": None, "series": None,
    "source": None, "complete": None,
}


def add_metadata(
    draft: StoryDraft,
    meta: Mapping[str, object],
    *,
    rating_change: RatingChange = RatingChange.FILL,
) -> StoryDraft:
    """A curator's options (CLI flags, slash-command options) over a file's own metadata.

    The file wins: a title, authors, summary... given as an option only fill what the file
    lacks, and names for tag lists (fandoms, tags, warnings...) are added to the file's,
    never replacing them: a curator's `--tag` must not erase AO3's. The rating follows
    `merge_rating`: a rating the file carries changes only with `rating_change`."""
    fields = metadata_fields(meta)
    kept: dict[str, object] = {}
    for name, value in fields.items():
        if name == "rating":
            kept[name] = merge_rating(draft.rating, value, rating_change)  # type: ignore[arg-type]
        elif name == "title":
            if draft.title_from_file_name or not draft.title.strip():
                kept[name] = value
                kept["title_from_file_name"] = False
        elif name == "authors":
            if not draft.authors:
                kept[name] = value
        elif isinstance(value, list):
            current: list[str] = list(getattr(draft, name))
            known = {item.casefold() for item in current}
            kept[name] = current + [item for item in value if item.casefold() not in known]
        elif getattr(draft, name) == _EMPTY_WHEN_LACKING.get(name):
            kept[name] = value
    return dataclasses.replace(draft, **kept)  # type: ignore[arg-type]


def parse_yaml_mapping(text: str, what: str) -> dict[str, object]:
    """YAML text that must be a mapping; any problem becomes one ImportRejected line."""
    try:
        loaded = yaml.safe_load(text)
    except RecursionError:
        # PyYAML recurses once per nesting level: "[[[[...]]]]" is an attack, not metadata.
        raise ImportRejected(f"the {what} is nested too deeply to be metadata") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "it could not be parsed"
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ImportRejected(f"the {what} is not valid YAML: {problem}{where}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ImportRejected(f"the {what} must be a YAML mapping of keys to values")
    return {str(key): value for key, value in loaded.items()}


def sidecar_path(path: Path) -> Path | None:
    """The existing `X.meta.yaml` (or `.meta.yml`) next to story file `X.<ext>`, if any."""
    # os.path on strings: a folder import asks this of every file, and building and
    # testing Path objects cost several times the two stat calls.
    stem = os.path.join(os.path.dirname(path), path.stem)
    for suffix in SIDECAR_SUFFIXES:
        # isfile says False for a name it cannot even ask about: a story name near the
        # 255-byte limit makes the sidecar's too long to exist, which is "no sidecar".
        if os.path.isfile(stem + suffix):
            return Path(stem + suffix)
    return None


def load_sidecar(path: Path) -> dict[str, object] | None:
    """The metadata mapping of the sidecar next to story file `path`, None if there is none."""
    found = sidecar_path(path)
    if found is None:
        return None
    name = safe_file_name(found.name)
    try:
        text = found.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"the metadata file {name} is not UTF-8 text (byte {error.start:,} is not UTF-8)"
        ) from None
    except OSError as error:
        raise ImportRejected(f"the metadata file {name} could not be read ({error.strerror})"
                             ) from None
    return parse_yaml_mapping(text, f"metadata file {name}")
