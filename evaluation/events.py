"""Event quality: the seed gold list, ECB+ (mention detection and cross-document merging), PETRARCH2 sentences.

Every evaluation runs Dateline's own event step (the same extraction, entity resolution, date anchoring
and merge the flow uses) over the gold texts; only the scoring is here.
"""

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl
from spacy.language import Language

from transforms.dates import parse_given_period
from transforms.events import SYMMETRIC_CODES, Lexicon
from transforms.extract import extract_documents
from transforms.ingest import MANIFEST_NAME, parse_manifest
from transforms.reference import load_reference
from transforms.resolve import resolve_mentions
from transforms.resolve_events import dates_compatible, event_documents

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
    """The seed articles with their title line split off (as ingest does), keyed by their 3-digit prefix.

    Publication dates come from the folder's ``manifest.csv`` when it has one, parsed as a run parses
    them (so "2021-12" is month precision); documents it does not date get an inferred date later.
    """
    given = {}
    manifest = folder / MANIFEST_NAME
    if manifest.is_file():
        entries, _bad = parse_manifest(str(manifest), manifest.read_bytes())
        given = {name: parse_given_period(entry["published"]) for name, entry in entries.items()}
    rows = []
    for path in sorted(folder.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        body = "\n\n".join(lines[1:])
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
    table = events.join(docs_of, on="event_key")
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
            best = max(hits, key=lambda e: (len(e["docs"] & g["doc_set"]), e["date_precision"] == "day"))
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


# ---------------------------------------------------------------------------------------------- ECB+


def token_offsets(text: str, tokens: list[dict]) -> dict[int, tuple[int, int]]:
    """ECB+ token id → (start, end) character span in the document's text."""
    offsets, position = {}, 0
    for token in tokens:
        start = text.find(token["text"], position)
        if start < 0:
            continue
        offsets[token["t_id"]] = (start, start + len(token["text"]))
        position = start + len(token["text"])
    return offsets


def read_ecbplus(path: Path, limit: int | None = None) -> list[dict]:
    """Documents with their gold event mentions (token ids, char span, coreference chain)."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for count, line in enumerate(handle):
            if limit is not None and count >= limit:
                break
            record = json.loads(line)
            offsets = token_offsets(record["text"], record["tokens"])
            chain_of = {}
            for relation in record["relations"]:
                if relation["tag"] in ("CROSS_DOC_COREF", "INTRA_DOC_COREF"):
                    for source in relation["sources"]:
                        chain_of[source] = relation.get("note") or f"{record['doc_id']}:{relation['r_id']}"
            sentence_of = {t["t_id"]: t["sentence"] for t in record["tokens"]}
            annotated_sentences = {
                sentence_of[t] for m in record["markables"] for t in m["token_ids"] if t in sentence_of
            }
            annotated = sorted(
                offsets[t["t_id"]] for t in record["tokens"]
                if t["sentence"] in annotated_sentences and t["t_id"] in offsets
            )
            gold = []
            for markable in record["markables"]:
                if "ACTION" not in markable["tag"] or not markable["token_ids"]:
                    continue
                spans = [offsets[t] for t in markable["token_ids"] if t in offsets]
                if not spans:
                    continue
                gold.append({
                    "id": f"{record['doc_id']}:{markable['m_id']}",
                    "chars": {c for s, e in spans for c in range(s, e)},
                    "start": spans[0][0],
                    "chain": chain_of.get(markable["m_id"], f"single:{record['doc_id']}:{markable['m_id']}"),
                })
            records.append({"document_key": record["doc_id"], "topic": record["topic"], "text": record["text"],
                            "gold": gold, "annotated": {c for s, e in annotated for c in range(s, e)}})
    return records


def b_cubed(gold_of: dict[str, str], system_of: dict[str, str]) -> float:
    """B³ F1 of a system clustering against gold chains, over the same mention ids."""
    return b_cubed_scores(gold_of, system_of)[2]


def b_cubed_scores(gold_of: dict[str, str], system_of: dict[str, str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of B³: per mention, the share of its system cluster in its gold chain and back."""
    gold_members, system_members = defaultdict(set), defaultdict(set)
    for mention, chain in gold_of.items():
        gold_members[chain].add(mention)
    for mention, cluster in system_of.items():
        system_members[cluster].add(mention)
    precision = recall = 0.0
    for mention in gold_of:
        g = gold_members[gold_of[mention]]
        s = system_members[system_of[mention]]
        overlap = len(g & s)
        precision += overlap / len(s)
        recall += overlap / len(g)
    n = len(gold_of)
    if not n:
        return 0.0, 0.0, 0.0
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pairwise_links(
    gold_of: dict[str, str], system_of: dict[str, str], document_of: dict[str, str] | None = None
) -> dict:
    """Link precision and recall: mention pairs the system merged vs. pairs gold puts in one chain.

    A pair counts once; ``system_links`` are the merges made, ``correct_links`` those gold agrees with,
    ``gold_links`` the merges gold asks for. Precision is None when the system merged nothing. With
    ``document_of`` (mention → document), only pairs from two different documents count.
    """
    def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for mention in sorted(assignment):
            members[assignment[mention]].append(mention)
        found = {(a, b) for group in members.values() for i, a in enumerate(group) for b in group[i + 1:]}
        if document_of is None:
            return found
        return {(a, b) for a, b in found if document_of[a] != document_of[b]}

    system = pairs({m: system_of[m] for m in gold_of})
    gold = pairs(gold_of)
    correct = len(system & gold)
    return {
        "system_links": len(system),
        "correct_links": correct,
        "gold_links": len(gold),
        "link_precision": round(correct / len(system), 3) if system else None,
        "link_recall": round(correct / len(gold), 3) if gold else 0.0,
    }


def evaluate_ecbplus(nlp: Language, lexicon: Lexicon, path: Path, limit: int | None = None) -> dict:
    """Mention recall/precision of the trigger lexicon and B³ F1 of the cross-document merge.

    A system mention is correct when its trigger overlaps a gold ACTION_* mention; as ECB+ annotates
    only some sentences of each document, precision counts system mentions in annotated sentences
    (sentences with at least one markable). B³ is computed over
    all gold mentions, within each topic: a detected gold mention takes the event its system mention
    was merged into, an undetected one stays a singleton. The baseline clusters every gold mention by
    the lemma of its first token within the topic. ``*_detected`` repeats both over only the gold
    mentions the system detected, which isolates merge quality from detection.
    """
    records = read_ecbplus(path, limit)
    docs = pl.DataFrame(
        {"document_key": [r["document_key"] for r in records], "body": [r["text"] for r in records],
         "published_date": [None] * len(records), "source_key": [r["document_key"] for r in records]},
        schema={"document_key": pl.String, "body": pl.String, "published_date": pl.Date, "source_key": pl.String},
    )
    topic_of = {r["document_key"]: r["topic"] for r in records}
    gold_total = sum(len(r["gold"]) for r in records)
    gold_by_doc = {r["document_key"]: r["gold"] for r in records}
    annotated_by_doc = {r["document_key"]: r["annotated"] for r in records}
    gold_of, system_of, baseline_of, detected = {}, {}, {}, set()
    extracted_mentions = 0
    matched_system = 0
    for topic in sorted(set(topic_of.values())):
        topic_docs = docs.filter(pl.col("document_key").map_elements(lambda k, t=topic: topic_of[k] == t,
                                                                     return_dtype=pl.Boolean))
        _, reports, _ = run_events(nlp, lexicon, topic_docs)
        for row in reports.iter_rows(named=True):
            in_annotated = row["start_char"] in annotated_by_doc[row["document_key"]]
            extracted_mentions += in_annotated
            hit = False
            for g in gold_by_doc[row["document_key"]]:
                if any(c in g["chars"] for c in range(row["start_char"], row["end_char"])):
                    system_of.setdefault(g["id"], row["event_key"])
                    detected.add(g["id"])
                    hit = True
            matched_system += hit and in_annotated
        keys = topic_docs.get_column("document_key").to_list()
        lemma_only = [n for n in nlp.pipe_names if n not in ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")]
        for key, doc in zip(keys, nlp.pipe(topic_docs.get_column("body").to_list(), disable=lemma_only), strict=True):
            for g in gold_by_doc[key]:
                gold_of[g["id"]] = f"{topic}:{g['chain']}"
                span = doc.char_span(g["start"], g["start"] + 1, alignment_mode="expand")
                lemma = span[0].lemma_.lower() if span is not None and len(span) else str(g["start"])
                baseline_of[g["id"]] = f"{topic}:{lemma}"
                system_of.setdefault(g["id"], f"single:{g['id']}")
    only_detected = {m: gold_of[m] for m in detected}
    b3 = b_cubed_scores(gold_of, system_of)
    links = pairwise_links(gold_of, system_of)
    # Links between two documents: the merges the cross-document rules make (not one sentence's mentions).
    document_of = {g["id"]: r["document_key"] for r in records for g in r["gold"]}
    cross = pairwise_links(gold_of, system_of, document_of)
    return {
        "documents": len(records),
        "gold_mentions": gold_total,
        "system_mentions_in_annotated_sentences": extracted_mentions,
        "mention_recall": round(len(detected) / gold_total, 3) if gold_total else 0.0,
        "mention_precision": round(matched_system / extracted_mentions, 3) if extracted_mentions else 0.0,
        "b3_precision": round(b3[0], 3),
        "b3_recall": round(b3[1], 3),
        "b3_f1": round(b3[2], 3),
        **links,
        "cross_document_links": cross["system_links"],
        "cross_document_link_precision": cross["link_precision"],
        "baseline_b3_f1": round(b_cubed(gold_of, baseline_of), 3),
        "b3_f1_detected": round(b_cubed(only_detected, {m: system_of[m] for m in detected}), 3),
        "baseline_b3_f1_detected": round(b_cubed(only_detected, {m: baseline_of[m] for m in detected}), 3),
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
