"""Merging event mentions into events: the rules, determinism, and incremental attachment."""

import datetime as dt

import polars as pl
from dateline.transforms.resolve_events import (
    EXISTING_EVENT_SCHEMA,
    KEYED_MENTION_SCHEMA,
    dates_compatible,
    event_documents,
    key_event_mentions,
    participants,
    resolve_events,
)

PUTIN, XI, US, RUSSIA = "k_putin", "k_xi", "k_us", "k_russia"


def mention(doc="d1", start=0, code="CONSULT", a1=(PUTIN,), a2=(XI,), date=None, precision="unknown",
            modality="asserted", mode="call", published=None, source=None, lemma="call",
            published_precision=None) -> dict:
    return {
        "document_key": doc, "sentence_index": start // 100, "sentence_start": 0, "sentence": "s",
        "trigger_start": start, "trigger_end": start + 4, "trigger": lemma, "trigger_lemma": lemma,
        "event_code": code, "mode": mode if code == "CONSULT" else None, "modality": modality,
        "confidence": 0.9, "actor1_starts": [], "actor1_ends": [], "actor2_starts": [], "actor2_ends": [],
        "location_start": None, "location_end": None, "quantity": None, "quantity_unit": None,
        "quantity_text": None, "date_text": None, "tense": "past",
        "actor1_entity_keys": list(a1), "actor2_entity_keys": list(a2), "location_entity_key": None,
        "published_date": published, "source_key": source or f"src_{doc}", "event_date": date,
        "date_precision": precision, "published_precision": published_precision,
    }


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=KEYED_MENTION_SCHEMA)


DEC15 = dt.date(2021, 12, 15)


def test_planned_and_asserted_reports_of_one_call_merge_order_free():
    events, reports = resolve_events(frame(
        mention("d0", date=DEC15, precision="day", modality="planned", a1=(PUTIN, XI), a2=(),
                published=dt.date(2021, 12, 14)),
        mention("d1", date=DEC15, precision="day", a1=(XI,), a2=(PUTIN,), published=DEC15),
        # undated, published the next day: the same story as d1's report of the call
        mention("d2", a1=(PUTIN,), a2=(XI,), published=dt.date(2021, 12, 16)),
    ))
    assert events.height == 1
    row = events.row(0, named=True)
    assert (row["num_mentions"], row["num_documents"], row["num_sources"]) == (3, 3, 3)
    assert (row["event_date"], row["date_precision"], row["date_key"]) == (DEC15, "day", 20211215)
    assert reports.get_column("event_key").unique().to_list() == [row["event_key"]]


def test_meetings_on_different_dates_stay_apart():
    events, _ = resolve_events(frame(
        mention("d3", date=dt.date(2022, 2, 4), precision="day", mode="visit"),
        mention("d4", date=dt.date(2024, 5, 16), precision="day", mode="visit"),
        mention("d5", date=dt.date(2022, 2, 1), precision="month", mode="visit"),  # "in February 2022"
    ))
    assert events.height == 2
    assert sorted(events.get_column("num_mentions").to_list()) == [1, 2]


def test_undated_reports_from_different_documents_do_not_merge():
    events, _ = resolve_events(frame(mention("d3", mode="visit"), mention("d4", mode="visit")))
    assert events.height == 2


def test_undated_report_does_not_guess_between_two_dated_events():
    events, _ = resolve_events(frame(
        mention("d1", date=DEC15, precision="day"),
        mention("d2", date=dt.date(2022, 6, 15), precision="day"),
        mention("d3"),
    ))
    assert events.height == 3


def test_a_call_is_not_a_visit_and_direction_matters_for_sanctions():
    events, _ = resolve_events(frame(
        mention("d1", date=DEC15, precision="day", mode="call"),
        mention("d2", date=DEC15, precision="day", mode="visit"),
        mention("d1", 200, code="SANCTION", a1=(US,), a2=(RUSSIA,), date=DEC15, precision="day"),
        mention("d2", 200, code="SANCTION", a1=(RUSSIA,), a2=(US,), date=DEC15, precision="day"),
    ))
    assert events.height == 4


