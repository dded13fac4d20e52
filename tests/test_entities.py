"""Canonical entities: mention cleanup, headline re-reading, aliases, short forms, resolution across documents."""

from pathlib import Path

import polars as pl
import pytest
import spacy
from dateline.transforms.entities import (
    ALIAS_KINDS,
    ENTITY_SCHEMA,
    MENTION_SCHEMA,
    VOTE_SCHEMA,
    canonical_form,
    doc_mentions,
    entity_key,
    entity_relations,
    resolve_entities,
    spelling_rank,
)
from dateline.transforms.entity_components import add_entity_components, alias_patterns, short_form_target
from dateline.transforms.keys import make_key
from dateline.transforms.name_links import hyphen_spellings, merge_variants, variant_form, variant_targets
from dateline.transforms.reference import load_reference
from polars.testing import assert_frame_equal
from spacy.lang.en.stop_words import STOP_WORDS

from tests.golden import assert_golden

REFERENCE = load_reference()

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def rules_nlp():
    """A blank English pipeline whose "ner" is an entity ruler, followed by Dateline's components."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Xi Jinping"},
            {"label": "PERSON", "pattern": "Vladimir Putin"},
            {"label": "PERSON", "pattern": "Putin"},
            {"label": "PERSON", "pattern": "Xi"},
        ]
    )
    return add_entity_components(nlp, REFERENCE.alias_rows(), REFERENCE.title_words(), organization_heads=REFERENCE.head_words())


def with_ents(nlp, text: str, ents: list[tuple[str, str, int]]):
    """Run the pipeline's components after "ner" on ``text`` with the given (text, label, nth) entities preset."""
    doc = nlp.make_doc(text)
    spans = []
    for surface, label, nth in ents:
        start = -1
        for _ in range(nth + 1):
            start = text.index(surface, start + 1)
        spans.append(doc.char_span(start, start + len(surface), label=label))
    doc.ents = spans
    for name, proc in nlp.pipeline:
        if name != "ner":
            doc = proc(doc)
    return doc


def ents_of(doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def canon_of(doc) -> list[tuple[str, str]]:
    return [(e.text, e._.canonical_name) for e in doc.ents]


# --- canonical spelling -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vladimir Putin’s", "Vladimir Putin"),
        ("NATO's", "NATO"),
        ("the United States", "United States"),
        ("The  Kremlin", "Kremlin"),
        ("Xi Jinping", "Xi Jinping"),
        ("Mao Zedong’s", "Mao Zedong"),
    ],
)
def test_canonical_form_drops_article_possessive_and_extra_space(text, expected):
    assert canonical_form(text) == expected


# --- mention cleanup ----------------------------------------------------------------------------


def test_headline_in_capitals_is_reread_with_sentence_case(rules_nlp):
    # The ruler matches exact case, like the model it stands in for: only re-cased words match.
    doc = rules_nlp("PUTIN VISITS XI JINPING\nPutin met Xi Jinping and talked about trade.")
    assert ents_of(doc)[:2] == [("PUTIN", "PERSON"), ("XI JINPING", "PERSON")]


def test_headline_reread_uses_the_words_case_in_the_running_text(rules_nlp):
    headline = rules_nlp.get_pipe("dateline_headline_ner")
    doc = rules_nlp.make_doc("TALKS HELD IN BEIJING\nOfficials held talks in Beijing on Friday.")
    from dateline.transforms.entity_names import line_segments
    from dateline.transforms.headline_ner import case_evidence

    segments = line_segments(doc)
    evidence = case_evidence(doc, segments[1:])
    words = [headline.recase(t, evidence) for t in doc[segments[0][0] : segments[0][1]]]
    assert words == ["talks", "held", "in", "Beijing"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("PUTIN, XI HOLD VIDEO CALL", True),
        ("Putin Tries to Gain China’s Support Against the United States", True),  # capitalized "Against"
        ("New Russian Tank Troop Drills at Ukraine’s Border", True),  # "drills", "border" written lower below
        ("Mark McNulty ( Zimbabwe ) 254,247", False),  # a results line
        ("Sean Fitzpatrick , Walter Little , Justin Marshall", False),  # a list of names
        ("Tanks moved towards Ukraine’s border.", False),
    ],
)
def test_headline_lines_are_told_from_lists_of_names(rules_nlp, line, expected):
    from dateline.transforms.entity_names import line_segments
    from dateline.transforms.headline_ner import case_evidence, is_headline

    doc = rules_nlp.make_doc(f"{line}\nThe new drills near the border used a tank troop and little else.")
    first, rest = line_segments(doc)[0], line_segments(doc)[1:]
    assert is_headline(list(doc[first[0] : first[1]]), case_evidence(doc, rest)) is expected


HEADLINE_TEXTS = [
    "PUTIN, XI HOLD VIDEO CALL\nPutin and Xi held a video call. The two Leaders Spoke for an hour.",
    "Putin Tries to Gain China’s Support Against the United States\n\nPutin tries to gain support in Beijing.",
    "New Russian Tank Troop Drills at Ukraine’s Border\nThe new drills near the border used a tank troop.",
    "Mark McNulty ( Zimbabwe ) 254,247\nSean Fitzpatrick , Walter Little , Justin Marshall\nLittle won.",
    "NATO AND THE EU: 2 Summits, 3 Days\nA\n\nI\nOK. NATO met the EU in Brussels; the EU met NATO again.",
    "",
]


@pytest.mark.parametrize("text", HEADLINE_TEXTS)
def test_line_words_read_each_line_as_the_token_functions_do(nlp, text):
    # LineWords (one Doc.to_array per Doc) is what the component reads; headline_case, is_headline and
    # case_evidence over Token objects are the definition: the same verdict and evidence for every line
    from dateline.transforms.entity_names import LineWords, line_segments, line_words
    from dateline.transforms.headline_ner import case_evidence, headline_case, is_headline

    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:  # the model's own annotations, not Dateline's headline re-read
        if name == "dateline_headline_ner":
            break
        doc = proc(doc)
    known: dict[int, tuple] = {}
    words = LineWords(doc, known)
    assert words.words.tolist() == LineWords(doc, known).words.tolist()  # the same from the flags met before
    segments = line_segments(doc)
    for start, end in segments:
        assert words.case(start, end) == headline_case(list(doc[start:end]))
    assert words.token_lower == [t.lower_ for t in doc]
    # the counts flat_case (per sentence) and the result lines of entity_cleanup (per line) read
    for start, end in [*segments, *((s.start, s.end) for s in doc.sents)]:
        cased = [t.text for t in doc[start:end] if t.is_alpha and len(t.text) > 1]
        assert words.count(start, end) == [
            len(cased), sum(w.isupper() for w in cased),
            sum(w.lower() not in STOP_WORDS for w in cased),  # the model's lower_ is the text's lower()
            sum(w.lower() not in STOP_WORDS and w[0].isupper() for w in cased),
            sum(w.islower() for w in cased), sum(t.text.isdigit() for t in doc[start:end])]
    assert line_words(doc) is line_words(doc)  # read once per Doc for every component
    for skipped in range(len(segments) + 1):
        rest = segments[:skipped] + segments[skipped + 1:]
        expected: dict = {}
        for start, end in rest:  # case_evidence's own loop over Token objects
            first = True
            for token in doc[start:end]:
                if token.is_alpha and not first:
                    expected.setdefault(token.lower_, {}).setdefault(token.text, 0)
                    expected[token.lower_][token.text] += 1
                first = first and not token.is_alpha
        evidence = case_evidence(doc, rest, words)
        assert {k: list(v.items()) for k, v in evidence.items()} == {k: list(v.items()) for k, v in expected.items()}
        assert [list(v.items()) for v in case_evidence(doc, rest).values()] == [list(v.items()) for v in evidence.values()]
        for start, end in segments:
            assert words.is_headline(start, end, evidence) == is_headline(list(doc[start:end]), evidence)


