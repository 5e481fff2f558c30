"""Choosing passages: spoiler-safe, no repeats within a cycle, story cooldown, weights."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.library.selection import (
    PassageCandidate,
    SelectionRules,
    SerialPosition,
    ServerHistory,
    is_spoiler_safe,
    next_serial_passage,
    record_selection,
    select_passage,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
RULES = SelectionRules()


def story(story_id: int, count: int, weight: float = 1.0) -> list[PassageCandidate]:
    return [
        PassageCandidate(story_id * 1000 + seq, story_id, seq, count, weight)
        for seq in range(count)
    ]


def test_only_the_opening_part_of_a_story_is_eligible():
    passages = story(1, 10)
    assert [p.seq for p in passages if is_spoiler_safe(p, RULES)] == [0, 1, 2, 3, 4, 5]
    # A one-passage story, or a tiny fraction, still offers its first passage.
    assert is_spoiler_safe(story(2, 1)[0], RULES)
    assert [p.seq for p in story(3, 5) if is_spoiler_safe(p, SelectionRules(0.01))] == [0]
    rng = random.Random(7)
    chosen = {select_passage(passages, ServerHistory(), NOW, RULES, rng).seq for _ in range(200)}
    assert chosen == {0, 1, 2, 3, 4, 5}


def test_a_full_cycle_shows_every_eligible_passage_once_then_starts_over():
    candidates = story(1, 10) + story(2, 5) + story(3, 1)
    eligible = {c.passage_id for c in candidates if is_spoiler_safe(c, RULES)}
    assert len(eligible) == 10
    history = ServerHistory()
    rng = random.Random(42)
    shown: list[int] = []
    for day in range(len(eligible)):
        chosen = select_passage(candidates, history, NOW + timedelta(days=day), RULES, rng)
        shown.append(chosen.passage_id)
        history = record_selection(history, chosen, NOW + timedelta(days=day))
    assert sorted(shown) == sorted(eligible)  # N selections, no repeat, none missed
    # The next pick starts a new cycle: the shown set holds only that pick.
    again = select_passage(candidates, history, NOW + timedelta(days=30), RULES, rng)
    assert again.passage_id in eligible
    history = record_selection(history, again, NOW + timedelta(days=30))
    assert history.shown_passage_ids == {again.passage_id}


def test_a_story_rests_during_its_cooldown_while_others_are_available():
    candidates = story(1, 10) + story(2, 10)
    history = ServerHistory(last_featured={1: NOW - timedelta(days=3)})
    rng = random.Random(1)
    picks = {select_passage(candidates, history, NOW, RULES, rng).story_id for _ in range(50)}
    assert picks == {2}
    # Once the cooldown is over, story 1 is back.
    later = NOW + timedelta(days=12)
    picks = {select_passage(candidates, history, later, RULES, rng).story_id for _ in range(50)}
    assert picks == {1, 2}


def test_when_every_story_is_cooling_down_the_least_recent_one_is_used():
    candidates = story(1, 4) + story(2, 4) + story(3, 4)
    history = ServerHistory(
        last_featured={1: NOW - timedelta(days=2), 2: NOW - timedelta(days=9), 3: NOW}
    )
    rng = random.Random(3)
    picks = {select_passage(candidates, history, NOW, RULES, rng).story_id for _ in range(30)}
    assert picks == {2}


def test_no_repeat_outranks_cooldown():
    # Story 2 is rested but fully shown; story 1 is cooling down but has an unshown passage.
    candidates = story(1, 2) + story(2, 1)
    history = ServerHistory(
        shown_passage_ids={2000, 1001}, last_featured={1: NOW - timedelta(days=1)}
    )
    chosen = select_passage(candidates, history, NOW, RULES, random.Random(0))
    assert chosen.passage_id == 1000


def test_selection_is_deterministic_for_a_seed_whatever_the_row_order():
    candidates = story(1, 10) + story(2, 10, weight=2.0) + story(3, 3)
    shuffled = list(candidates)
    random.Random(5).shuffle(shuffled)
    picks_a = [
        select_passage(candidates, ServerHistory(), NOW, RULES, random.Random(s)) for s in range(20)
    ]
    picks_b = [
        select_passage(shuffled, ServerHistory(), NOW, RULES, random.Random(s)) for s in range(20)
    ]
    assert picks_a == picks_b


def test_weights_shift_the_odds():
    liked = PassageCandidate(1, 1, 0, 1, weight=3.0)
    plain = PassageCandidate(2, 2, 0, 1, weight=1.0)
    dismissed = PassageCandidate(3, 3, 0, 1, weight=0.0)
    rng = random.Random(2024)
    counts = Counter(
        select_passage([liked, plain, dismissed], ServerHistory(), NOW, RULES, rng).passage_id
        for _ in range(4000)
    )
    assert counts[3] == 0
    assert 0.70 < counts[1] / 4000 < 0.80  # expected 0.75
    # All weights zero: still a choice, uniformly.
    zero = [PassageCandidate(i, i, 0, 1, weight=0.0) for i in range(1, 4)]
    counts = Counter(
        select_passage(zero, ServerHistory(), NOW, RULES, rng).passage_id for _ in range(3000)
    )
    assert set(counts) == {1, 2, 3} and min(counts.values()) > 850


def test_nothing_eligible_gives_none():
    assert select_passage([], ServerHistory(), NOW, RULES, random.Random(0)) is None


def test_rules_reject_a_fraction_outside_zero_to_one():
    with pytest.raises(ValueError):
        SelectionRules(spoiler_fraction=1.5)


def test_serial_mode_reads_a_story_to_the_end_then_starts_another():
    candidates = story(1, 3) + story(2, 2) + story(3, 2)
    rng = random.Random(11)
    history = ServerHistory()
    position = None
    read: list[tuple[int, int]] = []
    for day in range(7):
        now = NOW + timedelta(days=day * 20)  # past every cooldown
        chosen = next_serial_passage(candidates, position, history, now, RULES, rng)
        if position is None or chosen.story_id != position.story_id:
            history = record_selection(history, chosen, now)
        position = SerialPosition(chosen.story_id, chosen.seq)
        read.append((chosen.story_id, chosen.seq))
    # Every story is read in full, in order, each one once, starting at its first passage.
    by_story: dict[int, list[int]] = {}
    for story_id, seq in read:
        by_story.setdefault(story_id, []).append(seq)
    assert by_story == {1: [0, 1, 2], 2: [0, 1], 3: [0, 1]}
    starts = [i for i, (_, seq) in enumerate(read) if seq == 0]
    assert len(starts) == 3


def test_serial_mode_skips_a_story_in_cooldown_and_survives_a_removed_story():
    candidates = story(1, 2) + story(2, 2)
    history = ServerHistory(last_featured={2: NOW - timedelta(days=1)})
    # The current story (9) was removed or filtered out: a new one starts.
    chosen = next_serial_passage(
        candidates, SerialPosition(9, 4), history, NOW, RULES, random.Random(0)
    )
    assert (chosen.story_id, chosen.seq) == (1, 0)
    # The last passage of the only story: it starts over rather than stopping.
    only = story(5, 2)
    chosen = next_serial_passage(
        only, SerialPosition(5, 1), ServerHistory(), NOW, RULES, random.Random(0)
    )
    assert (chosen.story_id, chosen.seq) == (5, 0)
