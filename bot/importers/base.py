"""What every importer shares: size caps, text decoding, and the importer contract."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from charset_normalizer import from_bytes

from bot.library.errors import ImportRejected
from bot.library.models import Chapter, StoryDraft

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# An EPUB (a zip) may not unpack to more than this many times the file cap: zip bombs.
EXPANSION_FACTOR = 5


# A letter or a digit: models.count_words counts a word exactly where one stands (a word
# is a run holding one), so finding one answers "any words?" without counting them all.
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def has_words(chapters: list[Chapter]) -> bool:
    """The same as a draft's `words > 0`, at the cost of finding the first word."""
    return any(_LETTER_OR_DIGIT.search(chapter.text) for chapter in chapters)


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def max_expanded_bytes(self) -> int:
        return self.max_bytes * EXPANSION_FACTOR


class Importer(Protocol):
    """One file format. `sniff` looks at the content (the name is only a hint)."""

    name: str

    def sniff(self, data: bytes, filename: str) -> bool: ...

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft: ...


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    return b"\x00" in sample


# One well-formed UTF-8 character of two to four bytes (RFC 3629: no overlongs, no
# surrogates). Text in a one-byte code page almost never forms these by chance; UTF-8
# text pasted into it does.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# What a correct decoding never yields in a story: C1 controls (undefined bytes a
# code page passes through) and the replacement character.
_NOT_TEXT = re.compile("[\x80-\x9f\ufffd]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _mixed_encodings(first_bad: int) -> ImportRejected:
    return ImportRejected(
        f"the text mixes UTF-8 with another encoding (byte {first_bad:,} is not UTF-8); "
        "save it as UTF-8 and try again"
    )


# The code pages stories are written in: Windows and ISO pages of Europe and the Middle
# East, KOI8, and the East Asian encodings. Old DOS and Mac pages are left out: any byte
# is valid in them, so they "decode" garbage into plausible letters (cp775 reads stray
# 0x81 0x9d as "üØ").
_EAST_ASIAN_PAGES = frozenset({"shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb2312", "gbk",
                               "gb18030", "big5", "big5hkscs", "euc_kr", "cp949", "johab"})
_STORY_CODE_PAGES = [
    *(f"cp{page}" for page in range(1250, 1259)),
    *(f"iso8859_{part}" for part in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)),
    "latin_1", "koi8_r", "koi8_u", "tis_620", *sorted(_EAST_ASIAN_PAGES),
]
# A story in an East Asian encoding is mostly East Asian characters; a few stray bytes in
# English text that happen to pair up into one are garbage, not Japanese.
_MIN_EAST_ASIAN_SHARE = 0.2


def _guess_legacy(data: bytes) -> tuple[str, str]:
    """(text, codec) of a file in one of the story code pages, or rejected."""
    best = from_bytes(data, cp_isolation=_STORY_CODE_PAGES).best()
    # Most non-UTF-8 stories are Windows Western text; charset-normalizer alone sometimes
    # prefers a Central European code page there and garbles the smart quotes.
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and (best is None or western.chaos <= best.chaos + 0.1):
        return str(western), western.encoding
    if best is None or best.chaos > 0.2:
        raise ImportRejected("the text is in an encoding that could not be recognised")
    return str(best), best.encoding


def decode_text(data: bytes) -> str:
    """Bytes of a text file -> str: UTF-8 first, else a confident guess of one code page.

    A decoding that needs a replacement character is refused, never stored as mojibake,
    with the byte offset where the text goes wrong: text mixing UTF-8 with a code page
    (a pasted paragraph) and bytes that are text in no encoding."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # offsets count from the file's start
    data = data[bom:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad = bom + error.start
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportRejected(
                f"the UTF-16 text is broken at byte {error.start:,}"
            ) from None
    well_formed = len(_UTF8_MULTIBYTE.findall(data))
    malformed = data.decode("utf-8", "replace").count("\ufffd")
    if well_formed and well_formed >= malformed:  # mostly UTF-8, a few foreign bytes
        raise _mixed_encodings(first_bad)
    try:
        text, codec = _guess_legacy(data)
    except ImportRejected:
        # Many UTF-8 characters in it: say where the rest stops being UTF-8. (Random bytes
        # form a few by chance among far more malformed ones: that is just noise.)
        if well_formed * 4 >= malformed:
            raise _mixed_encodings(first_bad) from None
        raise
    # A one-byte code page for most of it, and UTF-8 characters as well. (East Asian
    # encodings use two-byte pairs that look like UTF-8 by chance, so they are exempt.)
    if well_formed and codec not in _EAST_ASIAN_PAGES:
        raise _mixed_encodings(first_bad)
    if (bad := _NOT_TEXT.search(text)) is not None:
        raise _not_text(bom + len(text[: bad.start()].encode(codec, "replace")))
    if codec in _EAST_ASIAN_PAGES:
        letters = [char for char in text if not char.isspace()]
        foreign = sum(1 for char in letters if ord(char) > 0x7F)
        if foreign < _MIN_EAST_ASIAN_SHARE * len(letters):
            raise _not_text(bom + next(i for i, byte in enumerate(data) if byte > 0x7F))
    return text


def _not_text(offset: int) -> ImportRejected:
    return ImportRejected(
        f"byte {offset:,} is not text in any encoding I can recognise; "
        "save the file as UTF-8 and try again"
    )


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
