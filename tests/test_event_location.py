"""An event's location is a place phrase of its trigger, not a name modifying another noun in it."""

import pytest
from dateline.transforms.entities import doc_mentions
from dateline.transforms.events import build_lexicon, doc_events, load_triggers


@pytest.fixture(scope="module")
def trigger_lexicon():
    return build_lexicon(load_triggers())


def location_of(nlp, lexicon, text: str, code: str) -> str | None:
    doc = nlp(text)
    rows = [r for r in doc_events("d", doc, doc_mentions("d", doc), lexicon) if r["event_code"] == code]
    assert len(rows) == 1, rows
    start, end = rows[0]["location_start"], rows[0]["location_end"]
    return None if start is None else text[start:end]


@pytest.mark.parametrize(
    ("text", "code", "place"),
    [
        ("Xi Jinping met Vladimir Putin in Beijing on Monday.", "CONSULT", "Beijing"),
        ("Police arrested John Smith in the Gaza Strip.", "COERCE", "the Gaza Strip"),
        # "the Ukraine crisis" is a crisis, not a place the support happened in
        ("Xi Jinping supported Vladimir Putin in the Ukraine crisis.", "SUPPORT", None),
    ],
)
def test_location_is_the_place_phrase_itself(nlp, trigger_lexicon, text, code, place):
    assert location_of(nlp, trigger_lexicon, text, code) == place