def test_the_words_a_worker_keeps_the_flags_of_are_bounded(nlp, monkeypatch):
    # a long-running worker meets ever new words: past KNOWN_WORDS_MAX the flags are forgotten, not kept growing
    from dateline.transforms import entity_names

    monkeypatch.setattr(entity_names, "KNOWN_WORDS_MAX", 5)
    monkeypatch.setattr(entity_names, "_KNOWN_WORDS", {})
    first = nlp.make_doc("Seven different words are written right here today.")
    entity_names.line_words(first)
    known = entity_names._KNOWN_WORDS[nlp.vocab.lang]
    assert len(known) == 9  # the first Doc's words (the full stop included), kept while under the bound
    second = nlp.make_doc("Another sentence follows.")
    words = entity_names.line_words(second)
    assert len(known) == 4  # forgotten at the bound, then this Doc's words read again
    assert words.token_lower == [t.lower_ for t in second]


def test_title_case_headline_is_two_people_not_one(nlp):
    doc = nlp("Putin Visits Xi Jinping in China, Two Nations Agree That NATO Should Stop Expanding")
    persons = [e.text for e in doc.ents if e.label_ == "PERSON"]
    assert persons == ["Putin", "Xi Jinping"]


def test_headline_fragment_never_becomes_a_person(nlp):
    doc = nlp("Putin, Xi Hold Video Call As Tensions With US Escalate\nPutin and Xi will hold a video call.")
    assert "Xi Hold" not in [e.text for e in doc.ents]


def test_pure_numbers_never_become_entities(rules_nlp):
    doc = with_ents(rules_nlp, "Share this 0 820 times", [("0", "ORG", 0), ("820", "GPE", 0)])
    assert ents_of(doc) == []
    assert doc_mentions("d", doc) == []


def test_spans_are_cut_at_line_breaks_and_numbers_trimmed(rules_nlp):
    doc = with_ents(rules_nlp, "Brechin 1\nLivingston 1", [("Brechin 1\nLivingston 1", "ORG", 0)])
    assert ents_of(doc) == [("Brechin", "ORG"), ("Livingston", "ORG")]


def test_two_people_joined_by_and_are_split(rules_nlp):
    doc = with_ents(
        rules_nlp,
        "Laurent Cabannes and Laurent Benezech scored.",
        [("Laurent Cabannes and Laurent Benezech", "PERSON", 0)],
    )
    assert ents_of(doc) == [("Laurent Cabannes", "PERSON"), ("Laurent Benezech", "PERSON")]


def test_a_hyphen_joined_pair_of_names_is_two_names(rules_nlp):
    text = "Donald Trump met Kim Jong Un. The Trump-Kim summit ended early."
    doc = with_ents(rules_nlp, text, [("Donald Trump", "PERSON", 0), ("Kim Jong Un", "PERSON", 0),
                                      ("Trump-Kim", "ORG", 0)])
    assert ents_of(doc)[2:] == [("Trump", "PERSON"), ("Kim", "PERSON")]


def test_a_hyphen_joined_pair_is_found_where_the_model_saw_no_name(rules_nlp):
    text = "Donald Trump and Russia denied it. The Trump-Russia inquiry goes on."
    doc = with_ents(rules_nlp, text, [("Donald Trump", "PERSON", 0), ("Russia", "GPE", 0)])
    assert ents_of(doc)[2:] == [("Trump", "PERSON"), ("Russia", "GPE")]


def test_a_side_never_written_on_its_own_makes_no_pair(rules_nlp):
    text = "Vladimir Putin and Russia denied it. The Trump-Russia inquiry goes on."
    doc = with_ents(rules_nlp, text, [("Vladimir Putin", "PERSON", 0), ("Russia", "GPE", 0)])
    assert ("Trump", "PERSON") not in ents_of(doc)


@pytest.mark.parametrize(
    ("text", "ents"),
    [
        # a double-barrelled surname: its halves are never written on their own
        ("Alexandria Ocasio-Cortez spoke. Ocasio-Cortez left.",
         [("Alexandria Ocasio-Cortez", "PERSON", 0), ("Ocasio-Cortez", "PERSON", 1)]),
        # one adjective of two groups stays one
        ("Israeli troops and Palestinian protesters met. The Israeli-Palestinian talks stalled.",
         [("Israeli", "NORP", 0), ("Palestinian", "NORP", 0), ("Israeli-Palestinian", "NORP", 0)]),
    ],
)
def test_hyphenated_names_that_are_no_pair_stay_whole(rules_nlp, text, ents):
    doc = with_ents(rules_nlp, text, ents)
    assert [name for name, _ in ents_of(doc)] == [surface for surface, _, _ in ents]


def test_dates_and_amounts_are_left_alone(rules_nlp):
    doc = with_ents(
        rules_nlp, "About 100,000 troops by 2022", [("100,000", "CARDINAL", 0), ("2022", "DATE", 0)]
    )
    assert ents_of(doc) == [("100,000", "CARDINAL"), ("2022", "DATE")]


# --- consistency within a document ----------------------------------------------------------------


def test_surname_alone_is_the_person(rules_nlp):
    text = "Phil Simmons took four wickets. Simmons then left."
    doc = with_ents(rules_nlp, text, [("Phil Simmons", "PERSON", 0), ("Simmons", "ORG", 1)])
    assert ents_of(doc) == [("Phil Simmons", "PERSON"), ("Simmons", "PERSON")]
    assert canon_of(doc)[1] == ("Simmons", "Phil Simmons")


def test_name_found_once_is_found_at_its_other_occurrences(rules_nlp):
    text = "Leicestershire beat Somerset. Rain fell and Leicestershire 296 was the total."
    doc = with_ents(rules_nlp, text, [("Leicestershire", "ORG", 0), ("Somerset", "ORG", 0)])
    assert ("Leicestershire", "ORG") in ents_of(doc)[2:]


def test_majority_label_wins_within_a_document(rules_nlp):
    text = "Surrey won. Surrey lost. Surrey drew."
    doc = with_ents(rules_nlp, text, [("Surrey", "ORG", 0), ("Surrey", "ORG", 1), ("Surrey", "PERSON", 2)])
    assert [label for _, label in ents_of(doc)] == ["ORG", "ORG", "ORG"]


def test_common_word_is_not_propagated(rules_nlp):
    text = "Attendance was low. The attendance record stands."
    doc = with_ents(rules_nlp, text, [("Attendance", "ORG", 0)])
    assert [e.start_char for e in doc.ents] == [0]


# --- canonical names --------------------------------------------------------------------------------


def test_short_forms_link_to_the_full_name_in_the_document(rules_nlp):
    doc = rules_nlp("Russian President Vladimir Putin met Xi Jinping. Later Putin thanked Xi.")
    assert {c for _, c in canon_of(doc) if c} >= {"Vladimir Putin", "Xi Jinping"}
    assert ("Putin", "Vladimir Putin") in canon_of(doc)
    assert ("Xi", "Xi Jinping") in canon_of(doc)


