"""Event anaphora (``transforms.event_anaphora``) on the production pipeline (the ``nlp`` and ``lexicon``
fixtures): "the talks", "those accusations" with no party in their sentence take the named actors of the
same-type mention in the sentence before — and only there. The sentences are written for these tests."""

from dateline.transforms.entities import doc_mentions
from dateline.transforms.events import doc_events


def events(nlp, lexicon, text: str) -> list[tuple[int, str, str, list[str], list[str]]]:
    """(sentence index, trigger, type, actor1 texts, actor2 texts) of each event mention of ``text``."""
    doc = nlp(text)
    out = []
    for row in doc_events("d", doc, doc_mentions("d", doc), lexicon):
        first = [text[s:e] for s, e in zip(row["actor1_starts"], row["actor1_ends"], strict=True)]
        second = [text[s:e] for s, e in zip(row["actor2_starts"], row["actor2_ends"], strict=True)]
        out.append((row["sentence_index"], row["trigger"], row["event_code"], first, second))
    return out


def test_the_talks_are_the_meeting_of_the_sentence_before(nlp, lexicon):
    text = "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow on Monday. The talks lasted three hours."
    assert (1, "talks", "CONSULT", ["Xi Jinping"], ["Vladimir Putin"]) in events(nlp, lexicon, text)


def test_a_demonstrative_event_noun_takes_both_parties(nlp, lexicon):
    text = "Germany accused Iran of supplying drones to Russia on Monday. Those accusations were rejected by Tehran."
    found = events(nlp, lexicon, text)
    assert (1, "accusations", "DISAPPROVE", ["Germany"], ["Iran"]) in found
    # the sentence's own act keeps its own actors
    assert (1, "rejected", "REJECT", ["Tehran"], []) in found


def test_only_from_the_sentence_just_before(nlp, lexicon):
    text = (
        "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow on Monday. "
        "Officials gave few details. The talks lasted three hours."
    )
    assert (2, "talks", "CONSULT", [], []) in events(nlp, lexicon, text)


def test_not_a_new_event_nor_an_unnamed_group(nlp, lexicon):
    # "a meeting" is another meeting, not the one just told of
    text = (
        "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow on Monday. "
        "A meeting between the two armies is planned for May."
    )
    assert (1, "meeting", "CONSULT", [], []) in events(nlp, lexicon, text)
    # an unnamed group is not carried to the next sentence: which protesters "the protest" was is less sure
    text = "Hundreds of protesters marched through the capital on Sunday. The protest ended peacefully."
    found = events(nlp, lexicon, text)
    assert (0, "marched", "PROTEST", ["protesters"], []) in found
    assert (1, "protest", "PROTEST", [], []) in found
