"""Event anaphora: "the talks", "those talks", "the tariffs" take their parties from the sentence before.

A definite or demonstrative event noun whose own sentence names none of its participants ("The talks are
scheduled to go through Friday") refers back to the event the sentence before told of ("U.S. and Chinese
negotiators met in Beijing ..."). ``event_anaphora`` runs once per Doc, after its event mentions are found
(the same parse: no second pass), and gives such a mention the named actors of the closest mention of the
same type in the sentence before.

Measured on the training subset (train900 harness, README "Events"): one sentence back fills the fewest
wrong actors; two and three sentences back fill more slots but more of the added ones are someone else,
and an unnamed group ("people", "leaders") taken from the earlier mention was wrong more often than right.
"""

from collections.abc import Sequence
from typing import Protocol

from dateline.transforms.event_groups import GROUP_LABEL
from dateline.transforms.event_mentions import NOUN_TAGS, MentionIndex
from spacy.tokens import Doc, Token

__all__ = ["ANAPHORA_SENTENCES", "REFERRING_DETERMINERS", "event_anaphora"]

# How many sentences back the earlier mention may be.
ANAPHORA_SENTENCES = 1
# "the talks", "those talks"; not "a deal" (a new one) nor a bare "talks" (any talks).
REFERRING_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})


class MentionRow(Protocol):
    """The columns of an event-mention row (``events.EventMention``) the pass reads and writes."""

    sentence_index: int
    trigger_start: int
    trigger_end: int
    event_code: str
    actor1_starts: list[int]
    actor1_ends: list[int]
    actor2_starts: list[int]
    actor2_ends: list[int]
    group_starts: list[int]
    group_names: list[str]
    group_texts: list[str]


def event_anaphora(rows: Sequence[MentionRow], doc: Doc, index: MentionIndex) -> None:
    """Fill, in place, the actors of each referring event noun that has none from the closest mention of the
    same type at most ``ANAPHORA_SENTENCES`` sentences before it that has named actors (unnamed groups are
    not carried over). ``rows`` are one Doc's event mentions in text order; ``index`` its mentions."""
    for i, row in enumerate(rows):
        if row.actor1_starts or row.actor2_starts:
            continue
        earlier = _antecedent(rows, i, index)  # the rows first: most mentions without actors have none
        if earlier is None:
            continue
        words = doc.char_span(row.trigger_start, row.trigger_end)
        if words is None or not _referring_noun(words[0]):
            continue
        row.actor1_starts, row.actor1_ends = _named(earlier.actor1_starts, earlier.actor1_ends, index)
        row.actor2_starts, row.actor2_ends = _named(earlier.actor2_starts, earlier.actor2_ends, index)


def _referring_noun(token: Token) -> bool:
    """A noun that points back at an event already told of: "the talks", "those talks" — not "a deal", not
    "Trump's talks" (its possessor is its own participant, found or not)."""
    if token.pos_ not in NOUN_TAGS:
        return False
    det = None
    for child in token.children:
        if child.dep_ == "poss":
            return False
        if child.dep_ == "det":
            det = child.lower_
    return det in REFERRING_DETERMINERS


def _named(starts: list[int], ends: list[int], index: MentionIndex) -> tuple[list[int], list[int]]:
    kept = [(start, end) for start, end in zip(starts, ends, strict=True) if index.label_at(start) != GROUP_LABEL]
    return [start for start, _ in kept], [end for _, end in kept]


def _antecedent(rows: Sequence[MentionRow], i: int, index: MentionIndex) -> MentionRow | None:
    """The closest earlier mention of ``rows[i]``'s type in the sentences before it (within the cut) with a
    named actor."""
    row = rows[i]
    for earlier in reversed(rows[:i]):
        if row.sentence_index - earlier.sentence_index > ANAPHORA_SENTENCES:
            return None
        if earlier.sentence_index == row.sentence_index or earlier.event_code != row.event_code:
            continue
        if any(index.label_at(start) != GROUP_LABEL for start in earlier.actor1_starts + earlier.actor2_starts):
            return earlier
    return None