def test_ambiguous_short_form_stays_as_written():
    assert short_form_target("Smith", ["John Smith", "Anna Smith"]) is None
    assert short_form_target("Smith", ["John Smith"]) == "John Smith"
    assert short_form_target("Xi", ["Xi Jinping", "Jinping Li"]) == "Xi Jinping"


def test_titles_are_dropped_from_the_name(rules_nlp):
    text = "President Xi Jinping spoke. Chinese leader Xi listened. Democrat President Joe Biden replied."
    doc = with_ents(
        rules_nlp,
        text,
        [
            ("President Xi Jinping", "PERSON", 0),
            ("Chinese leader Xi", "PERSON", 0),
            ("Democrat President Joe Biden", "PERSON", 0),
        ],
    )
    rows = doc_mentions("d", doc)
    assert [r["canonical_name"] for r in rows] == ["Xi Jinping", "Xi Jinping", "Joe Biden"]
    assert [r["mention_text"] for r in rows] == [
        "President Xi Jinping",
        "Chinese leader Xi",
        "Democrat President Joe Biden",
    ]
    first = rows[0]
    assert text[first["name_start_char"] : first["name_end_char"]] == "Xi Jinping"


def test_the_end_of_a_title_is_no_organization(rules_nlp):
    text = "U.S. Secretary of State Antony Blinken visited the State Department."
    doc = with_ents(
        rules_nlp,
        text,
        [
            ("U.S.", "GPE", 0),
            ("State", "ORG", 0),
            ("Antony Blinken", "PERSON", 0),
            ("State Department", "ORG", 0),
        ],
    )
    assert [r["canonical_name"] for r in doc_mentions("d", doc)] == [
        "United States",
        "Antony Blinken",
        "State Department",
    ]


def test_mention_keeps_exact_text_and_offsets(rules_nlp):
    text = "He praised the United States’ stance."
    doc = with_ents(rules_nlp, text, [("the United States’", "GPE", 0)])
    (row,) = doc_mentions("d", doc)
    assert text[row["start_char"] : row["end_char"]] == row["mention_text"] == "the United States’"
    assert text[row["name_start_char"] : row["name_end_char"]] == "United States"
    assert row["canonical_name"] == "United States" and row["coarse_type"] == "location"


# --- the alias table: one test per entry type ----------------------------------------------------------


def test_alias_table_is_well_formed():
    aliases = REFERENCE.aliases
    assert set(aliases.get_column("kind")) == set(ALIAS_KINDS)
    assert aliases.get_column("alias").is_unique().all()
    countries = set(aliases.filter(pl.col("kind") == "country").get_column("canonical_name"))
    dependents = set(
        aliases.filter(pl.col("kind").is_in(["demonym", "capital"])).get_column("canonical_name")
    )
    assert dependents <= countries
    assert set(aliases.get_column("label")) == {"GPE", "NORP", "ORG"}


@pytest.mark.parametrize(
    ("surface", "label", "canonical"),
    [
        ("U.S.", "GPE", "United States"),
        ("USA", "GPE", "United States"),
        ("the United States", "GPE", "United States"),
        ("U.S.A.", "GPE", "United States"),
        ("Britain", "GPE", "United Kingdom"),
    ],
)
def test_alias_country(rules_nlp, surface, label, canonical):
    doc = with_ents(rules_nlp, f"Officials in {surface} spoke.", [(surface, label, 0)])
    (row,) = doc_mentions("d", doc)
    assert (row["canonical_name"], row["entity_label"], row["coarse_type"]) == (canonical, "GPE", "location")


@pytest.mark.parametrize(
    ("surface", "canonical"),
    [
        ("the Kremlin", "Kremlin"),
        ("Nato", "NATO"),
        ("AUKUS", "AUKUS"),
        ("the EU", "European Union"),
        ("the UN", "United Nations"),
    ],
)
def test_alias_organization(rules_nlp, surface, canonical):
    doc = with_ents(rules_nlp, f"A statement by {surface} followed.", [(surface, "GPE", 0)])
    (row,) = doc_mentions("d", doc)
    assert (row["canonical_name"], row["label"], row["coarse_type"]) == (canonical, "ORG", "organization")


def test_alias_ruler_adds_names_the_model_missed(rules_nlp):
    doc = rules_nlp("They criticised the Aukus pact and the Kremlin.")
    assert ("Aukus", "ORG") in ents_of(doc) and ("Kremlin", "ORG") in ents_of(doc)


def test_alias_patterns_include_capitals_and_drop_the_article():
    patterns = alias_patterns(
        [{"alias": "the Kremlin", "canonical_name": "Kremlin", "label": "ORG", "kind": "organization"}]
    )
    assert patterns == [{"label": "ORG", "pattern": "KREMLIN"}, {"label": "ORG", "pattern": "Kremlin"}]


def test_short_capital_forms_match_only_as_written(rules_nlp):
    canonical = rules_nlp.get_pipe("dateline_canonical")
    assert canonical.lookup("US")["canonical_name"] == "United States"
    assert canonical.lookup("us") is None  # the pronoun
    assert canonical.lookup("nato")["canonical_name"] == "NATO"  # longer forms match in any case


def test_alias_demonym_is_its_countrys_group_as_noun_or_modifier(nlp):
    # One key per group, never an alias of the country as well: "the Russians" and "Russian factories"
    # are both the group "Russian", which the resolution relates to Russia (demonym_of).
    doc = nlp(
        "The Chinese supported the Russians. Chinese companies supply Russian factories. Americans voted."
    )
    rows = doc_mentions("d", doc)
    assert {(r["mention_text"], r["canonical_name"]) for r in rows} == {
        ("Chinese", "Chinese"),
        ("Russians", "Russian"),
        ("Russian", "Russian"),
        ("Americans", "American"),
    }
    assert {(r["entity_label"], r["coarse_type"]) for r in rows} == {("NORP", "group")}
    relations = entity_relations(load_reference().alias_rows())
    _, entities = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA), relations=relations)
    related = {r["canonical_name"]: r["related_entity_key"] for r in entities.iter_rows(named=True)}
    assert related == {
        "Chinese": entity_key("China", "location"),
        "Russian": entity_key("Russia", "location"),
        "American": entity_key("United States", "location"),
    }


def test_alias_capital_is_the_government_only_where_it_acts(nlp):
    doc = nlp("Washington imposed new sanctions. The envoy met officials in Moscow on Friday.")
    canon = {r["mention_text"]: r["canonical_name"] for r in doc_mentions("d", doc)}
    assert canon["Washington"] == "United States"
    assert canon["Moscow"] == "Moscow"


@pytest.mark.parametrize(
    "text",
    [
        "The governor of Washington state signed the bill.",
        "Voters in the state of Washington approved it.",
        "Protesters marched in Washington on Saturday.",
        "She flew to Washington, D.C., for the hearing.",
        "Washington (CNN) The president signed the order on Monday.",
        "WASHINGTON — The president signed the order on Monday.",
        "The holiday marks George Washington's birthday.",
        "The Washington Redskins said the name would stay.",
        "Washington Gov. Jay Inslee said the state would sue.",
    ],
)
def test_washington_the_place_is_not_the_united_states(nlp, text):
    rows = doc_mentions("d", nlp(text))
    names = [r["canonical_name"] for r in rows if "washington" in r["mention_text"].lower()]
    assert names and "United States" not in names, rows


