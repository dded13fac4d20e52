"""Event quality: the seed gold list and PETRARCH2 sentences (ECB+ in ``evaluation/ecb_events.py``).

Every evaluation runs Dateline's own event step (the same extraction, entity resolution, date anchoring
and merge the flow uses) over the gold texts; only the scoring is here.
"""

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl
from dateline.flows.sources import manifest_of
from dateline.transforms.dates import parse_given_period
from dateline.transforms.events import SYMMETRIC_CODES, Lexicon
from dateline.transforms.extract import extract_documents
from dateline.transforms.ingest import parse_manifest
from dateline.transforms.normalize import compile_rules, split_title_body
from dateline.transforms.reference import load_reference
from dateline.transforms.resolve import resolve_mentions
from dateline.transforms.resolve_events import dates_compatible, event_documents
from spacy.language import Language

DATA = Path(__file__).resolve().parents[1] / "transforms" / "data"


def run_events(nlp: Language, lexicon: Lexicon, docs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """docs (document_key, body, published_date, source_key) → (events, event reports, entity_key → name).

    The flow's own extraction and resolve stage (``transforms.resolve.resolve_mentions``) over texts
    that did not go through normalize, dated as normalize would date them (``event_documents``).
    """
    extracted = extract_documents(nlp, docs.select("document_key", "body"), lexicon=lexicon)
    resolution = resolve_mentions(
        extracted.mentions, extracted.event_mentions, event_documents(docs), load_reference().alias_rows()
    )
    entities = resolution.entities
    names = dict(zip(entities.get_column("entity_key"), entities.get_column("canonical_name"), strict=True))
    return resolution.events, resolution.event_mentions, names


# ---------------------------------------------------------------------------------------------- seeds


def read_seed_docs(folder: Path) -> pl.DataFrame:
    """The seed articles with their title line split off as normalize does, keyed by their 3-digit prefix.

    A first line that reads as a headline is the title; a first paragraph (001's) stays in the body,
    as in a run, so what is scored is what a run extracts.

    Publication dates come from the folder's ``manifest.csv`` when it has one, parsed as a run parses
    them (so "2021-12" is month precision); documents it does not date get an inferred date later.
    """
    given = {}
    manifest = manifest_of(folder)
    if manifest is not None:
        entries, _bad = parse_manifest(str(manifest), manifest.read_bytes())
        given = {name: parse_given_period(entry["published"]) for name, entry in entries.items()}
    rules = compile_rules(load_reference().boilerplate_rules)
    rows = []
    for path in sorted(folder.glob("*.txt")):
        _title, body, _removed = split_title_body(path.read_text(encoding="utf-8"), rules)
        published, precision = given.get(path.name, (None, None))
        rows.append({"document_key": path.name[:3], "body": body, "published_date": published,
                     "published_precision": precision, "source_key": path.name[:3]})
    return pl.DataFrame(rows, schema={"document_key": pl.String, "body": pl.String, "published_date": pl.Date,
                                      "published_precision": pl.String, "source_key": pl.String})


def read_gold(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["actor1_groups"] = [set(g.split("|")) for g in row["actor1"].split(";") if g]
        row["actor2_groups"] = [set(g.split("|")) for g in row["actor2"].split(";") if g]
        row["doc_set"] = set(row["documents"].split(";"))
        row["gold_date"] = _gold_date(row["date"], row["date_precision"])
    return rows


def _gold_date(text: str, precision: str) -> dt.date | None:
    if not text:
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2]) if precision != "unknown" else None


def _covers(groups: list[set], names: set) -> bool:
    return all(group & names for group in groups)


def _matches(gold: dict, event: dict) -> bool:
    if gold["event_code"] != event["event_code"] or not (gold["doc_set"] & event["docs"]):
        return False
    if gold["event_code"] in SYMMETRIC_CODES:
        names = event["actor1"] | event["actor2"]
        groups = gold["actor1_groups"] + gold["actor2_groups"]
        return _covers(groups, names) and all(any(n in g for g in groups) for n in names)
    if not event["actor1"] or not _covers(gold["actor1_groups"], event["actor1"]):
        return False
    if gold["actor2_groups"] and event["actor2"]:
        return any(event["actor2"] & g for g in gold["actor2_groups"])
    return True