def test_negated_reports_stay_apart_from_asserted_ones():
    events, _ = resolve_events(frame(
        mention("d1", code="ASSAULT", a1=(RUSSIA,), a2=(), date=DEC15, precision="day"),
        mention("d2", code="ASSAULT", a1=(RUSSIA,), a2=(), date=DEC15, precision="day", modality="negated"),
    ))
    assert sorted(events.get_column("polarity").to_list()) == ["negated", "real"]


def test_reports_without_actors_never_merge_across_documents():
    events, _ = resolve_events(frame(
        mention("d1", code="FIGHT", a1=(), a2=(), date=DEC15, precision="day"),
        mention("d2", code="FIGHT", a1=(), a2=(), date=DEC15, precision="day"),
    ))
    assert events.height == 2


def test_keys_do_not_depend_on_input_order():
    rows = [
        mention("d0", date=DEC15, precision="day", modality="planned"),
        mention("d1", date=DEC15, precision="day"),
        mention("d2", 300, code="MOBILIZE", a1=(RUSSIA,), a2=()),
    ]
    first = resolve_events(frame(*rows))
    second = resolve_events(frame(*reversed(rows)))
    assert first[0].equals(second[0])
    assert first[1].equals(second[1])


def test_a_later_run_attaches_new_reports_to_loaded_events():
    events, _ = resolve_events(frame(mention("d0", date=DEC15, precision="day")))
    existing = events.select(EXISTING_EVENT_SCHEMA.names())
    new_events, reports = resolve_events(frame(mention("d9", date=DEC15, precision="day")), existing)
    assert new_events.is_empty()
    assert reports.get_column("event_key").to_list() == events.get_column("event_key").to_list()


def test_dates_compatible_at_the_coarser_precision():
    assert dates_compatible(DEC15, "day", dt.date(2021, 12, 1), "month")
    assert not dates_compatible(DEC15, "day", dt.date(2022, 1, 1), "month")
    assert dates_compatible(DEC15, "day", dt.date(2021, 12, 13), "week")
    assert not dates_compatible(DEC15, "day", dt.date(2021, 12, 6), "week")
    assert dates_compatible(DEC15, "day", dt.date(2021, 1, 1), "year")
    assert not dates_compatible(DEC15, "day", dt.date(2021, 12, 16), "day")


def test_participants_are_order_free_only_for_symmetric_types():
    assert participants("CONSULT", [PUTIN], [XI]) == participants("CONSULT", [XI], [PUTIN])
    assert participants("SANCTION", [US], [RUSSIA]) != participants("SANCTION", [RUSSIA], [US])
    assert participants("FIGHT", [], []) == ""


def test_key_event_mentions_maps_spans_to_entities_and_anchors_dates():
    raw = frame(mention("d0")).drop([c for c in KEYED_MENTION_SCHEMA if c not in _EVENT_COLUMNS])
    raw = raw.with_columns(
        actor1_starts=pl.lit([0]), actor1_ends=pl.lit([5]), actor2_starts=pl.lit([10, 99]),
        actor2_ends=pl.lit([12, 100]), date_text=pl.lit("Wednesday"), tense=pl.lit("future"),
    )
    entity_mentions = pl.DataFrame(
        {"document_key": ["d0", "d0"], "start_char": [0, 10], "entity_key": [PUTIN, XI]}
    )
    documents = pl.DataFrame(
        {"document_key": ["d0"], "published_date": [dt.date(2021, 12, 14)], "source_key": ["s"]}
    )
    keyed = key_event_mentions(raw, entity_mentions, documents).row(0, named=True)
    assert keyed["actor1_entity_keys"] == [PUTIN]
    assert keyed["actor2_entity_keys"] == [XI]  # the span with no entity is dropped
    assert (keyed["event_date"], keyed["date_precision"]) == (DEC15, "day")