@pytest.mark.parametrize(
    "text",
    [
        "Washington's traffic is among the worst in the nation.",  # owner of no act of a government
        "Washington's Virginia suburbs kept growing.",
        "Washington hosted the parade on Sunday.",  # subject of what a city does
        "Washington beat Dallas 24-17 on Sunday.",  # a team
        "Washington is a city of monuments.",
        "Tourists crowded Washington during the cherry blossom festival.",
        "Washington sued the administration over the travel ban.",  # the state in court
        "Polls show eastern Washington opposed the measure.",  # a region of the state
    ],
)
def test_washington_as_subject_or_owner_of_no_political_act_is_the_place(nlp, text):
    names = [r["canonical_name"] for r in doc_mentions("d", nlp(text)) if r["mention_text"] == "Washington"]
    assert names == ["Washington"]


@pytest.mark.parametrize(
    "text",
    [
        "Washington's sanctions hurt the economy.",
        "Pressure from Washington forced the change.",
        "Tensions between Washington and Beijing rose.",
        "Washington is ready to talk with Pyongyang.",
        "Moscow retaliated against Washington by expelling diplomats.",
        "Washington has been trying to persuade Ankara to drop the deal.",
        "Officials insist Washington remains at odds with Havana.",  # a political state
        "Seoul says Washington gave it firm guarantees.",  # an act by its object
        "Analysts doubt Washington would consult its allies.",
    ],
)
def test_washington_in_a_political_act_is_the_united_states(nlp, text):
    names = [r["canonical_name"] for r in doc_mentions("d", nlp(text)) if r["mention_text"] == "Washington"]
    assert names == ["United States"]


def test_capitals_stand_for_governments_only_as_actors(nlp):
    doc = nlp("Beijing said the talks failed. Tourists love Beijing in the spring.")
    rows = sorted(doc_mentions("d", doc), key=lambda r: r["start_char"])
    assert [r["canonical_name"] for r in rows if r["mention_text"] == "Beijing"] == ["China", "Beijing"]


def test_a_language_is_not_a_country(rules_nlp):
    doc = with_ents(rules_nlp, "The statement was published in Spanish.", [("Spanish", "NORP", 0)])
    (row,) = doc_mentions("d", doc)
    assert (row["canonical_name"], row["entity_label"], row["coarse_type"]) == ("Spanish", "LANGUAGE", "other")
    doc = with_ents(rules_nlp, "The report was written in Russian.", [("Russian", "LANGUAGE", 0)])
    assert doc_mentions("d", doc)[0]["canonical_name"] == "Russian"


@pytest.mark.parametrize(
    ("surface", "label"),
    [("Democrats", "NORP"), ("Democratic", "NORP"), ("Democrat", "NORP"), ("Dems", "ORG"), ("the Democratic Party", "ORG")],
)
def test_party_labels_are_the_party(rules_nlp, surface, label):
    doc = with_ents(rules_nlp, f"Leaders of {surface} spoke on Monday.", [(surface, label, 0)])
    (row,) = doc_mentions("d", doc)
    assert (row["canonical_name"], row["coarse_type"]) == ("Democratic Party", "organization")


def test_a_lowercase_adjective_is_not_the_party(rules_nlp):
    assert rules_nlp.get_pipe("dateline_canonical").lookup("democratic") is None
    assert rules_nlp.get_pipe("dateline_canonical").lookup("GOP")["canonical_name"] == "Republican Party"


def test_organizations_named_after_people_stay_organizations(rules_nlp):
    doc = with_ents(rules_nlp, "The Trump Organization denied it.", [("Trump Organization", "PERSON", 0)])
    (row,) = doc_mentions("d", doc)
    assert (row["canonical_name"], row["label"], row["coarse_type"]) == ("Trump Organization", "ORG", "organization")


def test_organization_heads_file_is_well_formed():
    heads = REFERENCE.head_words()
    assert heads and len(heads) == len(set(heads)) and all(h == h.lower() and " " not in h for h in heads)


@pytest.mark.parametrize(
    ("text", "surface", "label", "canonical"),
    [
        ("officials in gujarat said the rains would end soon.", "gujarat", "GPE", "Gujarat"),
        ("Officials said iPhone sales rose in the quarter.", "iPhone", "PRODUCT", "iPhone"),
    ],
)
def test_lowercase_and_capitals_get_cased_names(rules_nlp, text, surface, label, canonical):
    """(The spelling chosen among a name's variants across documents: ``test_spelling_preference``.)"""
    doc = with_ents(rules_nlp, text, [(surface, label, 0)])
    (row,) = doc_mentions("d", doc)
    assert row["canonical_name"] == canonical


def test_names_in_capitals_get_cased_names(nlp):
    doc = nlp("PRIME MINISTER NARENDRA MODI MET ANGELA MERKEL IN BERLIN AND PRAISED ZTE.\n\nThe talks went well.")
    names = {r["canonical_name"] for r in doc_mentions("d", doc)}
    assert {"Narendra Modi", "Angela Merkel"} <= names
    assert not any(n.isupper() and len(n) > 5 for n in names)


# --- resolution across documents ---------------------------------------------------------------------


def test_spelling_preference():
    assert min(["Donald TRUMP", "Donald Trump"], key=spelling_rank) == "Donald Trump"
    assert min(["china", "CHINA", "China"], key=spelling_rank) == "China"
    assert min(["Daca", "DACA"], key=spelling_rank) == "DACA"  # an acronym stays in capitals


def mention(doc: str, start: int, text: str, canonical: str, coarse: str, label: str) -> dict:
    return {
        "document_key": doc,
        "sentence_index": 0,
        "start_char": start,
        "end_char": start + len(text),
        "mention_text": text,
        "label": label,
        "canonical_name": canonical,
        "coarse_type": coarse,
        "entity_label": label,
        "name_start_char": start,
        "name_end_char": start + len(text),
    }


def test_same_canonical_name_and_type_share_one_key_across_documents():
    mentions = pl.DataFrame(
        [
            mention("a", 0, "the United States", "United States", "location", "GPE"),
            mention("b", 5, "U.S.", "United States", "location", "GPE"),
            mention("b", 20, "Xi", "Xi", "person", "PERSON"),
            mention("c", 0, "Xi Jinping", "Xi Jinping", "person", "PERSON"),
        ],
        schema=MENTION_SCHEMA,
    )
    resolved, entities = resolve_entities(mentions)
    redirects = entities.filter(pl.col("merged_into_key").is_not_null())
    entities = entities.filter(pl.col("merged_into_key").is_null())
    assert resolved.height == 4 and entities.height == 2
    # "Xi" keeps its own key as a redirect into Xi Jinping
    assert redirects.select("canonical_name", "merged_into_key").rows() == [("Xi", entity_key("Xi Jinping", "person"))]
    us = entities.filter(pl.col("canonical_name") == "United States").row(0, named=True)
    assert (
        us["entity_key"] == entity_key("United States", "location") == make_key("location", "united states")
    )
    assert us["aliases"] == ["U.S.", "the United States"]
    xi = entities.filter(pl.col("coarse_type") == "person").row(0, named=True)
    assert (xi["canonical_name"], xi["aliases"]) == ("Xi Jinping", ["Xi", "Xi Jinping"])
    assert resolved.filter(pl.col("document_key") == "b").get_column("entity_key").n_unique() == 2


