"""Event extraction on the production pipeline: one case per category, per modality, and the argument roles.

``nlp`` and ``lexicon`` are the production ones (conftest: the model with Dateline's entity components,
the trigger lexicon with the shipped trained detector). The per-category and per-modality tables test
the argument and modality rules on a trigger word fixed by the trigger lexicon alone (``trigger_lexicon``,
the pipeline's path when no detector is shipped), so that they test those rules and not which words the
detector types as which category (``test_event_detector`` tests that).
"""

import datetime as dt

import polars as pl
import pytest
from dateline.transforms.date_anchor import anchor_date
from dateline.transforms.entities import doc_mentions
from dateline.transforms.events import (
    EVENT_MENTION_SCHEMA,
    build_lexicon,
    doc_events,
    load_event_types,
    load_triggers,
    without_datelines,
)
from dateline.transforms.extract import extract_documents


@pytest.fixture(scope="module")
def trigger_lexicon():
    """The shipped trigger lexicon without the detector: the lexicon alone decides which words are triggers."""
    return build_lexicon(load_triggers())


def events_of(nlp, lexicon, text: str) -> list[dict]:
    doc = nlp(text)
    rows = doc_events("d", doc, doc_mentions("d", doc), lexicon)
    for row in rows:
        row["actor1"] = [text[s:e] for s, e in zip(row["actor1_starts"], row["actor1_ends"], strict=True)]
        row["actor2"] = [text[s:e] for s, e in zip(row["actor2_starts"], row["actor2_ends"], strict=True)]
        row["location"] = text[row["location_start"] : row["location_end"]] if row["location_start"] is not None else None
    return rows


def only(rows: list[dict], code: str) -> dict:
    found = [r for r in rows if r["event_code"] == code]
    assert len(found) == 1, rows
    return found[0]


def test_every_category_has_a_quad_class_and_triggers():
    types = load_event_types()
    triggers = load_triggers()
    assert types.get_column("code").is_unique().all()
    assert set(types.get_column("quad_class")) == {
        "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"
    }
    for required in ("AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "DEMAND", "DISAPPROVE", "REJECT",
                     "THREATEN", "PROTEST", "MOBILIZE", "SANCTION", "COERCE", "ASSAULT", "FIGHT"):
        assert required in types.get_column("code").to_list()
    assert set(triggers.get_column("code")) == set(types.get_column("code"))
    assert set(triggers.get_column("pos")) == {"VERB", "NOUN"}


@pytest.mark.parametrize(
    ("text", "code", "actor1", "actor2"),
    [
        ("Russia and China agreed on a new trade deal.", "AGREE", ["Russia"], ["China"]),
        ("Vladimir Putin met Xi Jinping in Beijing.", "CONSULT", ["Vladimir Putin"], ["Xi Jinping"]),
        ("The Chinese government praised Vladimir Putin.", "SUPPORT", ["Chinese"], ["Vladimir Putin"]),
        ("China eased sanctions on Japan.", "CONCEDE", ["China"], ["Japan"]),
        ("Russia and China held joint exercises.", "COOPERATE", ["Russia"], ["China"]),
        ("The United States sent aid to Ukraine.", "AID", ["The United States"], ["Ukraine"]),
        ("Russia withdrew its troops from Belarus.", "RETREAT", ["Russia"], ["Belarus"]),
        ("Vladimir Putin demanded guarantees from NATO.", "DEMAND", ["Vladimir Putin"], ["NATO"]),
        ("The European Union condemned Russia.", "DISAPPROVE", ["The European Union"], ["Russia"]),
        ("Joe Biden threatened Russia with sanctions.", "THREATEN", ["Joe Biden"], ["Russia"]),
        ("Thousands of people protested against the government in Moscow.", "PROTEST", [], []),
        ("Russia deployed 100,000 troops near the border of Ukraine.", "MOBILIZE", ["Russia"], []),
        ("The United States imposed sanctions on Russia.", "SANCTION", ["The United States"], ["Russia"]),
        ("Russia annexed Crimea.", "COERCE", ["Russia"], ["Crimea"]),
        ("Russian forces attacked Kyiv.", "ASSAULT", ["Russian"], ["Kyiv"]),
        ("Ukrainian troops fought Russian forces near Kharkiv.", "FIGHT", ["Ukrainian"], ["Russian"]),
        ("The Kremlin rejected the proposal from Washington.", "REJECT", ["Kremlin"], ["Washington"]),
    ],
)
def test_each_category_with_its_actors(nlp, trigger_lexicon, text, code, actor1, actor2):
    row = only(events_of(nlp, trigger_lexicon, text), code)
    assert row["actor1"] == actor1
    assert row["actor2"] == actor2
    assert row["modality"] == "asserted"