_EVENT_COLUMNS = set(KEYED_MENTION_SCHEMA) - {
    "actor1_entity_keys", "actor2_entity_keys", "location_entity_key", "published_date", "source_key",
    "event_date", "date_precision",
}


def test_a_demonym_actor_stands_for_its_country_when_the_country_is_known():
    from dateline.transforms.entities import entity_key
    from dateline.transforms.resolve_events import demonym_countries

    countries = demonym_countries([
        {"alias": "Russian", "canonical_name": "Russia", "label": "NORP", "kind": "demonym"},
        {"alias": "Moscow", "canonical_name": "Russia", "label": "GPE", "kind": "capital"},
        {"alias": "Chinese", "canonical_name": "China", "label": "NORP", "kind": "demonym"},
    ])
    russian, russia = entity_key("Russian", "group"), entity_key("Russia", "location")
    chinese = entity_key("Chinese", "group")
    assert countries == {russian: russia, chinese: entity_key("China", "location")}
    raw = frame(mention("d0")).drop([c for c in KEYED_MENTION_SCHEMA if c not in _EVENT_COLUMNS])
    raw = raw.with_columns(actor1_starts=pl.lit([0]), actor1_ends=pl.lit([7]), actor2_starts=pl.lit([20]),
                           actor2_ends=pl.lit([27]))
    entity_mentions = pl.DataFrame(
        {"document_key": ["d0"] * 3, "start_char": [0, 20, 40], "entity_key": [russian, chinese, russia]}
    )
    documents = pl.DataFrame({"document_key": ["d0"], "published_date": [None], "source_key": ["s"]},
                             schema={"document_key": pl.String, "published_date": pl.Date, "source_key": pl.String})
    keyed = key_event_mentions(raw, entity_mentions, documents, countries).row(0, named=True)
    assert keyed["actor1_entity_keys"] == [russia]
    assert keyed["actor2_entity_keys"] == [chinese]  # China is no entity of this run: the key stays


def test_reports_kept_apart_never_share_an_event_key():
    # Two actor-less reports in one sentence with incompatible dates stay two events: distinct keys.
    events, reports = resolve_events(frame(
        mention("d9", start=10, code="MOBILIZE", a1=(), a2=(), date=dt.date(2021, 1, 5), precision="day"),
        mention("d9", start=40, code="MOBILIZE", a1=(), a2=(), date=dt.date(2019, 1, 1), precision="year"),
    ))
    assert events.height == 2
    assert events.get_column("event_key").n_unique() == 2
    assert reports.get_column("event_key").n_unique() == 2
    again, _ = resolve_events(frame(
        mention("d9", start=10, code="MOBILIZE", a1=(), a2=(), date=dt.date(2021, 1, 5), precision="day"),
        mention("d9", start=40, code="MOBILIZE", a1=(), a2=(), date=dt.date(2019, 1, 1), precision="year"),
    ))
    assert again.get_column("event_key").to_list() == events.get_column("event_key").to_list()


def test_key_event_mentions_anchors_at_the_publication_precision():
    raw = frame(mention("d0"), mention("d1")).drop([c for c in KEYED_MENTION_SCHEMA if c not in _EVENT_COLUMNS])
    raw = raw.with_columns(date_text=pl.Series(["on Thursday", "on Wednesday (15)"]))
    documents = pl.DataFrame({
        "document_key": ["d0", "d1"], "published_date": [dt.date(2024, 5, 1), dt.date(2021, 12, 1)],
        "published_precision": ["month", "month"], "source_key": ["s", "s"],
    })
    keyed = key_event_mentions(raw, pl.DataFrame(schema={"document_key": pl.String, "start_char": pl.Int64,
                                                         "entity_key": pl.String}), documents)
    assert keyed.select("event_date", "date_precision").rows() == [
        (dt.date(2024, 5, 1), "month"),  # a weekday in May 2024: the month, not a guessed day
        (DEC15, "day"),  # the 15th of December 2021 is a Wednesday
    ]