def test_a_later_documents_short_form_links_to_an_existing_entity_and_aliases_grow():
    existing = pl.DataFrame(
        [
            {
                "entity_key": entity_key("Xi Jinping", "person"),
                "canonical_name": "Xi Jinping",
                "entity_type": "PERSON",
                "coarse_type": "person",
                "aliases": ["Xi Jinping"],
            }
        ],
        schema=ENTITY_SCHEMA,
    )
    mentions = pl.DataFrame([mention("z", 0, "Xi", "Xi", "person", "PERSON")], schema=MENTION_SCHEMA)
    # the warehouse's votes: the loaded full name's mentions (a rare one would not take the short form over)
    resolved, entities = resolve_entities(mentions, existing, votes_of(("Xi Jinping", "person", "PERSON", 2)))
    assert resolved.get_column("entity_key").to_list() == [entity_key("Xi Jinping", "person")]
    live = entities.filter(pl.col("merged_into_key").is_null())
    assert live.get_column("aliases").to_list() == [["Xi", "Xi Jinping"]]


def entity_row(name: str, coarse: str, label: str, aliases: list[str], merged_into: str | None = None) -> dict:
    return {
        "entity_key": entity_key(name, coarse),
        "canonical_name": name,
        "entity_type": label,
        "coarse_type": coarse,
        "aliases": aliases,
        "merged_into_key": merged_into,
    }


def votes_of(*rows: tuple[str, str, str, int]) -> pl.DataFrame:
    """Warehouse votes: (name, coarse type, entity label, mentions)."""
    return pl.DataFrame(
        [{"name_key": entity_key(n, c), "entity_label": lab, "mentions": k} for n, c, lab, k in rows],
        schema=VOTE_SCHEMA,
    )


def test_the_warehouse_majority_type_wins_over_a_stray_label():
    existing = pl.DataFrame([entity_row("Kent", "organization", "ORG", ["Kent"])], schema=ENTITY_SCHEMA)
    votes = votes_of(("Kent", "organization", "ORG", 3))
    mentions = pl.DataFrame([mention("z", 0, "Kent", "Kent", "location", "GPE")], schema=MENTION_SCHEMA)
    resolved, entities = resolve_entities(mentions, existing, votes)
    assert resolved.get_column("entity_key").to_list() == [entity_key("Kent", "organization")]
    # the stray location reading is kept as a redirect into the organization
    redirect = entities.filter(pl.col("entity_key") == entity_key("Kent", "location")).row(0, named=True)
    assert redirect["merged_into_key"] == entity_key("Kent", "organization")


def test_coarse_type_is_the_majority_of_all_mentions_not_the_first():
    # "Trump" first loaded as an organization; more mentions as a person, and a full name, arrive later
    existing = pl.DataFrame([entity_row("Trump", "organization", "ORG", ["Trump"])], schema=ENTITY_SCHEMA)
    votes = votes_of(("Trump", "organization", "ORG", 2))
    mentions = pl.DataFrame(
        [mention("z", i * 10, "Trump", "Trump", "person", "PERSON") for i in range(3)]
        + [mention("y", 0, "Donald Trump", "Donald Trump", "person", "PERSON")],
        schema=MENTION_SCHEMA,
    )
    resolved, entities = resolve_entities(mentions, existing, votes)
    donald = entity_key("Donald Trump", "person")
    assert set(resolved.get_column("entity_key")) == {donald}
    by_key = {r["entity_key"]: r for r in entities.iter_rows(named=True)}
    # both earlier keys answer, redirected to the person
    assert by_key[entity_key("Trump", "organization")]["merged_into_key"] == donald
    assert by_key[entity_key("Trump", "person")]["merged_into_key"] == donald
    assert by_key[donald]["merged_into_key"] is None and by_key[donald]["entity_type"] == "PERSON"
    assert by_key[donald]["aliases"] == ["Donald Trump", "Trump"]


def test_a_name_mostly_an_organization_never_links_to_a_person():
    # "Forbes" the magazine is not Steve Forbes: its mentions are mostly organizations
    mentions = pl.DataFrame(
        [mention("a", 0, "Steve Forbes", "Steve Forbes", "person", "PERSON")]
        + [mention("b", i * 10, "Forbes", "Forbes", "organization", "ORG") for i in range(3)]
        + [mention("c", 0, "Forbes", "Forbes", "person", "PERSON")],
        schema=MENTION_SCHEMA,
    )
    resolved, entities = resolve_entities(mentions)
    keys = resolved.get_column("entity_key").to_list()
    assert keys == [entity_key("Steve Forbes", "person")] + [entity_key("Forbes", "organization")] * 4


def test_a_surname_links_to_the_dominant_full_name_only():
    rows = [mention("a", i * 20, "Donald Trump", "Donald Trump", "person", "PERSON") for i in range(6)]
    rows += [mention("b", 0, "Ivanka Trump", "Ivanka Trump", "person", "PERSON")]
    rows += [mention("c", 0, "Trump", "Trump", "person", "PERSON")]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert resolved.get_column("entity_key").to_list()[-1] == entity_key("Donald Trump", "person")
    # two full names mentioned alike: the surname stays itself
    rows += [mention("d", i * 20, "Eric Trump", "Eric Trump", "person", "PERSON") for i in range(5)]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert resolved.filter(pl.col("document_key") == "c").get_column("entity_key").to_list() == [
        entity_key("Trump", "person")
    ]


def test_a_later_full_name_redirects_the_earlier_short_form():
    existing = pl.DataFrame([entity_row("Sanders", "person", "PERSON", ["Sanders"])], schema=ENTITY_SCHEMA)
    votes = votes_of(("Sanders", "person", "PERSON", 4))
    mentions = pl.DataFrame(
        [mention("n", 0, "Bernie Sanders", "Bernie Sanders", "person", "PERSON")], schema=MENTION_SCHEMA
    )
    _, entities = resolve_entities(mentions, existing, votes)
    by_key = {r["entity_key"]: r for r in entities.iter_rows(named=True)}
    bernie = entity_key("Bernie Sanders", "person")
    assert by_key[entity_key("Sanders", "person")]["merged_into_key"] == bernie
    assert by_key[bernie]["aliases"] == ["Bernie Sanders", "Sanders"]


def test_the_same_mentions_in_one_or_two_runs_give_the_same_rows():
    first = [mention("a", 0, "Trump", "Trump", "organization", "ORG"), mention("a", 9, "Trump", "Trump", "person", "PERSON")]
    second = [mention("b", 0, "Donald Trump", "Donald Trump", "person", "PERSON"),
              mention("b", 20, "Trump", "Trump", "person", "PERSON")]
    together = resolve_entities(pl.DataFrame(first + second, schema=MENTION_SCHEMA))[1]
    _, run1 = resolve_entities(pl.DataFrame(first, schema=MENTION_SCHEMA))
    resolved1 = resolve_entities(pl.DataFrame(first, schema=MENTION_SCHEMA))[0]
    votes = resolved1.group_by("name_key", "entity_label").agg(mentions=pl.len()).cast({"mentions": pl.Int64})
    _, run2 = resolve_entities(pl.DataFrame(second, schema=MENTION_SCHEMA), run1, votes)
    # what the loader's merge does: run 2's rows replace run 1's, aliases are a union
    merged = {r["entity_key"]: r for r in run1.iter_rows(named=True)}
    for r in run2.iter_rows(named=True):
        if r["entity_key"] in merged:
            r["aliases"] = sorted(set(r["aliases"]) | set(merged[r["entity_key"]]["aliases"]))
        merged[r["entity_key"]] = r
    assert_frame_equal(pl.DataFrame(sorted(merged.values(), key=lambda r: r["entity_key"]), schema=ENTITY_SCHEMA),
                       together)


