"""The recommendation index as bytes, to be saved with the library and loaded at start.

A restart of an unchanged library then loads a few arrays instead of re-reading every
(story, tag) link: at 100k stories, 1.6 million links and a 55k-tag vocabulary. The bytes
are a NumPy .npz archive (no pickles: `allow_pickle=False`), uncompressed because loading
speed is the point; zip's CRC-32 of each member catches a damaged file. Strings (tag keys
and names, author and series names, ratings) are stored as NUL-joined UTF-8.

Whether a snapshot may be used is the store's business (its change counter, see the
migrations); this module only turns an index into bytes and back, and refuses bytes that
do not describe a consistent index (`SnapshotUnusable`), so that a damaged or foreign
snapshot is rebuilt from the library instead of answering wrongly.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.library.index_arrays import GrowArray, Interned
from bot.library.models import TagKind
from bot.library.tag_index import (
    KIND_WEIGHTS,
    LENGTH_FREE_TAGS,
    NO_SERIES,
    TagIndex,
    TagRef,
)

# Raise when the bytes' meaning changes; older snapshots are then rebuilt, not misread.
FORMAT_VERSION = 1

# Rows' length factors depend on these: a snapshot made under other weights is rebuilt.
_WEIGHTS_KEY = repr((sorted((kind.value, weight) for kind, weight in KIND_WEIGHTS.items()),
                     LENGTH_FREE_TAGS))
_INDEX_ARRAYS = ("row_tags", "row_authors", "shared", "shared_start", "shared_count", "df",
                 "guild_live")
_STRINGS = ("kind_values", "tag_keys", "tag_names", "names", "ratings", "weights_key")


class SnapshotUnusable(ValueError):
    """The bytes are not a snapshot this code can use (damaged, or another format)."""


@dataclass
class IndexState:
    """The index and the vocabulary it was built with: any tag id -> its canonical tag,
    and each canonical tag's display name."""

    index: TagIndex
    tags: dict[int, TagRef]
    names: dict[TagRef, str]