def test_denial_is_a_reject_and_a_negated_assault(nlp, trigger_lexicon):
    rows = events_of(nlp, trigger_lexicon, "The Kremlin denied any plans to invade Ukraine.")
    reject = only(rows, "REJECT")
    assault = only(rows, "ASSAULT")
    assert (reject["actor1"], reject["modality"]) == (["Kremlin"], "asserted")
    # the invader is the one who denies: the subject is inherited through "plans to"
    assert (assault["actor1"], assault["actor2"], assault["modality"]) == (["Kremlin"], ["Ukraine"], "negated")


@pytest.mark.parametrize(
    ("text", "code", "modality"),
    [
        ("Russia did not invade Ukraine.", "ASSAULT", "negated"),
        ("Russia might launch an invasion of Ukraine.", "ASSAULT", "hypothetical"),
        ("Russia could attack Ukraine.", "ASSAULT", "hypothetical"),
        ("Putin and Xi are going to have a video call on Wednesday.", "CONSULT", "planned"),
        ("Vladimir Putin will visit China in May.", "CONSULT", "planned"),
        ("Vladimir Putin visited China in May.", "CONSULT", "asserted"),
        # a reported "would" is a plan; a refusal negates what it turns down; a request is not done yet
        ("Lithuania said it would expel three Russian diplomats.", "SANCTION", "planned"),
        ("Lithuania said it would expel three Russian diplomats if Moscow refused.", "SANCTION", "hypothetical"),
        ("The rebels refused to negotiate with the government.", "CONSULT", "negated"),
        ("The council cancelled a visit to Moscow.", "CONSULT", "negated"),
        ("The group urged its members to denounce the minister.", "DISAPPROVE", "hypothetical"),
        ("The governor said he would be willing to negotiate with the union.", "CONSULT", "hypothetical"),
    ],
)
def test_modality(nlp, trigger_lexicon, text, code, modality):
    assert only(events_of(nlp, trigger_lexicon, text), code)["modality"] == modality


def test_compound_actors_give_both(nlp, lexicon):
    row = only(events_of(nlp, lexicon, "Putin and Xi are going to have a video call on Wednesday."), "CONSULT")
    # a symmetric event names one participant as the other's counterpart (the guide's actor2)
    assert (row["actor1"], row["actor2"]) == (["Putin"], ["Xi"])
    assert row["mode"] == "call"
    assert row["date_text"] == "Wednesday"
    assert row["tense"] == "future"


def test_passive_agent_is_actor1(nlp, lexicon):
    row = only(events_of(nlp, lexicon, "Sanctions were imposed by the European Union on Russia."), "SANCTION")
    assert row["actor1"] == ["the European Union"]
    assert row["actor2"] == ["Russia"]