def evaluate_seeds(nlp: Language, lexicon: Lexicon, folder: Path, gold_path: Path) -> dict:
    """Event precision/recall against the hand-written gold list, and how the gold events were merged.

    Precision is over the events a who-did-what query shows (at least one resolved actor, not
    hypothetical); an event matches a gold event with the same category, the gold actors (any listed
    spelling), and at least one shared document. ``dated`` counts matched gold events whose system date
    agrees at its precision; ``one_event`` counts multi-document gold events found as ONE event
    covering all their documents.
    """
    events, reports, names = run_events(nlp, lexicon, read_seed_docs(folder))
    docs_of = reports.group_by("event_key").agg(pl.col("document_key").unique())
    # in event_key order: a gold event with tied best hits is judged on the same one every run
    # (``group_by`` and ``join`` do not keep an order, and ``max`` keeps the first of equals)
    table = events.join(docs_of, on="event_key").sort("event_key")
    system = []
    for row in table.iter_rows(named=True):
        system.append({
            **row,
            "docs": set(row["document_key"]),
            "actor1": {names.get(k, k) for k in row["actor1_entity_keys"]},
            "actor2": {names.get(k, k) for k in row["actor2_entity_keys"]},
        })
    shown = [e for e in system if (e["actor1"] or e["actor2"]) and e["polarity"] != "hypothetical"]
    gold = read_gold(gold_path)
    found, dated, merged_total, merged_ok, details = 0, 0, 0, 0, []
    for g in gold:
        hits = [e for e in system if _matches(g, e)]
        if hits:
            found += 1
            best = max(hits, key=lambda e: (len(e["docs"] & g["doc_set"]), e["date_precision"] == "day",
                                            e["num_mentions"]))
            if g["gold_date"] and best["event_date"] and dates_compatible(
                g["gold_date"], g["date_precision"], best["event_date"], best["date_precision"]
            ):
                dated += 1
        if len(g["doc_set"]) > 1:
            merged_total += 1
            merged_ok += any(g["doc_set"] <= e["docs"] for e in hits)
        details.append({"gold_id": g["gold_id"], "found": bool(hits),
                        "documents_found": sorted(set().union(*(e["docs"] for e in hits)) & g["doc_set"]) if hits else []})
    correct = sum(any(_matches(g, e) for g in gold) for e in shown)
    return {
        "gold_events": len(gold),
        "system_events": len(system),
        "system_events_shown": len(shown),
        "recall": round(found / len(gold), 3) if gold else 0.0,
        "precision": round(correct / len(shown), 3) if shown else 0.0,
        "gold_dated_events": sum(1 for g in gold if g["gold_date"]),
        "dated": dated,
        "multi_document_gold": merged_total,
        "one_event": merged_ok,
        "details": details,
    }


# ---------------------------------------------------------------------------------------------- PETRARCH


def load_cameo_map() -> list[tuple[str, str]]:
    """CAMEO code prefixes → our category ("" = no category), longest prefix first (data/cameo_to_plover.csv)."""
    with (DATA / "cameo_to_plover.csv").open(encoding="utf-8") as handle:
        rows = [(r["cameo"], r["code"]) for r in csv.DictReader(handle)]
    return sorted(rows, key=lambda r: -len(r[0]))


def load_cameo_actors() -> dict[str, str]:
    """Entity names → CAMEO country / IGO codes (data/cameo_actors.csv), for actor agreement."""
    with (DATA / "cameo_actors.csv").open(encoding="utf-8") as handle:
        return {r["name"].casefold(): r["cameo"] for r in csv.DictReader(handle)}


def cameo_category(code: str, mapping: list[tuple[str, str]]) -> str:
    for prefix, category in mapping:
        if code.startswith(prefix):
            return category
    return ""


def evaluate_petrarch(nlp: Language, lexicon: Lexicon, path: Path) -> dict:
    """Type accuracy against CAMEO codes mapped to our categories, and actor/target agreement.

    One item per gold event (a "no event" sentence, or a CAMEO code outside our categories, expects no
    event): correct when the sentence yields an event of the expected category (or none when none is
    expected). Actor accuracy is over the type-correct gold events with an actor code: our actor1 and
    actor2 of that category, mapped to CAMEO country codes, agree with source and target (the first
    three letters; "---" sides are not scored).
    """
    mapping = load_cameo_map()
    actors = load_cameo_actors()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = pl.DataFrame(
        {"document_key": [r["id"] + f"#{i}" for i, r in enumerate(rows)], "body": [r["text"] for r in rows],
         "published_date": [None] * len(rows), "source_key": ["petrarch"] * len(rows)},
        schema={"document_key": pl.String, "body": pl.String, "published_date": pl.Date, "source_key": pl.String},
    )
    events, reports, names = run_events(nlp, lexicon, docs)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    event_rows = {e["event_key"]: e for e in events.iter_rows(named=True)}
    for report in reports.iter_rows(named=True):
        event = event_rows[report["event_key"]]
        by_doc[report["document_key"]].append({
            "code": report["event_code"],
            "actor1": [names.get(report["actor1_entity_key"], "")] if report["actor1_entity_key"] else
            [names.get(k, "") for k in event["actor1_entity_keys"]],
            "actor2": [names.get(report["actor2_entity_key"], "")] if report["actor2_entity_key"] else [],
        })
    items = correct = actor_items = actor_correct = 0
    confusion: Counter = Counter()
    for i, row in enumerate(rows):
        found = by_doc.get(row["id"] + f"#{i}", [])
        for gold in row["events"]:
            expected = "" if "noevents" in gold else cameo_category(gold["eventcode"], mapping)
            items += 1
            codes = {f["code"] for f in found}
            ok = (not codes) if not expected else expected in codes
            correct += ok
            confusion[(expected or "none", ",".join(sorted(codes)) or "none")] += 1
            if ok and expected:
                scored = [(side, gold[key][:3]) for side, key in (("actor1", "sourcecode"), ("actor2", "targetcode"))
                          if gold.get(key) and not gold[key].startswith("---")]
                if not scored:
                    continue
                actor_items += 1
                candidates = [f for f in found if f["code"] == expected]
                actor_correct += any(
                    all(any(actors.get(n.casefold()) == code for n in f[side]) for side, code in scored)
                    for f in candidates
                )
    return {
        "sentences": len(rows),
        "gold_items": items,
        "type_accuracy": round(correct / items, 3) if items else 0.0,
        "actor_items": actor_items,
        "actor_accuracy": round(actor_correct / actor_items, 3) if actor_items else 0.0,
        "confusion": {f"{g} -> {s}": n for (g, s), n in confusion.most_common(12)},
    }
