"""Rules about story text shared by every importer: scene breaks and Markdown escaping."""

from __future__ import annotations

import re

# A paragraph that is only a scene-break ornament: o.O.o, ***, * * *, ~~~, ---, xXx, oOo,
# a lone #, ___, ===, +++, ~*~, -x-, and the like. Letters are allowed only in the
# o/O/x/X ornaments fan writers use, so a real one-word paragraph ("Oh.") never matches.
_ORNAMENT = re.compile(
    r"""^\s*(?:
        [\*\-~_=#+•·◇◆○●§⁂]+(?:\s*[\*\-~_=#+•·◇◆○●§⁂]+)*   # symbols, spaced or not
      | [\-~=_*]*\s*(?:[oO0][.\-_~*]?){2,}[oO0]?\s*[\-~=_*]*   # oOo, o.O.o, 0o0, -o-o-
      | [\-~=_*]*\s*(?:[xX][.\-_~*]?){2,}[xX]?\s*[\-~=_*]*   # xXx, x.X.x
      | [\-~=_*]*\s*[oOxX]\s*[\-~=_*]+                        # -x-, ~o~
    )\s*$""",
    re.VERBOSE,
)


ORNAMENT_MAX_LENGTH = 24


def is_scene_break(paragraph: str) -> bool:
    text = paragraph.strip()
    if not text or len(text) > ORNAMENT_MAX_LENGTH:
        return False
    return bool(_ORNAMENT.match(text))


_LINE_START_SPECIAL = re.compile(r"^(\s*)([>#]|-(?=\s)|\d+\.(?=\s))", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Escape plain text so Discord shows it literally (emphasis, spoilers, quotes, links)."""
    escaped = re.sub(r"([\\*_~`|])", r"\\\1", text)
    # Only at a line start do '>', '#', '- ' and '1. ' change the layout.
    return _LINE_START_SPECIAL.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