def test_quantity_location_and_date(nlp, trigger_lexicon):
    lexicon = trigger_lexicon  # the argument rules on a trigger fixed by the lexicon (see the module docstring)
    row = only(events_of(nlp, lexicon, "Russia deployed 100,000 troops near the border of Ukraine."), "MOBILIZE")
    assert (row["quantity"], row["quantity_unit"], row["quantity_text"]) == (100000.0, "troops", "100,000 troops")
    row = only(events_of(nlp, lexicon, "Vladimir Putin met Xi Jinping in Beijing."), "CONSULT")
    assert row["location"] == "Beijing"
    assert row["mode"] == "meet"
    row = only(events_of(nlp, lexicon, "Joe Biden spoke with Vladimir Putin on December 8."), "CONSULT")
    assert (row["mode"], row["date_text"], row["actor2"]) == ("call", "December 8", ["Vladimir Putin"])


def test_one_event_per_sentence_report(nlp, lexicon):
    text = "In a two-hour video conversation on December 8, Joe Biden spoke with Vladimir Putin."
    row = only(events_of(nlp, lexicon, text), "CONSULT")
    assert row["actor1"] == ["Joe Biden"]
    assert row["mode"] == "call"


def test_trigger_offsets_point_into_the_text(nlp, lexicon):
    text = "The Kremlin denied any plans to invade Ukraine. Russia annexed Crimea."
    for row in events_of(nlp, lexicon, text):
        assert text[row["trigger_start"] : row["trigger_end"]] == row["trigger"]
        assert text[row["sentence_start"] :].startswith(row["sentence"])


def test_words_inside_names_are_not_triggers(nlp, lexicon):
    rows = events_of(nlp, lexicon, "The Cold War ended long ago, historians at the Wilson Center said.")
    assert [r for r in rows if r["event_code"] == "FIGHT"] == []


def test_extract_documents_gives_events_from_the_same_pass(nlp, lexicon):
    docs = pl.DataFrame({"document_key": ["a", "b"], "body": ["Russia annexed Crimea.", "Nothing happened."]})
    extracted = extract_documents(nlp, docs, lexicon=lexicon)
    assert extracted.event_mentions.schema == EVENT_MENTION_SCHEMA
    assert extracted.event_mentions.get_column("document_key").to_list() == ["a"]
    assert extract_documents(nlp, docs).event_mentions.is_empty()


def test_b_cubed_on_a_known_clustering():
    from dateline.evaluation.scores import b_cubed

    gold = {"a": "1", "b": "1", "c": "2"}
    assert b_cubed(gold, {"a": "x", "b": "x", "c": "y"}) == 1.0
    # all singletons: precision 1, recall (1/2 + 1/2 + 1) / 3 = 2/3 → F1 0.8
    assert round(b_cubed(gold, {"a": "x", "b": "y", "c": "z"}), 3) == 0.8


def test_every_cameo_root_maps_to_a_known_category():
    from dateline.evaluation.events import cameo_category, load_cameo_map

    mapping = load_cameo_map()
    codes = set(load_event_types().get_column("code"))
    for root in range(1, 21):
        category = cameo_category(f"{root:02d}0", mapping)
        assert category == "" or category in codes
    assert cameo_category("042", mapping) == "CONSULT"
    assert cameo_category("057", mapping) == "AGREE"
    assert cameo_category("0874", mapping) == "RETREAT"
    assert cameo_category("190", mapping) == "FIGHT"


def test_petrarch_scoring_on_two_sentences(nlp, lexicon, tmp_path):
    from dateline.evaluation.events import evaluate_petrarch

    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "a", "text": "The United States imposed sanctions on Russia.", '
        '"events": [{"eventcode": "163", "sourcecode": "USA", "targetcode": "RUS"}]}\n'
        '{"id": "b", "text": "A protestor demolished the building.", "events": [{"noevents": "True"}]}\n',
        encoding="utf-8",
    )
    result = evaluate_petrarch(nlp, lexicon, path)
    assert (result["gold_items"], result["type_accuracy"]) == (2, 1.0)
    assert (result["actor_items"], result["actor_accuracy"]) == (1, 1.0)


