"""A story's passages as spans of its chapters' texts: the form a parsing worker sends back.

Segmentation cuts passages out of the chapter text unchanged, so a passage is fully told by
its chapter, where it starts and ends, its word count and how it was cut. Sent that way,
the text crosses the process boundary once (the chapters') instead of twice, and the
writing process builds each passages row straight from the spans, without a PassageDraft
object per passage. Read as a sequence, it gives the same PassageDrafts back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from bot.library.models import Chapter, Cut
from bot.library.segmentation import PassageDraft

# Ints per passage: chapter index, start, end, words, cut before, cut after.
_FIELDS = 6


class PassageSpans(Sequence[PassageDraft]):
    __slots__ = ("_numbers", "_spans", "_texts")

    def __init__(self, texts: tuple[str, ...], numbers: tuple[int, ...],
                 spans: list[int]) -> None:
        self._texts = texts
        self._numbers = numbers
        self._spans = spans

    @classmethod
    def of(cls, chapters: Sequence[Chapter],
           passages: Sequence[PassageDraft]) -> PassageSpans | None:
        """The passages as spans, or None when one is not exactly a span of its chapter's
        text (then they are sent as they are)."""
        numbers = tuple(chapter.number for chapter in chapters)
        index_of = {number: index for index, number in enumerate(numbers)}
        if len(index_of) != len(numbers):
            return None
        texts = tuple(chapter.text for chapter in chapters)
        spans: list[int] = []
        for seq, passage in enumerate(passages):
            index = index_of.get(passage.chapter)
            if passage.seq != seq or passage.span is None or index is None:
                return None
            start, end = passage.span
            text = passage.text
            if end - start != len(text) or not texts[index].startswith(text, start):
                return None
            spans += (index, start, end, passage.words, int(passage.cut_before),
                      int(passage.cut_after))
        return cls(texts, numbers, spans)

    def rows(self, story_id: int) -> list[tuple[object, ...]]:
        """The passages rows (story_id, seq, chapter, text, words, cut_before, cut_after),
        as bot.store.story_rows.passage_row makes them."""
        texts, numbers, spans = self._texts, self._numbers, self._spans
        return [(story_id, seq, numbers[spans[at]], texts[spans[at]][spans[at + 1]:spans[at + 2]],
                 spans[at + 3], spans[at + 4], spans[at + 5])
                for seq, at in enumerate(range(0, len(spans), _FIELDS))]

    def __len__(self) -> int:
        return len(self._spans) // _FIELDS

    @overload
    def __getitem__(self, index: int) -> PassageDraft: ...
    @overload
    def __getitem__(self, index: slice) -> list[PassageDraft]: ...

    def __getitem__(self, index: int | slice) -> PassageDraft | list[PassageDraft]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        seq = range(len(self))[index]
        at = seq * _FIELDS
        chapter, start, end, words, before, after = self._spans[at:at + _FIELDS]
        return PassageDraft(seq, self._numbers[chapter], self._texts[chapter][start:end],
                            words, (start, end), Cut(before), Cut(after))

    def __iter__(self) -> Iterator[PassageDraft]:
        return (self[seq] for seq in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PassageSpans):
            return (self._texts, self._numbers, self._spans) == (
                other._texts, other._numbers, other._spans)
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PassageSpans({list(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # The chapter texts are the draft's own string objects: pickled with the draft in
        # one message, each is written once and referred to here.
        return (PassageSpans, (self._texts, self._numbers, self._spans))