def test_demonym_group_is_related_to_its_country():
    relations = entity_relations(REFERENCE.alias_rows())
    mentions = pl.DataFrame([mention("a", 0, "Russian", "Russian", "group", "NORP")], schema=MENTION_SCHEMA)
    _, entities = resolve_entities(mentions, relations=relations)
    row = entities.row(0, named=True)
    assert (row["related_entity_key"], row["relation"]) == (entity_key("Russia", "location"), "demonym_of")


def test_a_language_named_like_a_demonym_has_no_relation():
    relations = entity_relations(load_reference().alias_rows())
    mentions = pl.DataFrame([mention("a", 0, "Spanish", "Spanish", "other", "LANGUAGE")], schema=MENTION_SCHEMA)
    _, entities = resolve_entities(mentions, relations=relations)
    row = entities.row(0, named=True)
    assert (row["coarse_type"], row["related_entity_key"], row["relation"]) == ("other", None, None)


def test_resolution_is_deterministic_under_row_order():
    rows = [
        mention("a", 0, "Putin", "Putin", "person", "PERSON"),
        mention("a", 10, "Vladimir Putin", "Vladimir Putin", "person", "PERSON"),
        mention("b", 0, "Kremlin", "Kremlin", "organization", "ORG"),
    ]
    one = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    two = resolve_entities(pl.DataFrame(rows[::-1], schema=MENTION_SCHEMA))
    assert_frame_equal(one[1], two[1])
    assert_frame_equal(one[0].sort("mention_key"), two[0].sort("mention_key"))


def test_no_mentions_give_empty_frames_with_schemas():
    resolved, entities = resolve_entities(MENTION_SCHEMA.to_frame())
    assert resolved.is_empty() and entities.schema == ENTITY_SCHEMA


# --- the seeds ------------------------------------------------------------------------------------------


def seed_entities(nlp) -> pl.DataFrame:
    from dateline.flows.sources import read_files
    from dateline.transforms.extract import extract_documents
    from dateline.transforms.ingest import parse_inputs
    from dateline.transforms.normalize import normalize_documents

    items, _ = read_files([str(p) for p in sorted(SEEDS.glob("*.txt"))], 10_000_000)
    docs = normalize_documents(parse_inputs(items)[0], REFERENCE.boilerplate_rules).select("document_key", "body").sort("document_key")
    mentions = extract_documents(nlp, docs).mentions
    resolved, entities = resolve_entities(mentions)
    counts = resolved.group_by("entity_key").agg(
        mentions=pl.len(), documents=pl.col("document_key").n_unique()
    )
    return (
        entities.join(counts, on="entity_key")
        .with_columns(aliases=pl.col("aliases").list.join("|"))
        .sort(["mentions", "canonical_name"], descending=[True, False])
        .select(
            "canonical_name", "entity_type", "coarse_type", "mentions", "documents", "aliases", "entity_key"
        )
    )


def test_seed_canonical_entities_match_golden(nlp):
    entities = seed_entities(nlp)
    assert_golden(entities, "seed_entities")


def test_seed_leaders_and_countries_are_one_entity_each(nlp):
    entities = seed_entities(nlp)
    names = entities.get_column("canonical_name").to_list()
    for name in ("Xi Jinping", "Vladimir Putin", "Joe Biden", "United States", "Russia", "China", "NATO"):
        assert names.count(name) == 1, name
    for short in ("Xi", "Putin", "Biden", "US", "U.S."):
        assert short not in names, short
    aliases = dict(zip(names, entities.get_column("aliases").str.split("|").to_list(), strict=True))
    assert {"Xi", "Xi Jinping"} <= set(aliases["Xi Jinping"])
    assert {"Putin", "Vladimir Putin"} <= set(aliases["Vladimir Putin"])
    assert {"US", "U.S.", "the United States", "U.S.A.", "Washington"} <= set(aliases["United States"])
    assert not any(any(ch.isdigit() for ch in n) and not any(ch.isalpha() for ch in n) for n in names)


def test_a_full_name_without_its_middle_name_links_to_the_longer_one():
    rows = [
        mention("a", 0, "Mark Jay Heller", "Mark Jay Heller", "person", "PERSON"),
        mention("b", 0, "Mark Heller", "Mark Heller", "person", "PERSON"),
        mention("c", 0, "Heller", "Heller", "person", "PERSON"),
    ]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert set(resolved.get_column("entity_key")) == {entity_key("Mark Jay Heller", "person")}


def test_a_rare_longer_name_goes_by_the_well_attested_shorter_one():
    rows = [mention(f"a{i}", 0, "Stephen Miller", "Stephen Miller", "person", "PERSON") for i in range(11)]
    rows += [mention("b", 0, "Stephen Goebbels Miller", "Stephen Goebbels Miller", "person", "PERSON")]
    rows += [mention("c", 0, "Miller", "Miller", "person", "PERSON")]
    resolved, entities = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert set(resolved.get_column("entity_key")) == {entity_key("Stephen Miller", "person")}
    redirect = entities.filter(pl.col("entity_key") == entity_key("Stephen Goebbels Miller", "person")).row(0, named=True)
    assert redirect["merged_into_key"] == entity_key("Stephen Miller", "person")
    # attested once for every NAME_SHARE of the shorter name's mentions, the longer name is the person's again
    rows += [mention("d", 0, "Stephen Goebbels Miller", "Stephen Goebbels Miller", "person", "PERSON")]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert set(resolved.get_column("entity_key")) == {entity_key("Stephen Goebbels Miller", "person")}


def test_a_rare_longer_name_with_two_shorter_forms_stays_apart():
    # "George W. Bush" is not the rare "George H. W. Bush", and that one cannot say which shorter name it is
    rows = [mention(f"a{i}", 0, "George W. Bush", "George W. Bush", "person", "PERSON") for i in range(11)]
    rows += [mention("b", 0, "George H. W. Bush", "George H. W. Bush", "person", "PERSON")]
    rows += [mention(f"c{i}", 0, "George Bush", "George Bush", "person", "PERSON") for i in range(2)]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    key_of = dict(zip(resolved.get_column("document_key"), resolved.get_column("entity_key"), strict=True))
    assert key_of["a0"] == key_of["c0"] == entity_key("George W. Bush", "person")
    assert key_of["b"] == entity_key("George H. W. Bush", "person")


def test_a_one_word_name_needs_a_well_attested_full_name():
    rows = [mention(f"a{i}", 0, "Kevin", "Kevin", "person", "PERSON") for i in range(11)]
    rows += [mention("b", 0, "Follow Kevin", "Follow Kevin", "person", "PERSON")]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert resolved.filter(pl.col("document_key") == "a0").get_column("entity_key").to_list() == [
        entity_key("Kevin", "person")
    ]
    # a first name with the one full name it begins, attested often enough, still links
    rows = [mention(f"a{i}", 0, "Kevin", "Kevin", "person", "PERSON") for i in range(3)]
    rows += [mention("c", 0, "Kevin McCarthy", "Kevin McCarthy", "person", "PERSON")]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert set(resolved.get_column("entity_key")) == {entity_key("Kevin McCarthy", "person")}