def test_a_visit_is_dated_by_its_own_clause_not_by_its_length(nlp, trigger_lexicon):
    lexicon = trigger_lexicon  # the date rules on a trigger fixed by the lexicon (see the module docstring)
    # seed 004: "a two-day visit" is a duration; "that began on Thursday" is the visit's own clause,
    # and the visit happens whatever the briefing "would" do
    text = "Putin said that he would brief Xi on the situation there during his two-day visit that began on Thursday."
    row = only(events_of(nlp, lexicon, text), "CONSULT")
    assert (row["trigger"], row["date_text"], row["modality"]) == ("visit", "Thursday", "asserted")
    assert (row["actor1"], row["actor2"]) == (["Putin"], ["Xi"])


def test_a_sentence_s_only_date_is_not_taken_when_a_duration_shares_it(nlp, lexicon):
    # the date belongs to another clause ("declared ... in February 2022"); with a second, durational
    # date in the sentence the trigger is left undated rather than given someone else's date
    rows = events_of(nlp, lexicon, "Blinken's trip to China failed to sabotage the alliance that Putin had declared "
                                   "in February 2022, a few days before he had dispatched troops.")
    trip = [r for r in rows if r["trigger"] == "trip"]
    assert trip and trip[0]["date_text"] is None


def _dated(nlp, lexicon, text: str, trigger: str) -> dict:
    rows = [r for r in events_of(nlp, lexicon, text) if r["trigger"] == trigger]
    assert len(rows) == 1, events_of(nlp, lexicon, text)
    return rows[0]


def test_a_date_of_another_clause_is_not_the_event_s(nlp, lexicon):
    # the sentence's only date belongs to the court appearance, not to the arrest
    row = _dated(nlp, lexicon, "The suspect, whom police arrested, appeared in court on Wednesday.", "arrested")
    assert row["date_text"] is None
    # a date of the reporting verb does not date what was reported
    row = _dated(nlp, lexicon, "The senator said on Monday that the army attacked the village.", "attacked")
    assert row["date_text"] is None
    # the summit's own relative clause dates the summit, not the criticism made there
    rows = events_of(nlp, lexicon, "Merkel criticized Trump at the summit, which ended on Friday.")
    assert {r["trigger"]: r["date_text"] for r in rows} == {"criticized": None, "summit": "Friday"}


def test_a_participle_or_coordinated_verb_shares_its_clause_s_date(nlp, lexicon):
    row = _dated(nlp, lexicon, "On Friday Justin Trudeau spoke in Ottawa, criticizing Doug Ford.", "criticizing")
    assert row["date_text"] == "Friday"
    row = _dated(nlp, lexicon, "Police arrested the suspect on Monday and charged him with murder.", "arrested")
    assert row["date_text"] == "Monday"
    # an infinitive has its own time: the agreement is on Monday, the meeting in June
    rows = events_of(nlp, lexicon, "Putin agreed on Monday to meet Xi in June.")
    assert {r["trigger"]: r["date_text"] for r in rows} == {"agreed": "Monday", "meet": "June"}
    rows = events_of(nlp, lexicon, "Putin agreed on Monday to meet Xi.")
    assert {r["trigger"]: r["date_text"] for r in rows} == {"agreed": "Monday", "meet": None}


def test_a_spoken_act_takes_the_date_of_its_statement(nlp, lexicon):
    # words that make the act (support said now) are dated by the saying; a past act reported is not
    row = _dated(nlp, lexicon, "The governor said on Friday that he supports the new mayor.", "supports")
    assert row["date_text"] == "Friday"
    row = _dated(nlp, lexicon, "The senator said on Monday that the mayor criticized the judge.", "criticized")
    assert row["date_text"] is None


