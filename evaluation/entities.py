"""Entity resolution measures: the split rate of a warehouse, and ECB+ cross-document coreference.

``split_rate``: the share of person mentions on a one-word key while a live multi-word person key ends
in that word ("Trump" beside "Donald Trump"), with the keys holding most of them and the most-mentioned
entities with their aliases, for reading.

``evaluate_ecbplus``: ECB+ participant markables (HUMAN_PART_* and NON_HUMAN_PART*) that are names,
clustered by their CROSS_DOC_COREF chains, against (a) an exact-string baseline (same text, same
entity) and (b) Dateline's entity keys (the pipeline over every document, one resolution over all of
them; a gold mention takes the key of the entity mention overlapping it most, else stays alone).
Scores: B³ precision, recall, F1, and the CoNLL F1 (mean of MUC, B³ and CEAF-e F1).
"""

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl
from dateline.evaluation.ecb_events import token_offsets
from dateline.transforms.entities import entity_relations, resolve_entities
from dateline.transforms.extract import extract_documents
from dateline.transforms.reference import load_reference
from dateline.warehouse import db
from scipy.optimize import linear_sum_assignment
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

PARTICIPANT_TAGS = ("HUMAN_PART", "NON_HUMAN_PART")


def split_rate(path: Path, top: int = 30) -> dict:
    """Split rate of a warehouse, the one-word keys behind it and the ``top`` entities with aliases."""
    con = db.connect_read(path)
    try:
        persons, split, rate = con.execute(db.sql_text("eval/entity_split_rate.sql")).fetchone()
        splits = _rows(con.execute(db.sql_text("eval/entity_split_top.sql"), [top]))
        entities = _rows(con.execute(db.sql_text("eval/entity_top.sql"), [top]))
    finally:
        con.close()
    return {
        "person_mentions": persons,
        "split_mentions": split,
        "split_rate": round(rate or 0.0, 4),
        "top_split_keys": splits,
        "top_entities": entities,
    }


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _is_name(words: list[str]) -> bool:
    """A markable that is a name: its content words capitalized, not a lone function word ("We", "The")."""
    content = [w for w in words if any(c.isalpha() for c in w) and w.lower() not in ("the", "of", "and", "'s")]
    if not content or (len(content) == 1 and content[0].lower() in STOP_WORDS):
        return False
    return all(w[0].isupper() for w in content)


def read_participants(path: Path, limit: int | None = None) -> list[dict]:
    """ECB+ documents with their named participant mentions (char span, text, gold chain)."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for count, line in enumerate(handle):
            if limit is not None and count >= limit:
                break
            record = json.loads(line)
            text = record["text"]
            offsets = token_offsets(text, record["tokens"])
            chain_of = {}
            for relation in record["relations"]:
                if relation["tag"] == "CROSS_DOC_COREF":
                    for source in relation["sources"]:
                        chain_of[source] = relation.get("note") or f"{record['doc_id']}:{relation['r_id']}"
            gold = []
            for markable in record["markables"]:
                if not markable["tag"].startswith(PARTICIPANT_TAGS) or not markable["token_ids"]:
                    continue
                spans = [offsets[t] for t in markable["token_ids"] if t in offsets]
                if not spans:
                    continue
                start, end = spans[0][0], spans[-1][1]
                if not _is_name(text[start:end].split()):
                    continue
                mention_id = f"{record['doc_id']}:{markable['m_id']}"
                gold.append({
                    "id": mention_id,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "chain": chain_of.get(markable["m_id"], f"single:{mention_id}"),
                })
            records.append({"document_key": record["doc_id"], "text": text, "gold": gold})
    return records


def _clusters(assignment: Mapping[str, str]) -> list[set[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for mention, cluster in assignment.items():
        members[cluster].add(mention)
    return list(members.values())


def b_cubed(gold: Mapping[str, str], system: Mapping[str, str]) -> dict:
    gold_members = {m: c for c in _clusters(gold) for m in c}
    system_members = {m: c for c in _clusters(system) for m in c}
    p = sum(len(gold_members[m] & system_members[m]) / len(system_members[m]) for m in gold) / len(gold)
    r = sum(len(gold_members[m] & system_members[m]) / len(gold_members[m]) for m in gold) / len(gold)
    return _prf(p, r)


def muc(gold: Mapping[str, str], system: Mapping[str, str]) -> dict:
    def score(key: list[set[str]], response: Mapping[str, str]) -> float:
        num = den = 0
        for cluster in key:
            parts = {response[m] for m in cluster}
            num += len(cluster) - len(parts)
            den += len(cluster) - 1
        return num / den if den else 0.0

    return _prf(score(_clusters(system), gold), score(_clusters(gold), system))


def ceaf_e(gold: Mapping[str, str], system: Mapping[str, str]) -> dict:
    key, response = _clusters(gold), _clusters(system)
    similarity = np.zeros((len(key), len(response)))
    index = {m: j for j, cluster in enumerate(response) for m in cluster}
    for i, cluster in enumerate(key):
        for m in cluster:
            j = index[m]
            similarity[i, j] = 2 * len(cluster & response[j]) / (len(cluster) + len(response[j]))
    rows, cols = linear_sum_assignment(-similarity)
    total = similarity[rows, cols].sum()
    return _prf(total / len(response), total / len(key))


def _prf(p: float, r: float) -> dict:
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def score(gold: Mapping[str, str], system: Mapping[str, str]) -> dict:
    b3 = b_cubed(gold, system)
    conll = (muc(gold, system)["f1"] + b3["f1"] + ceaf_e(gold, system)["f1"]) / 3
    return {"b3": b3, "conll_f1": round(float(conll), 4)}


def evaluate_ecbplus(nlp: Language, path: Path, limit: int | None = None) -> dict:
    """Named-participant cross-document coreference: exact-string baseline vs Dateline's entity keys."""
    records = read_participants(path, limit)
    docs = pl.DataFrame(
        {"document_key": [r["document_key"] for r in records], "body": [r["text"] for r in records]}
    )
    mentions = extract_documents(nlp, docs).mentions
    resolved, _ = resolve_entities(mentions, relations=entity_relations(load_reference().alias_rows()))
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for doc, start, end, key in resolved.select("document_key", "start_char", "end_char", "entity_key").iter_rows():
        spans[doc].append((start, end, key))
    gold, baseline, system = {}, {}, {}
    for record in records:
        for m in record["gold"]:
            gold[m["id"]] = m["chain"]
            baseline[m["id"]] = m["text"]
            overlaps = [
                (min(end, m["end"]) - max(start, m["start"]), key)
                for start, end, key in spans[record["document_key"]]
                if start < m["end"] and m["start"] < end
            ]
            system[m["id"]] = max(overlaps)[1] if overlaps else f"alone:{m['id']}"
    return {
        "documents": len(records),
        "mentions": len(gold),
        "chains": len(set(gold.values())),
        "baseline": score(gold, baseline),
        "dateline": score(gold, system),
    }
