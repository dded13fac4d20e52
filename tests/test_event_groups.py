"""Unnamed group actors ("protesters", "the police", "lawmakers") on the production pipeline (the ``nlp`` and
``lexicon`` fixtures): found in the argument slots where names are, never instead of a name, keyed per
document and kept out of entity resolution. The sentences are written for these tests."""

import datetime as dt

import polars as pl
from dateline.evaluation.events import run_events
from dateline.transforms.entities import ENTITY_SCHEMA, MENTION_SCHEMA, doc_mentions, entity_key
from dateline.transforms.event_groups import GROUP_LABEL, group_entities, group_key, group_mentions
from dateline.transforms.events import (
    EVENT_MENTION_SCHEMA,
    TRIGGER_SCHEMA,
    build_lexicon,
    doc_events,
    load_triggers,
)
from dateline.transforms.reference import load_reference
from dateline.transforms.resolve import Known, resolve_mentions


def events(nlp, lexicon, text: str) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """trigger → (actor1 texts, actor2 texts, group names) of the event mentions of ``text``."""
    doc = nlp(text)
    out = {}
    for row in doc_events("d", doc, doc_mentions("d", doc), lexicon):
        first = [text[s:e] for s, e in zip(row["actor1_starts"], row["actor1_ends"], strict=True)]
        second = [text[s:e] for s, e in zip(row["actor2_starts"], row["actor2_ends"], strict=True)]
        out[row["trigger"]] = (first, second, row["group_names"])
    return out


def test_groups_are_doers_and_targets_where_names_would_be(nlp, lexicon):
    found = events(nlp, lexicon, "On Sunday the riot police arrested dozens of protesters in the capital.")
    assert found["arrested"] == (["riot police"], ["protesters"], ["riot police", "protesters"])


def test_groups_frequent_as_actors_in_the_training_gold(nlp, lexicon):
    # heads added from the training labels' gold actors: plural people, bodies, an unnamed perpetrator
    found = events(
        nlp, lexicon, "Several senators criticized the nominee, and the caucus rejected the offer."
    )
    assert found["criticized"][0] == ["Several senators"]
    assert found["rejected"][0] == ["caucus"]
    found = events(nlp, lexicon, "Two women accused the mayor, and the whistleblower urged lawmakers to act.")
    assert found["accused"][0] == ["women"]
    assert found["urged"][:2] == (["whistleblower"], ["lawmakers"])
    found = events(
        nlp, lexicon, "A gunman opened fire on Saturday, and the suspect was arrested hours later."
    )
    assert found["opened"][0] == ["gunman"]
    assert found["arrested"][1] == ["suspect"]


def test_they_is_the_one_plural_subject_just_before_it(nlp, lexicon):
    text = "Students gathered outside the ministry. They demanded a meeting with the minister."
    assert events(nlp, lexicon, text)["demanded"][0] == ["Students"]
    text = "While the activists support the law, they urged lawmakers to reject the bill."
    assert events(nlp, lexicon, text)["urged"][:2] == (["activists"], ["lawmakers"])
    # an object is not its own clause's subject: "them" are the protesters, not the officers
    text = "The protesters blocked the road. Officers arrested them on Sunday."
    assert events(nlp, lexicon, text)["arrested"][:2] == (["Officers"], ["protesters"])
    # two plural subjects before it: the text does not make it clear
    text = "Protesters marched on Sunday while officials watched. They criticized the plan."
    assert events(nlp, lexicon, text)["criticized"][0] == []


def test_a_passive_agent_and_a_group_subject(nlp, lexicon):
    found = events(
        nlp, lexicon, "Two journalists were detained by soldiers, and lawmakers condemned the raid."
    )
    assert found["detained"][0] == ["soldiers"]
    assert found["condemned"][0] == ["lawmakers"]


def test_a_name_always_wins_over_a_group(nlp, lexicon):
    found = events(
        nlp, lexicon, "Russian troops attacked the village, and Trump's lawyers criticized the ruling."
    )
    assert found["attacked"][0] == ["Russian"] and found["attacked"][2] == []
    assert found["criticized"][0] == ["Trump"] and found["criticized"][2] == []