def test_a_statement_s_date_points_the_way_the_statement_does(nlp, lexicon):
    # the asking is ahead, but "Friday" is the day it was announced: the Friday before publication
    row = _dated(nlp, lexicon, "The retailer announced on Friday that it will ask customers to leave their guns"
                 " at home.", "ask")
    assert (row["event_code"], row["date_text"], row["tense"]) == ("DEMAND", "Friday", "past")
    published = dt.date(2019, 9, 11)  # a Wednesday
    assert anchor_date(row["date_text"], published, row["tense"], today=published)[0] == dt.date(2019, 9, 6)
    # an event dated in its own clause keeps its own tense
    row = _dated(nlp, lexicon, "The governor will meet the mayor on Friday.", "meet")
    assert (row["date_text"], row["tense"]) == ("Friday", "future")


def test_a_clause_that_sets_the_time_dates_the_event(nlp, lexicon):
    # a participle without its own subject and a "when" clause share the main clause's time
    row = _dated(nlp, lexicon, "Pressed by senators at his January hearing, Barr pledged to review the policy.",
                 "pledged")
    assert row["date_text"] == "January"
    row = _dated(nlp, lexicon, "When families arrived at the border in 2014, the agency detained them.", "detained")
    assert row["date_text"] == "2014"
    # a weekday the entity recognizer reads as a time ("late Saturday") is still a date
    row = _dated(nlp, lexicon, "The committee voted late Saturday to endorse her challenger.", "endorse")
    assert row["date_text"] == "Saturday"


def test_a_year_that_names_another_noun_does_not_date_the_event(nlp, lexicon):
    row = _dated(nlp, lexicon, "Moscow denies interference in the 2016 presidential election.", "denies")
    assert row["date_text"] is None
    row = _dated(nlp, lexicon, "The minister criticized the plan during a 2015 television interview.", "criticized")
    assert row["date_text"] == "2015"


def test_a_person_s_age_is_never_a_date(nlp, lexicon):
    # the recognizer reads the age in apposition as a DATE; the trigger's own date is the one attached
    row = _dated(nlp, lexicon, "Officers arrested John Smith, 45, on Tuesday in Denver.", "arrested")
    assert row["date_text"] == "Tuesday"
    row = _dated(nlp, lexicon, "Mary Jones, aged 51, was detained by police on Friday.", "detained")
    assert row["date_text"] == "Friday"
    row = _dated(nlp, lexicon, "Police arrested Carl Baker, 38, after a chase.", "arrested")
    assert row["date_text"] is None
    # the number "she was" is her age, not the arrest's date
    row = _dated(nlp, lexicon, "She was arrested when she was 15.", "arrested")
    assert row["date_text"] is None
    # a day number the parse hangs on its month is still a date
    row = _dated(nlp, lexicon, "On Feb. 1, 32 people were arrested in Moscow.", "arrested")
    assert row["date_text"] == "Feb. 1"


def test_named_events_do_not_date_a_mention(nlp, lexicon):
    assert _dated(nlp, lexicon, "Sanders criticized Biden on Super Tuesday.", "criticized")["date_text"] is None
    assert _dated(nlp, lexicon, "Pence criticized Democrats at the March for Life.", "criticized")["date_text"] is None
    assert _dated(nlp, lexicon, "Sanders criticized Biden on Tuesday.", "criticized")["date_text"] == "Tuesday"


@pytest.mark.parametrize(
    ("text", "trigger", "tense"),
    [
        ("Democrats met Republicans in November.", "met", "past"),
        ("Democrats hope to meet Republicans in November.", "meet", "future"),
        ("The governor is expected to meet the mayor in November.", "meet", "future"),
        ("The governor said he would meet the mayor in November.", "meet", "future"),
        ("The leaders will meet in November.", "meet", "future"),
        # the visit began on Thursday, whatever "would" says of the briefing during it
        ("The minister said he would brief the king during his visit that began on Thursday.", "visit", "past"),
    ],
)
def test_tense_of_the_event_decides_which_way_a_bare_month_points(nlp, lexicon, text, trigger, tense):
    assert _dated(nlp, lexicon, text, trigger)["tense"] == tense