def test_event_documents_keep_a_given_precision_and_infer_days_for_the_rest():
    docs = pl.DataFrame({
        "document_key": ["a", "b", "c"], "source_key": ["s", "s", "s"],
        "published_date": [dt.date(2024, 5, 1), None, None], "published_precision": ["month", None, None],
        "body": ["Xi met Putin.", "MOSCOW, December 15, 2021 — Xi said.", "No date."],
    })
    out = event_documents(docs)
    assert out.select("document_key", "published_date", "published_precision").rows() == [
        ("a", dt.date(2024, 5, 1), "month"), ("b", DEC15, "day"), ("c", None, None),
    ]
    # without the column (evaluation texts), a given date is a day
    out = event_documents(docs.drop("published_precision"))
    assert out.get_column("published_precision").to_list() == ["day", "day", None]


def test_month_precise_reports_merge_with_the_day_and_keep_other_months_apart():
    events, _ = resolve_events(frame(
        mention("d0", date=dt.date(2021, 12, 1), precision="month", modality="planned",
                published=dt.date(2021, 12, 14)),  # 000: "on Wednesday"
        mention("d1", date=DEC15, precision="day"),  # 001: "on Wednesday (15)"
        # 002: undated, published in December 2021 (month precision), the month of 000's report
        mention("d2", published=dt.date(2021, 12, 1), published_precision="month"),
        mention("d3", date=dt.date(2022, 2, 1), precision="month", mode="meet"),
        mention("d4", date=dt.date(2024, 5, 1), precision="month", mode="meet"),
    ))
    rows = sorted(events.select("event_date", "date_precision", "num_documents").rows())
    assert rows == [(DEC15, "day", 3), (dt.date(2022, 2, 1), "month", 1), (dt.date(2024, 5, 1), "month", 1)]


def test_an_undated_report_does_not_join_a_meeting_years_from_its_publication():
    events, _ = resolve_events(frame(
        mention("d3", date=dt.date(2022, 2, 4), precision="day", mode="meet", published=dt.date(2022, 2, 5)),
        mention("d4", mode="meet", published=dt.date(2024, 5, 1)),  # "his first discussions with Xi"
        mention("d5", mode="meet", published=dt.date(2022, 2, 7)),  # two days after d3: the same story
        mention("d6", mode="meet", published=dt.date(2022, 3, 20), lemma="talk"),  # weeks later: not news of it
    ))
    assert sorted(events.select("date_precision", "num_documents").rows()) == [
        ("day", 2), ("unknown", 1), ("unknown", 1)]


def test_an_undated_report_needs_a_counterpart_not_just_the_one_compatible_event():
    events, _ = resolve_events(frame(
        mention("d1", date=DEC15, precision="day", published=DEC15),
        mention("d2"),  # nobody knows when d2 was published: nothing ties it to the call
        mention("d3", published=dt.date(2022, 1, 30)),  # six weeks later: another call, maybe
        mention("d1", 300),  # d1's own later "call" about the same pair: d1's call
    ))
    assert sorted(events.get_column("num_mentions").to_list()) == [1, 1, 2]


def test_an_undated_report_joins_its_own_document_s_event_only_with_the_same_word():
    events, reports = resolve_events(frame(
        mention("d1", code="ASSAULT", a1=(RUSSIA,), a2=(), date=DEC15, precision="day", lemma="shoot"),
        mention("d1", 200, code="ASSAULT", a1=(RUSSIA,), a2=(), lemma="shoot"),
        mention("d1", 400, code="ASSAULT", a1=(RUSSIA,), a2=(), lemma="kill"),  # killing and shooting: two acts
    ))
    assert events.height == 2
    by_lemma = dict(reports.select("trigger_lemma", "event_key").unique("trigger_lemma").iter_rows())
    assert reports.filter(pl.col("trigger_lemma") == "shoot").get_column("event_key").n_unique() == 1
    assert by_lemma["kill"] != by_lemma["shoot"]


