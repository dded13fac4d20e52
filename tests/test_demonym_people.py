"""A singular demonym used as a person ("the Chinese supported the Russian") stands for the document's
leading person of that country, on the production pipeline (conftest's ``nlp``) and the trigger lexicon."""

import pytest
from dateline.transforms.demonym_people import demonym_people, replace_stand_ins
from dateline.transforms.entities import doc_mentions
from dateline.transforms.events import build_lexicon, doc_events, load_triggers


@pytest.fixture(scope="module")
def trigger_lexicon():
    return build_lexicon(load_triggers())


def stand_ins(nlp, text: str) -> dict[str, str]:
    """Demonym word → the name it stands for, read back from the text."""
    doc = nlp(text)
    found = demonym_people(doc, doc_mentions("d", doc))
    return {text[start:].split()[0]: text[s:e] for start, (s, e) in found.items()}


def actors(nlp, lexicon, text: str, code: str) -> tuple[list[str], list[str]]:
    doc = nlp(text)
    rows = [r for r in doc_events("d", doc, doc_mentions("d", doc), lexicon) if r["event_code"] == code]
    assert len(rows) == 1, rows
    row = rows[0]
    return (
        [text[s:e] for s, e in zip(row["actor1_starts"], row["actor1_ends"], strict=True)],
        [text[s:e] for s, e in zip(row["actor2_starts"], row["actor2_ends"], strict=True)],
    )


def test_the_chinese_and_the_russian_are_the_leaders_introduced_with_their_countries(nlp, trigger_lexicon):
    text = (
        "Chinese President Xi Jinping held a video call with Russian President Vladimir Putin on Monday. "
        "During the call, the Chinese supported the Russian on Ukraine."
    )
    assert stand_ins(nlp, text) == {"Chinese": "Xi Jinping", "Russian": "Vladimir Putin"}
    first, second = actors(nlp, trigger_lexicon, text, "SUPPORT")
    assert first == ["Xi Jinping"]
    assert second[0] == "Vladimir Putin"
    assert "Russian" not in second


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the country's possessive on the name
        ("Russia's Vladimir Putin flew to Ankara on Tuesday. Turkish officials said the Russian criticized "
         "the United States.", {"Russian": "Vladimir Putin"}),
        # an apposition naming the country
        ("The president of Brazil, Luiz Inacio Lula da Silva, met reporters. Later the Brazilian condemned "
         "the strike.", {"Brazilian": "Luiz Inacio Lula da Silva"}),
        # the person's possessive on the country
        ("Vladimir Putin's Russia sent troops to the border. Critics said the Russian threatened Ukraine.",
         {"Russian": "Vladimir Putin's"}),
    ],
)
def test_introductions_that_tie_a_person_to_a_country(nlp, text, expected):
    assert stand_ins(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # a modifier ("the Chinese government") and a people ("the Chinese have"): not one person
        "Chinese President Xi Jinping arrived in Paris. The Chinese government condemned the sanctions, and the "
        "Chinese have criticized Washington for years.",
        # the plural form is the people
        "Russian President Vladimir Putin met Chinese President Xi Jinping. The Russians criticized NATO.",
        # two people of that country, as often mentioned: which one is not said
        "Russian President Vladimir Putin and Russian Foreign Minister Sergei Lavrov arrived in Delhi. "
        "The Russian criticized NATO.",
        # nobody of that country before the demonym: it refers back, not forward
        "Officials in Moscow were quiet. The Russian criticized NATO. Russian President Vladimir Putin spoke later.",
    ],
)
def test_demonyms_that_stay_their_country(nlp, text):
    assert stand_ins(nlp, text) == {}


def test_the_more_mentioned_of_two_people_of_a_country_is_the_one(nlp):
    text = (
        "Russian President Vladimir Putin met Russian diplomat Dmitri Riabkov in Moscow. Putin later spoke "
        "to reporters, and Putin left. On Friday the Russian condemned NATO."
    )
    assert stand_ins(nlp, text) == {"Russian": "Vladimir Putin"}


def test_replace_stand_ins_keeps_order_and_drops_repeats():
    assert replace_stand_ins([(5, 9), (20, 27), (40, 45)], {20: (5, 9), 40: (50, 60)}) == [(5, 9), (50, 60)]