def test_an_event_noun_another_trigger_reacts_to_is_not_done_by_the_reactor(nlp, lexicon):
    """With the detector, "rejected that demand" is a REJECT and a DEMAND; the demand is someone else's:
    its doer is only one named on the noun ("Moscow's demand"), never the rejecting subject."""
    named = events_of(nlp, lexicon, "US President Joe Biden rejected Moscow's demand for security guarantees.")
    assert only(named, "REJECT")["actor1"] == ["Joe Biden"]
    assert only(named, "DEMAND")["actor1"] == ["Moscow"]
    unnamed = events_of(nlp, lexicon, "US President Joe Biden rejected that demand on Tuesday.")
    assert only(unnamed, "REJECT")["actor1"] == ["Joe Biden"]
    assert only(unnamed, "DEMAND")["actor1"] == []
    performed = events_of(nlp, lexicon, "The United States imposed new sanctions on Russia on Friday.")
    assert only(performed, "SANCTION")["actor1"] == ["The United States"]


def test_a_date_filled_in_by_a_merged_row_keeps_the_tense_that_anchors_it():
    from dateline.transforms.events import EventMention, _merge_sentence_rows

    def row(start, confidence, date_text, tense):
        return EventMention(
            document_key="d", sentence_index=0, sentence_start=0, sentence="", trigger_start=start,
            trigger_end=start + 4, trigger="", trigger_lemma="", event_code="CONSULT", mode=None,
            modality="asserted", confidence=confidence, actor1_starts=[0], actor1_ends=[4], actor2_starts=[],
            actor2_ends=[], location_start=None, location_end=None, quantity=None, quantity_unit=None,
            quantity_text=None, date_text=date_text, tense=tense, group_starts=[], group_names=[], group_texts=[],
        )

    # the surer word has no date; the other's "Friday" points ahead, as its own clause says
    kept = _merge_sentence_rows([row(10, 0.9, None, "past"), row(30, 0.6, "Friday", "future")])
    assert [(r.trigger_start, r.date_text, r.tense) for r in kept] == [(10, "Friday", "future")]
    # a kept row's own date keeps its own tense
    kept = _merge_sentence_rows([row(10, 0.9, "Monday", "past"), row(30, 0.6, "Friday", "future")])
    assert [(r.date_text, r.tense) for r in kept] == [("Monday", "past")]


def test_a_dateline_names_where_the_report_was_written_not_who_acted(nlp, lexicon):
    """"LYON (AP) — Mayor Anne Roy criticized …": the parse may make the dateline's place the subject; it is no
    actor, and the sentence's own subject is."""
    text = "OSLO (Reuters) - Norwegian Foreign Minister Ole Berg sharply criticized the new fishing quotas on Tuesday."
    assert only(events_of(nlp, lexicon, text), "DISAPPROVE")["actor1"] == ["Ole Berg"]
    text = "LYON, France (AP) — French President Anne Roy formally condemned the attack on the embassy on Monday."
    assert only(events_of(nlp, lexicon, text), "DISAPPROVE")["actor1"] == ["Anne Roy"]
    mentions = [
        {"start_char": 0, "end_char": 4, "label": "ORG"},  # LYON
        {"start_char": 6, "end_char": 12, "label": "GPE"},  # France
        {"start_char": 14, "end_char": 16, "label": "ORG"},  # AP
        {"start_char": 37, "end_char": 45, "label": "PERSON"},  # Anne Roy
    ]
    assert [m["start_char"] for m in without_datelines(mentions, text)] == [37]
    # a dash after a name inside a paragraph, or a sentence with no dateline, keeps every mention
    text = "Anne Roy — the mayor of Lyon — criticized the tariffs."
    assert without_datelines([{"start_char": 0, "end_char": 8, "label": "PERSON"}], text) != []