def test_a_pronoun_resolved_to_a_name_stays_the_name(nlp, lexicon):
    text = "Angela Merkel arrived in Paris on Monday. She criticized the protesters for the violence."
    assert events(nlp, lexicon, text)["criticized"] == (["Angela Merkel"], ["protesters"], ["protesters"])


def test_a_group_noun_modifying_a_noun_is_no_group_of_its_own(nlp):
    doc = nlp("The army chief met police officers and called for regime change.")
    nouns = frozenset(load_reference().group_words())
    rows = group_mentions(doc, doc_mentions("d", doc), nouns)
    assert [row["canonical_name"] for row in rows] == ["police officers"]


def test_a_group_that_is_the_trigger_is_not_its_own_actor(nlp):
    # the lexicon alone decides here: "opposition" (REJECT) and "critics" (DISAPPROVE) are its triggers
    triggers = pl.DataFrame(
        [
            {
                "lemma": "opposition",
                "pos": "NOUN",
                "prep": None,
                "code": "REJECT",
                "mode": None,
                "note": None,
            },
            {
                "lemma": "critic",
                "pos": "NOUN",
                "prep": None,
                "code": "DISAPPROVE",
                "mode": None,
                "note": None,
            },
        ],
        schema=TRIGGER_SCHEMA,
    )
    lexicon = build_lexicon(triggers, group_nouns=load_reference().group_words())
    found = events(nlp, lexicon, "The plan drew opposition from students, and critics of the plan protested.")
    assert found["opposition"][0] == ["students"]
    assert found["critics"][:2] == ([], [])


def test_a_phrase_keeps_its_modifiers_and_holds_no_shorter_group(nlp):
    doc = nlp("Opposition party members and pro-democracy students marched in the capital.")
    rows = group_mentions(doc, doc_mentions("d", doc), frozenset(load_reference().group_words()))
    assert [(r["mention_text"], r["canonical_name"]) for r in rows] == [
        ("Opposition party members", "opposition party members"),
        ("pro-democracy students", "pro-democracy students"),
    ]


def test_a_sentence_opening_group_is_named_in_lower_case_and_written_as_is(nlp):
    doc = nlp("Police detained the activists.")
    rows = group_mentions(doc, doc_mentions("d", doc), frozenset({"police", "activists"}))
    assert [(r["mention_text"], r["canonical_name"], r["label"]) for r in rows] == [
        ("Police", "police", GROUP_LABEL),
        ("activists", "activists", GROUP_LABEL),
    ]


def test_without_group_nouns_only_names_act(nlp):
    doc = nlp("Police arrested dozens of protesters in Paris on Sunday.")
    rows = doc_events("d", doc, doc_mentions("d", doc), build_lexicon(load_triggers()))
    arrest = next(r for r in rows if r["trigger"] == "arrested")
    assert (arrest["actor1_starts"], arrest["actor2_starts"], arrest["group_names"]) == ([], [], [])


def test_groups_are_keyed_per_document_and_become_group_entities(nlp, lexicon):
    text = "Police arrested dozens of protesters in the city on Sunday."
    docs = pl.DataFrame(
        {
            "document_key": ["a", "b"],
            "body": [text, text],
            "published_date": [dt.date(2024, 5, 6)] * 2,
            "source_key": ["s1", "s2"],
        }
    )
    _events, reports, names = run_events(nlp, lexicon, docs)
    arrests = reports.filter(pl.col("trigger") == "arrested").sort("document_key")
    assert arrests.get_column("actor1_entity_key").to_list() == [
        group_key("a", "police"),
        group_key("b", "police"),
    ]
    assert arrests.get_column("actor2_entity_key").to_list() == [
        group_key("a", "protesters"),
        group_key("b", "protesters"),
    ]
    assert names[group_key("a", "police")] == "police"
    # two documents' police are two actors: the reports stay two events
    assert arrests.get_column("event_key").n_unique() == 2