def test_a_surname_of_several_full_names_takes_none_it_begins():
    rows = [mention("a", 0, "Boris Johnson", "Boris Johnson", "person", "PERSON"),
            mention("b", 0, "Ron Johnson", "Ron Johnson", "person", "PERSON"),
            mention("c", 0, "Johnson Eddie", "Johnson Eddie", "person", "PERSON"),
            mention("d", 0, "Johnson", "Johnson", "person", "PERSON")]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    assert resolved.filter(pl.col("document_key") == "d").get_column("entity_key").to_list() == [
        entity_key("Johnson", "person")
    ]


def test_occupations_before_a_name_are_titles(rules_nlp):
    text = "Comedian Ellen DeGeneres will host. Deputy Jerry Ortiz was shot. Defense attorney Mark Heller spoke."
    doc = with_ents(
        rules_nlp,
        text,
        [("Comedian Ellen DeGeneres", "PERSON", 0), ("Deputy Jerry Ortiz", "PERSON", 0),
         ("Defense attorney Mark Heller", "PERSON", 0)],
    )
    assert [r["canonical_name"] for r in doc_mentions("d", doc)] == ["Ellen DeGeneres", "Jerry Ortiz", "Mark Heller"]


@pytest.mark.parametrize(
    ("line", "team", "label"),
    [
        ("Pohang 3 Ulsan 2 ( halftime 1-0 )", "Ulsan", "ORG"),
        ("CHICAGO 74 60 .552 -", "CHICAGO", "ORG"),
        ("Officials in Chicago said 3 people were hurt and 2 were missing in the storm on Friday night.", "Chicago", "GPE"),
        ("England 2 Moldova 0", "Moldova", "GPE"),  # national sides keep their country
    ],
)
def test_a_place_in_a_results_line_is_its_team(rules_nlp, line, team, label):
    doc = with_ents(rules_nlp, "Results on Thursday.\n" + line + "\n", [(team, "GPE", 0)])
    (row,) = [r for r in doc_mentions("d", doc) if r["mention_text"] == team]
    assert row["label"] == label


def test_a_score_between_two_names_splits_them(rules_nlp):
    doc = with_ents(rules_nlp, "Results:\nHaitai 2 Samsung 0\n", [("Haitai 2 Samsung", "ORG", 0)])
    assert [e.text for e in doc.ents] == ["Haitai", "Samsung"]
    doc = with_ents(rules_nlp, "The Cold War 2.0 began.", [("Cold War 2.0", "EVENT", 0)])
    assert [e.text for e in doc.ents] == ["Cold War 2.0"]


def test_an_organization_named_after_its_place_goes_by_the_rest_of_its_name():
    rows = [
        mention("a", 0, "Indianapolis", "Indianapolis", "location", "GPE"),
        mention("a", 20, "Indianapolis Colts", "Indianapolis Colts", "organization", "ORG"),
        mention("b", 0, "Colts", "Colts", "group", "NORP"),
        mention("c", 0, "White House", "White House", "organization", "ORG"),
        mention("c", 20, "House", "House", "organization", "ORG"),
    ]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    keys = resolved.get_column("entity_key").to_list()
    assert keys[2] == keys[1] == entity_key("Indianapolis Colts", "organization")
    assert keys[4] == entity_key("House", "organization")  # "White" is no place


def test_a_generic_short_name_is_not_taken_by_a_rare_place_name():
    # "the House" of hundreds of reports is not the "Florida House" one article names
    rows = [mention("a", 0, "Florida", "Florida", "location", "GPE"),
            mention("a", 20, "Florida House", "Florida House", "organization", "ORG")]
    rows += [mention(f"d{i}", 0, "House", "House", "organization", "ORG") for i in range(12)]
    resolved, _ = resolve_entities(pl.DataFrame(rows, schema=MENTION_SCHEMA))
    keys = resolved.get_column("entity_key").to_list()
    assert set(keys[2:]) == {entity_key("House", "organization")}
    assert keys[1] == entity_key("Florida House", "organization")


def test_capitals_on_the_receiving_end_of_a_political_act_are_governments(nlp):
    doc = nlp("The West threatened to sanction Moscow. Putin visits Beijing next week.")
    canon = {r["mention_text"]: r["canonical_name"] for r in doc_mentions("d", doc)}
    assert (canon["Moscow"], canon["Beijing"]) == ("Russia", "Beijing")


def test_a_lone_word_taken_for_a_person_in_a_results_line_is_a_team(rules_nlp):
    doc = with_ents(rules_nlp, "Results on Thursday.\nSurrey 4 Kent 108-3\n", [("Surrey", "PERSON", 0)])
    assert [r["label"] for r in doc_mentions("d", doc) if r["mention_text"] == "Surrey"] == ["ORG"]
    # a person's surname (named in full in the document) stays a person
    text = "Mark Butcher scored.\nButcher 42 Stewart 7\n"
    doc = with_ents(rules_nlp, text, [("Mark Butcher", "PERSON", 0), ("Butcher", "PERSON", 1)])
    assert {r["label"] for r in doc_mentions("d", doc)} == {"PERSON"}


def test_a_photo_credit_names_no_one(rules_nlp):
    text = "Donald Trump spoke in Ohio. (Jonathan Ernst/Reuters) REUTERS/Kevin Lamarque AP Photo/Evan Vucci"
    doc = with_ents(rules_nlp, text, [("Donald Trump", "PERSON", 0), ("Ohio", "GPE", 0),
                                      ("Jonathan Ernst/Reuters", "PERSON", 0), ("REUTERS", "ORG", 0),
                                      ("Kevin Lamarque", "PERSON", 0), ("AP Photo/Evan Vucci", "ORG", 0)])
    assert ents_of(doc) == [("Donald Trump", "PERSON"), ("Ohio", "GPE")]
    # the same credit twice in one span; a caption glued to its credit keeps its own name
    text = "Win McNamee/Getty Images Win McNamee/Getty Images Jeff Chiu/AP Bernie Sanders is running again."
    doc = with_ents(rules_nlp, text, [("Win McNamee/Getty Images Win McNamee/Getty Images", "ORG", 0),
                                      ("Jeff Chiu/AP Bernie Sanders", "PERSON", 0)])
    assert ents_of(doc) == [("Bernie Sanders", "PERSON")]


def test_a_name_never_starts_with_a_possessive(rules_nlp):
    text = "Asked who won, she said it’s Buttigieg."
    doc = with_ents(rules_nlp, text, [("’s Buttigieg", "PERSON", 0)])
    assert ents_of(doc) == [("Buttigieg", "PERSON")]


def test_names_joined_by_a_slash_are_no_credit(rules_nlp):
    text = "A Reuters/Ipsos poll on DOJ/FBI ties and China/Russia relations."
    ents = [("Reuters/Ipsos", "ORG", 0), ("DOJ/FBI", "ORG", 0), ("China", "GPE", 0), ("Russia", "GPE", 0)]
    doc = with_ents(rules_nlp, text, ents)
    assert ents_of(doc) == [(surface, label) for surface, label, _ in ents]