def test_undated_reports_of_the_same_story_merge_across_documents():
    events, _ = resolve_events(frame(
        mention("d1", code="COERCE", a1=(US,), a2=(RUSSIA,), lemma="arrest", published=dt.date(2021, 12, 14)),
        mention("d2", code="COERCE", a1=(US,), a2=(RUSSIA,), lemma="arrest", published=DEC15),
        mention("d3", code="COERCE", a1=(US,), a2=(RUSSIA,), lemma="arrest", published=dt.date(2022, 3, 1)),
        mention("d4", code="COERCE", a1=(US,), a2=(RUSSIA,), lemma="detain", published=DEC15),
    ))
    assert sorted(events.get_column("num_documents").to_list()) == [1, 1, 2]


def test_year_dates_alone_do_not_merge_reports_of_different_documents():
    events, _ = resolve_events(frame(
        mention("d1", code="CONSULT", date=dt.date(1972, 1, 1), precision="year", lemma="meeting", mode="meet"),
        mention("d2", code="CONSULT", date=dt.date(1972, 1, 1), precision="year", lemma="meeting", mode="meet"),
    ))
    assert events.height == 2


def test_a_later_undated_report_attaches_to_a_loaded_event_of_the_same_days():
    events, _ = resolve_events(frame(mention("d0", date=DEC15, precision="day", published=DEC15)))
    existing = events.select(EXISTING_EVENT_SCHEMA.names())
    assert existing.row(0, named=True)["first_reported"] == DEC15
    new_events, reports = resolve_events(frame(
        mention("d9", published=dt.date(2021, 12, 17)),
        mention("d8", published=dt.date(2022, 6, 1)),
    ), existing)
    attached = reports.filter(pl.col("document_key") == "d9").get_column("event_key").to_list()
    assert attached == events.get_column("event_key").to_list()
    assert new_events.height == 1  # d8's report founds its own event


def test_agreeing_on_a_month_only_needs_the_same_word_or_the_same_days_of_news():
    shooting = dt.date(2010, 9, 9)
    events, _ = resolve_events(frame(
        mention("d1", code="ASSAULT", a1=(US,), a2=(), date=shooting, precision="day", lemma="shoot",
                published=dt.date(2010, 9, 10)),
        # months later, another word: "killed in September" may be another act of the same attacker
        mention("d2", code="ASSAULT", a1=(US,), a2=(), date=dt.date(2010, 9, 1), precision="month", lemma="kill",
                published=dt.date(2010, 12, 7)),
        # the same word, months later: "the shooting in September"
        mention("d3", code="ASSAULT", a1=(US,), a2=(), date=dt.date(2010, 9, 1), precision="month", lemma="shoot",
                published=dt.date(2010, 12, 8)),
        # another word, but a report of the next day
        mention("d4", code="ASSAULT", a1=(US,), a2=(), date=dt.date(2010, 9, 1), precision="month", lemma="attack",
                published=dt.date(2010, 9, 11)),
    ))
    assert sorted(events.get_column("num_documents").to_list()) == [1, 3]


def test_an_undated_meeting_of_one_known_participant_does_not_merge():
    events, _ = resolve_events(frame(
        mention("d1", a1=(PUTIN,), a2=(), mode="meet", lemma="meeting"),
        mention("d1", 500, a1=(PUTIN,), a2=(), mode="meet", lemma="meeting"),  # maybe another meeting
        mention("d2", a1=(PUTIN,), a2=(XI,), mode="meet", lemma="meeting"),
        mention("d2", 500, a1=(XI,), a2=(PUTIN,), mode="meet", lemma="meeting"),  # who met tells them apart
    ))
    assert sorted(events.get_column("num_mentions").to_list()) == [1, 1, 2]