def dump(state: IndexState) -> bytes:
    """The state as bytes. Only a freshly built index (no removed rows, no posting list
    changed since the build) is saved: that is what `load` rebuilds."""
    index = state.index
    if index._dead or index._own or len(index) != index.row_count:
        raise ValueError("only a freshly built index is saved")
    refs: list[TagRef] = index._tags.values  # type: ignore[assignment]
    kinds = list(TagKind)
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT_VERSION, dtype=np.int64),
        "row_tags": index._row_tags.view(), "row_authors": index._row_authors.view(),
        "shared": index._shared, "shared_start": index._shared_start,
        "shared_count": index._shared_count, "df": index._df.view(),
        "guild_live": index._guild_live.view(),
        "tag_kind": np.array([kinds.index(kind) for kind, _ in refs], dtype=np.int8),
        "vocab_ids": np.fromiter(state.tags, dtype=np.int64, count=len(state.tags)),
        "vocab_codes": np.array([index._tags.code[ref] for ref in state.tags.values()],
                                dtype=np.int32),
        "guild_ids": np.array([0 if g is None else g for g in index._guilds.values],
                              dtype=np.int64),
        "guild_none": np.array([g is None for g in index._guilds.values], dtype=bool),
    }
    for name, column in index._col.items():
        arrays[f"col_{name}"] = column.view()
    strings = {
        "kind_values": [kind.value for kind in kinds],
        "tag_keys": [key for _, key in refs],
        "tag_names": [state.names.get(ref, ref[1]) for ref in refs],
        "names": [str(name) for name in index._names.values],
        "ratings": [str(rating) for rating in index._ratings.values],
        "weights_key": [_WEIGHTS_KEY],
    }
    arrays["string_counts"] = np.array([len(strings[name]) for name in _STRINGS],
                                       dtype=np.int64)
    for name in _STRINGS:
        arrays[f"s_{name}"] = _pack(strings[name])
    out = io.BytesIO()
    np.savez(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def load(data: bytes) -> IndexState:
    """The state saved by `dump`; SnapshotUnusable (one line saying why) for bytes that are
    damaged, of another format, or inconsistent."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise SnapshotUnusable(f"not readable ({error})") from error
    try:
        return _state(arrays)
    except (KeyError, IndexError, TypeError, ValueError) as error:
        if isinstance(error, SnapshotUnusable):
            raise
        raise SnapshotUnusable(f"inconsistent ({type(error).__name__}: {error})") from error


def _state(arrays: dict[str, np.ndarray]) -> IndexState:
    if int(arrays["format"]) != FORMAT_VERSION:
        raise SnapshotUnusable(f"format {int(arrays['format'])}, this code reads "
                               f"{FORMAT_VERSION}")
    counts = dict(zip(_STRINGS, arrays["string_counts"].tolist(), strict=True))
    strings = {name: _unpack(arrays[f"s_{name}"], counts[name]) for name in _STRINGS}
    if strings["weights_key"] != [_WEIGHTS_KEY]:
        raise SnapshotUnusable("built with other tag weights")
    kinds = [TagKind(value) for value in strings["kind_values"]]
    refs: list[TagRef] = [(kinds[kind], key) for kind, key in
                          zip(arrays["tag_kind"].tolist(), strings["tag_keys"], strict=True)]
    guild_ids: list[int | None] = [None if none else guild for guild, none in zip(
        arrays["guild_ids"].tolist(), arrays["guild_none"].tolist(), strict=True)]
    _check(arrays, tags=len(refs), names=len(strings["names"]),
           ratings=len(strings["ratings"]), guilds=len(guild_ids))

    index = TagIndex()
    index._tags.values = list(refs)
    index._tags.code = {ref: code for code, ref in enumerate(refs)}
    if len(index._tags.code) != len(refs):
        raise SnapshotUnusable("inconsistent (a tag twice)")
    index._kind_weight = GrowArray(np.float64, [KIND_WEIGHTS[kind] for kind, _ in refs])
    _fill(index._names, strings["names"])
    _fill(index._ratings, strings["ratings"])
    _fill(index._guilds, guild_ids)
    for name, empty in index._col.items():
        index._col[name] = GrowArray(empty.data.dtype, arrays[f"col_{name}"])
    index._row_tags = GrowArray(np.int32, arrays["row_tags"])
    index._row_authors = GrowArray(np.int32, arrays["row_authors"])
    index._shared = arrays["shared"].astype(np.int32, copy=False)
    index._shared_start = arrays["shared_start"].astype(np.int64, copy=False)
    index._shared_count = arrays["shared_count"].astype(np.int64, copy=False)
    index._df = GrowArray(np.int64, arrays["df"])
    index._guild_live = GrowArray(np.int64, arrays["guild_live"])
    story_ids = arrays["col_sid"]
    index._rows = len(story_ids)
    index._row_of = dict(zip(story_ids.tolist(), range(len(story_ids)), strict=True))
    tags = dict(zip(arrays["vocab_ids"].tolist(),
                    [refs[code] for code in arrays["vocab_codes"].tolist()], strict=True))
    return IndexState(index, tags, dict(zip(refs, strings["tag_names"], strict=True)))


def _check(arrays: dict[str, np.ndarray], *, tags: int, names: int, ratings: int,
           guilds: int) -> None:
    """Every length and every code in range, so that no query can index out of bounds."""
    col = {name: arrays[f"col_{name}"] for name in
           ("sid", "factor", "popularity", "rating", "live", "series", "guild",
            "tag_start", "tag_count", "author_start", "author_count")}
    rows = len(col["sid"])
    wrong = [name for name, values in col.items() if values.ndim != 1 or len(values) != rows]
    wrong += [name for name in _INDEX_ARRAYS if arrays[name].ndim != 1]
    if wrong:
        raise SnapshotUnusable(f"inconsistent (columns {', '.join(wrong)})")
    row_tags, row_authors, shared = arrays["row_tags"], arrays["row_authors"], arrays["shared"]
    problems = {
        "story ids not ascending": rows > 1 and bool(np.any(np.diff(col["sid"]) <= 0)),
        "removed rows": not bool(np.all(col["live"])),
        "tag slices": not _slices_fit(col["tag_start"], col["tag_count"], len(row_tags)),
        "author slices": not _slices_fit(col["author_start"], col["author_count"],
                                         len(row_authors)),
        "tag codes": not _in_range(row_tags, 0, tags),
        "author codes": not _in_range(row_authors, 0, names),
        "series codes": not _in_range(col["series"], NO_SERIES, names),
        "rating codes": not _in_range(col["rating"], 0, ratings),
        "guild codes": not _in_range(col["guild"], 0, guilds),
        "posting lists": (len(arrays["shared_start"]) != tags
                          or len(arrays["shared_count"]) != tags
                          or not _in_range(shared, 0, rows)
                          or not _slices_fit(arrays["shared_start"], arrays["shared_count"],
                                             len(shared))),
        "tag counts": len(arrays["df"]) != tags,
        "guild counts": len(arrays["guild_live"]) != guilds,
        "vocabulary": (len(arrays["vocab_ids"]) != len(arrays["vocab_codes"])
                       or not _in_range(arrays["vocab_codes"], 0, tags)),
    }
    bad = [what for what, failed in problems.items() if failed]
    if bad:
        raise SnapshotUnusable(f"inconsistent ({', '.join(bad)})")


def _slices_fit(starts: np.ndarray, counts: np.ndarray, total: int) -> bool:
    """Back-to-back slices covering [0, total) exactly."""
    if len(starts) != len(counts) or bool(np.any(counts < 0)):
        return False
    ends = starts.astype(np.int64) + counts
    expected = np.cumsum(counts, dtype=np.int64) - counts
    return bool(np.array_equal(starts, expected)) and (not len(ends) or int(ends[-1]) == total)


def _in_range(values: np.ndarray, low: int, high: int) -> bool:
    return not len(values) or (int(values.min()) >= low and int(values.max()) < high)


def _fill(table: Interned, values: Sequence[object]) -> None:
    table.values = list(values)
    table.code = dict(zip(table.values, range(len(table.values)), strict=True))
    if len(table.code) != len(values):
        raise SnapshotUnusable("inconsistent (a name twice)")


def _pack(values: Sequence[str]) -> np.ndarray:
    joined = "\0".join(values)
    if joined.count("\0") != max(len(values) - 1, 0):
        raise ValueError("a name holds a NUL character; the index is not saved")
    return np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)


def _unpack(packed: np.ndarray, count: int) -> list[str]:
    if packed.dtype != np.uint8 or packed.ndim != 1:
        raise SnapshotUnusable("inconsistent (strings)")
    values = packed.tobytes().decode("utf-8", "surrogatepass").split("\0") if count else []
    if len(values) != count:
        raise SnapshotUnusable("inconsistent (strings)")
    return values