def test_sides_of_a_match_result_line_are_organizations(rules_nlp):
    doc = with_ents(rules_nlp, "English league results.\nHuddersfield 2 Port Vale 1\n", [])
    assert [(e.text, e.label_) for e in doc.ents] == [("Huddersfield", "ORG"), ("Port Vale", "ORG")]
    # prose with numbers is no result line
    doc = with_ents(rules_nlp, "Officials said 3 people died. Police 2 days later left.", [])
    assert list(doc.ents) == []


def test_the_components_take_their_data_through_initialize_and_keep_it_on_disk(rules_nlp, tmp_path):
    """Like spaCy's own rulers: the data is handed over by ``initialize`` and saved with the pipeline."""
    text = "WASHINGTON — Secretary of State Antony Blinken met the Russians. Blinken said Moscow had agreed."
    rules_nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == rules_nlp.pipe_names
    assert loaded.get_pipe("dateline_canonical").lookup("GOP")["canonical_name"] == "Republican Party"

    def read(nlp):
        return [(e.text, e.label_, e._.canonical_name, e._.entity_label) for e in nlp(text).ents]

    assert read(loaded) == read(rules_nlp)
    # a component made without its data knows no aliases until it is initialized
    bare = spacy.blank("en").add_pipe("dateline_canonical")
    assert bare.lookup("GOP") is None
    bare.initialize(aliases=load_reference().alias_rows())
    assert bare.lookup("GOP")["canonical_name"] == "Republican Party"


def test_spellings_differing_by_a_hyphen_or_a_space_are_one_name_named_by_the_most_written():
    chosen = {"kim jong un": "person", "kim jong-un": "person", "kim-jong-un": "person", "kim": "person",
              "al-qaeda": "organization", "al qaeda": "organization", "jong un": "location"}
    mentions_of = {"kim jong un": 450, "kim jong-un": 108, "kim-jong-un": 1, "kim": 30, "al-qaeda": 5,
                   "al qaeda": 5, "jong un": 2}
    assert variant_form("kim jong-un") == variant_form("Kim-Jong-Un".casefold()) == "kim jong un"
    assert variant_form("kim jong - un") == "kim jong - un"  # a dash between spaced words is no hyphen inside a word
    # the most written spelling names them, a tie goes to the first in alphabetical order; types stay apart
    assert variant_targets(chosen, mentions_of) == {
        "kim jong-un": "kim jong un", "kim-jong-un": "kim jong un", "al-qaeda": "al qaeda"
    }
    # a rare spelling never takes the well-attested one over
    assert variant_targets({"moon jae-in": "person", "moon jae in": "person"},
                           {"moon jae-in": 40, "moon jae in": 1}) == {"moon jae in": "moon jae-in"}
    merged_chosen, merged_mentions = merge_variants(chosen, mentions_of, variant_targets(chosen, mentions_of))
    assert merged_mentions["kim jong un"] == 559 and "kim jong-un" not in merged_chosen


def test_the_other_spellings_of_a_name_are_probed_by_their_words():
    one_word, ends = hyphen_spellings("kim jong un")
    assert one_word == ["kim-jong-un"]
    assert sorted(ends) == [("kim", "jong-un"), ("kim", "un"), ("kim-jong", "un")]
    assert hyphen_spellings("trump") == (["trump"], [])


def test_a_later_spelling_with_a_hyphen_links_to_the_loaded_spelling_written_more():
    # the warehouse holds "Kim Jong Un" (and "Kim", linked to him); a batch writes "Kim Jong-un"
    kim = entity_key("Kim Jong Un", "person")
    existing = pl.DataFrame([entity_row("Kim Jong Un", "person", "PERSON", ["Kim Jong Un"]),
                             entity_row("Kim", "person", "PERSON", ["Kim"], kim)], schema=ENTITY_SCHEMA)
    votes = votes_of(("Kim Jong Un", "person", "PERSON", 9), ("Kim", "person", "PERSON", 3))
    mentions = pl.DataFrame([mention("z", i * 20, "Kim Jong-un", "Kim Jong-un", "person", "PERSON") for i in range(4)]
                            + [mention("y", 0, "Kim", "Kim", "person", "PERSON")], schema=MENTION_SCHEMA)
    resolved, entities = resolve_entities(mentions, existing, votes)
    assert set(resolved.get_column("entity_key")) == {kim}  # the loaded key of the man keeps naming him
    by_key = {r["entity_key"]: r for r in entities.iter_rows(named=True)}
    assert by_key[entity_key("Kim Jong-un", "person")]["merged_into_key"] == kim
    assert by_key[kim]["merged_into_key"] is None and by_key[kim]["aliases"] == ["Kim", "Kim Jong Un", "Kim Jong-un"]
    # written more often than the loaded spelling, the hyphenated one names him and the loaded key redirects
    mentions = pl.DataFrame([mention("z", i * 20, "Kim Jong-un", "Kim Jong-un", "person", "PERSON") for i in range(12)],
                            schema=MENTION_SCHEMA)
    resolved, entities = resolve_entities(mentions, existing, votes)
    hyphenated = entity_key("Kim Jong-un", "person")
    assert set(resolved.get_column("entity_key")) == {hyphenated}
    by_key = {r["entity_key"]: r for r in entities.iter_rows(named=True)}
    assert by_key[kim]["merged_into_key"] == by_key[entity_key("Kim", "person")]["merged_into_key"] == hyphenated


def test_a_name_cut_at_a_hyphen_inside_a_word_covers_the_whole_word(rules_nlp):
    # the model stopped at "Jae" of "Jae-in": the name takes the rest of the word
    text = "President Moon Jae-in met Kim Jong-un. Moon said the talks went well."
    doc = with_ents(rules_nlp, text, [("Moon Jae", "PERSON", 0), ("Kim Jong", "PERSON", 0), ("Moon", "PERSON", 1)])
    assert ents_of(doc) == [("Moon Jae-in", "PERSON"), ("Kim Jong-un", "PERSON"), ("Moon", "PERSON")]
    assert [name for _, name in canon_of(doc)] == ["Moon Jae-in", "Kim Jong-un", "Moon Jae-in"]


@pytest.mark.parametrize(
    ("text", "ents"),
    [
        # an English compound after the name: its head is a word of the language, not the rest of a name
        ("The Donald Trump-era rules and a New York-based group.", [("Donald Trump", "PERSON", 0), ("New York", "GPE", 0)]),
        ("A Saudi Arabia-led coalition and the Barack Obama-backed plan.",
         [("Saudi Arabia", "GPE", 0), ("Barack Obama", "PERSON", 0)]),
        # the name's last word is written on its own too: the name ends there
        ("Joe Biden-ish ideas. Biden spoke.", [("Joe Biden", "PERSON", 0), ("Biden", "PERSON", 1)]),
        # one word: no evidence that the rest of the word is a name's ("Obama-ites" is no person)
        ("The Obama-ites won.", [("Obama", "PERSON", 0)]),
        # two names joined by a hyphen, the second capitalized: left to the pair rule
        ("Donald Trump-Kim talks.", [("Donald Trump", "PERSON", 0)]),
    ],
)
def test_a_name_before_a_hyphen_and_an_english_word_stays_as_found(rules_nlp, text, ents):
    doc = with_ents(rules_nlp, text, ents)
    assert [name for name, _ in ents_of(doc)][: len(ents)] == [surface for surface, _, _ in ents]
