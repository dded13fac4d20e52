"""The merge's evidence for undated reports: a matching counterpart, not one named side and the days alone."""

import datetime as dt
import json

import polars as pl
from dateline.transforms.resolve_events import EXISTING_EVENT_SCHEMA, resolve_events

from tests.test_resolve_events import DEC15, frame, mention


def test_undated_reports_naming_one_side_stay_apart_across_documents():
    # "Nadler was arrested" in two articles of the same days: one of his arrests, or two? One named side
    # fits many happenings (a previous arrest, background), so only the same document ties them.
    nadler, hoyt = "k_nadler", "k_hoyt"
    events, _ = resolve_events(frame(
        mention("d1", code="COERCE", a1=(), a2=(nadler,), lemma="arrest", published=DEC15),
        mention("d2", code="COERCE", a1=(), a2=(nadler,), lemma="arrest", published=DEC15),
        mention("d2", 300, code="COERCE", a1=(), a2=(nadler,), lemma="arrest", published=DEC15),
        # "Hoyt warned against it" in two obituaries: the actor alone, the same word
        mention("d3", code="THREATEN", a1=(hoyt,), a2=(), lemma="warn", published=DEC15),
        mention("d4", code="THREATEN", a1=(hoyt,), a2=(), lemma="warn", published=DEC15),
    ))
    assert sorted(events.get_column("num_documents").to_list()) == [1, 1, 1, 1]
    assert sorted(events.get_column("num_mentions").to_list()) == [1, 1, 1, 2]


def test_an_undated_one_sided_report_joins_a_dated_event_of_its_days_only_with_the_same_word():
    # d1: "Senator Hoyt criticized the plan on Tuesday". d2, the next day: "Hoyt has long been critical of
    # the agency" (another word: any of his criticisms) and "Hoyt criticized the plan" (the same word).
    hoyt = "k_hoyt"
    tuesday = dt.date(2019, 3, 12)
    events, reports = resolve_events(frame(
        mention("d1", code="DISAPPROVE", a1=(hoyt,), a2=(), date=tuesday, precision="day", lemma="criticize",
                published=tuesday),
        mention("d2", code="DISAPPROVE", a1=(hoyt,), a2=(), lemma="critical", published=dt.date(2019, 3, 13)),
        mention("d2", 300, code="DISAPPROVE", a1=(hoyt,), a2=(), lemma="criticize", published=dt.date(2019, 3, 13)),
    ))
    event_of = dict(reports.select("trigger_lemma", "event_key").iter_rows())
    assert events.height == 2
    assert reports.filter(pl.col("trigger_lemma") == "criticize").get_column("event_key").n_unique() == 1
    assert event_of["critical"] != event_of["criticize"]
    # Both sides named ("Putin spoke to Xi"): the undated report joins the dated call of its days.
    events, _ = resolve_events(frame(
        mention("d1", date=DEC15, precision="day", published=dt.date(2021, 12, 14), lemma="call"),
        mention("d2", published=DEC15, lemma="speak"),
    ))
    assert events.height == 1


def test_a_one_sided_report_attaches_to_a_loaded_event_by_the_words_of_its_reports():
    # Run 1 loads "Hoyt criticized the plan on Tuesday"; run 2 brings next day's "Hoyt criticized it" and
    # "Hoyt has been critical". Split in two runs, the merge groups them as one run would.
    hoyt, tuesday = "k_hoyt", dt.date(2019, 3, 12)
    first = mention("d1", code="DISAPPROVE", a1=(hoyt,), a2=(), date=tuesday, precision="day",
                    lemma="criticize", published=tuesday)
    later = [
        mention("d2", code="DISAPPROVE", a1=(hoyt,), a2=(), lemma="criticize", published=dt.date(2019, 3, 13)),
        mention("d2", 300, code="DISAPPROVE", a1=(hoyt,), a2=(), lemma="critical", published=dt.date(2019, 3, 13)),
    ]
    together = resolve_events(frame(first, *later))[1]
    loaded, loaded_reports = resolve_events(frame(first))
    lemmas = loaded_reports.group_by("event_key").agg(trigger_lemmas=pl.col("trigger_lemma").unique().sort())
    existing = loaded.select(EXISTING_EVENT_SCHEMA.names()).join(lemmas, on="event_key")
    _, split = resolve_events(frame(*later), existing)
    split = pl.concat([loaded_reports, split])

    def groups(reports: pl.DataFrame) -> list[list[str]]:
        grouped = reports.group_by("event_key").agg(pl.col("trigger_lemma").sort())
        return sorted(grouped.get_column("trigger_lemma").to_list())

    assert groups(split) == groups(together) == [["critical"], ["criticize", "criticize"]]
    # Without the loaded event's words, the one-sided report would not know it.
    _, blind = resolve_events(frame(*later), loaded.select(EXISTING_EVENT_SCHEMA.names()))
    assert loaded.get_column("event_key").item() not in blind.get_column("event_key").to_list()


def test_ecbplus_mentions_outside_every_chain_are_told_apart(tmp_path):
    from dateline.evaluation.ecb_events import _unlinked, read_ecbplus

    words = ["Police", "arrested", "Nadler", "and", "the", "arrest", "angered", "fans", "."]
    record = {
        "doc_id": "D1", "topic": 3, "text": " ".join(words),
        "tokens": [{"t_id": i + 1, "sentence": 0, "text": w} for i, w in enumerate(words)],
        "markables": [{"tag": "ACTION_OCCURRENCE", "m_id": "1", "token_ids": [2]},
                      {"tag": "ACTION_OCCURRENCE", "m_id": "2", "token_ids": [6]}],
        "relations": [{"tag": "CROSS_DOC_COREF", "r_id": "9", "sources": ["1"], "targets": [], "note": "ACT7"}],
    }
    path = tmp_path / "ecb.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    chains = {g["id"]: f"3:{g['chain']}" for g in read_ecbplus(path)[0]["gold"]}
    assert [_unlinked(chains[m]) for m in ("D1:1", "D1:2")] == [False, True]