def test_group_entities_are_outside_entity_resolution():
    police = group_key("d0", "police")
    loaded = pl.DataFrame(
        [
            {
                "entity_key": police,
                "canonical_name": "police",
                "entity_type": GROUP_LABEL,
                "coarse_type": "group",
                "aliases": ["the police"],
                "merged_into_key": None,
                "related_entity_key": None,
                "relation": None,
            }
        ],
        schema=ENTITY_SCHEMA,
    )
    # a later document names an organization "Police" (a band): it is its own entity, the group untouched
    mention = {
        "document_key": "d1",
        "sentence_index": 0,
        "start_char": 0,
        "end_char": 6,
        "mention_text": "Police",
        "label": "ORG",
        "canonical_name": "Police",
        "coarse_type": "organization",
        "entity_label": "ORG",
        "name_start_char": 0,
        "name_end_char": 6,
    }
    resolution = resolve_mentions(
        pl.DataFrame([mention], schema=MENTION_SCHEMA),
        EVENT_MENTION_SCHEMA.to_frame(),
        pl.DataFrame(
            {
                "document_key": ["d1"],
                "published_date": [None],
                "published_precision": [None],
                "source_key": ["s"],
            },
            schema={
                "document_key": pl.String,
                "published_date": pl.Date,
                "published_precision": pl.String,
                "source_key": pl.String,
            },
        ),
        load_reference().alias_rows(),
        Known(entities=loaded),
    )
    assert resolution.mentions.get_column("entity_key").to_list() == [entity_key("Police", "organization")]
    assert police not in resolution.entities.get_column("entity_key").to_list()


def test_group_entities_gather_the_phrases_as_written():
    row = {"document_key": "d0", "group_names": ["police", "police"], "group_texts": ["Police", "police"]}
    frame = pl.DataFrame(
        [row],
        schema={
            "document_key": pl.String,
            "group_names": pl.List(pl.String),
            "group_texts": pl.List(pl.String),
        },
    )
    entities = group_entities(frame.with_columns(group_starts=pl.lit([0, 40])))
    assert entities.select(
        "entity_key", "canonical_name", "entity_type", "coarse_type", "aliases"
    ).to_dicts() == [
        {
            "entity_key": group_key("d0", "police"),
            "canonical_name": "police",
            "entity_type": GROUP_LABEL,
            "coarse_type": "group",
            "aliases": ["Police", "police"],
        }
    ]


def test_the_group_nouns_are_distinct_lower_case_words_of_a_known_kind():
    table = load_reference().group_nouns
    nouns = table.get_column("noun").to_list()
    assert nouns and len(set(nouns)) == len(nouns)
    assert all(noun == noun.lower() and noun.isascii() and " " not in noun for noun in nouns)
    assert set(table.get_column("kind")) == {"people", "person", "armed", "institution"}


def test_troops_deployed_are_what_is_moved_not_a_target(nlp, lexicon):
    """A group that is the object of a MOBILIZE (or AID) trigger is its theme, never actor2."""
    found = events(nlp, lexicon, "Russia has amassed up to 130,000 troops along its border with Ukraine.")
    assert found["amassed"][0] == ["Russia"]
    assert "troops" not in found["amassed"][1]


def _group_names(nlp, lexicon, text: str) -> list[str]:
    doc = nlp(text)
    return [row["canonical_name"] for row in group_mentions(doc, doc_mentions("d", doc), lexicon.group_nouns)]


def test_a_judge_named_nowhere_is_written_as_the_phrase(nlp, lexicon):
    """"a federal judge", or "the judge" with no judge named before it, is an actor as written; "the judge" after
    "Judge Ann Cole" is her, and other roles ("a senator") stay references that name nobody."""
    assert "federal judge" in _group_names(nlp, lexicon, "A federal judge blocked the new rule on Monday.")
    assert "judge" in _group_names(nlp, lexicon, "The company asked the judge to dismiss the case.")
    assert "judge" not in _group_names(
        nlp, lexicon, "Judge Ann Cole heard the case in May. The judge blocked the new rule."
    )
    assert _group_names(nlp, lexicon, "A senator blocked the new rule on Monday.") == []
    assert events(nlp, lexicon, "A federal judge blocked the new rule on Monday.")["blocked"][0] == ["federal judge"]
