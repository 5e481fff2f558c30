"""What every importer shares: size caps, text decoding, and the importer contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from charset_normalizer import from_bytes

from bot.library.errors import ImportRejected
from bot.library.models import StoryDraft

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# An EPUB (a zip) may not unpack to more than this many times the file cap: zip bombs.
EXPANSION_FACTOR = 5


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


def decode_text(data: bytes) -> str:
    """Bytes of a text file -> str, UTF-8 first, else a confident guess, else rejected."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    # Most non-UTF-8 stories are Windows Western text; charset-normalizer alone sometimes
    # prefers a Central European code page there and garbles the smart quotes.
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and (best is None or western.chaos <= best.chaos + 0.1):
        return str(western)
    if best is None or best.chaos > 0.2:
        raise ImportRejected("the text is in an encoding that could not be recognised")
    return str(best)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
