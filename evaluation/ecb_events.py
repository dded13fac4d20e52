"""ECB+: event mention detection and cross-document merging, scored against the corpus's gold chains.

The events come from the flow's own extraction and resolve stage (``evaluation.events.run_events``).
"""

import json
from collections import defaultdict
from pathlib import Path

import polars as pl
from dateline.evaluation.events import run_events
from dateline.evaluation.scores import b_cubed, b_cubed_scores, pairwise_links, wrong_links
from dateline.transforms.event_merge import DISTINCTIVE_PRECISIONS
from dateline.transforms.events import SYMMETRIC_CODES, Lexicon
from spacy.language import Language


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


def _unlinked(chain: str) -> bool:
    """Whether a scored chain ("topic:chain") is that of a mention ECB+ put in no coreference relation."""
    return chain.split(":")[1] == "single"


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


def evaluate_ecbplus(
    nlp: Language, lexicon: Lexicon, path: Path, limit: int | None = None, errors: int = 0
) -> dict:
    """Mention recall/precision of the trigger lexicon and B³ F1 of the cross-document merge.

    A system mention is correct when its trigger overlaps a gold ACTION_* mention; as ECB+ annotates
    only some sentences of each document, precision counts system mentions in annotated sentences
    (sentences with at least one markable). B³ is computed over
    all gold mentions, within each topic: a detected gold mention takes the event its system mention
    was merged into, an undetected one stays a singleton. The baseline clusters every gold mention by
    the lemma of its first token within the topic. ``*_detected`` repeats both over only the gold
    mentions the system detected, which isolates merge quality from detection. ``chained_*`` repeats the
    links over only the gold mentions ECB+ put in a coreference chain. ``links_by_evidence`` counts the
    right and wrong links by what the two merged reports share (``link_evidence``). With ``errors`` > 0, ``wrong_links``
    lists up to that many of the merged pairs ECB+ keeps apart (``describe_wrong_links``) and
    ``wrong_links_unchained`` counts those where a mention is in no ECB+ chain.
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
    report_of: dict[str, dict] = {}  # gold mention → the system report that first detected it
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
                    report_of.setdefault(g["id"], row)
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
    # ECB+ leaves many annotated mentions out of every coreference chain (a repeat of a chained mention
    # included); scored as singletons, any merge of them counts as wrong. The links among chained
    # mentions only tell the merge's own errors from those.
    chained = pairwise_links({m: c for m, c in gold_of.items() if not _unlinked(c)}, system_of)
    listing = {}
    if errors > 0:
        wrong = wrong_links(gold_of, system_of)
        listing = {
            "wrong_links_unchained": sum(_unlinked(gold_of[a]) or _unlinked(gold_of[b]) for a, b in wrong),
            "wrong_links": describe_wrong_links(wrong[:errors], gold_of, system_of, report_of),
        }
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
        "chained_links": chained["system_links"],
        "chained_link_precision": chained["link_precision"],
        "links_by_evidence": link_evidence(gold_of, system_of, report_of),
        "baseline_b3_f1": round(b_cubed(gold_of, baseline_of), 3),
        "b3_f1_detected": round(b_cubed(only_detected, {m: system_of[m] for m in detected}), 3),
        "baseline_b3_f1_detected": round(b_cubed(only_detected, {m: baseline_of[m] for m in detected}), 3),
        **listing,
    }


def describe_wrong_links(
    pairs: list[tuple[str, str]], gold_of: dict[str, str], system_of: dict[str, str], report_of: dict[str, dict]
) -> list[dict]:
    """Each wrong link as the event it was merged into and, per mention, its ECB+ chain (``in_chain``: false
    for a mention ECB+ put in no chain) and the report that merged it: trigger, type, date and sentence."""
    def mention(m: str) -> dict:
        row = report_of[m]
        return {
            "id": m, "chain": gold_of[m], "in_chain": not _unlinked(gold_of[m]), "document": row["document_key"],
            "trigger": row["trigger"], "event_code": row["event_code"], "date_text": row["date_text"],
            "date": row["mention_date"], "date_precision": row["date_precision"], "sentence": row["sentence"],
        }

    return [{"event_key": system_of[a], "mentions": [mention(a), mention(b)]} for a, b in pairs]


def link_evidence(gold_of: dict[str, str], system_of: dict[str, str], report_of: dict[str, dict]) -> dict:
    """Right and wrong links (merged mention pairs) by the evidence their two reports share.

    The class of a pair: the same document or across documents; both, one or neither dated (day, week or
    month: a year tells no event from another, as in the merge rules); the sides named on the pair's
    reports (both sides, doer only, target only, none; for CONSULT / AGREE / COOPERATE two participants
    are both sides); the same trigger word or another. Gold decides right and wrong, as in the link scores.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for mention in sorted(gold_of):
        if mention in report_of:
            members[system_of[mention]].append(mention)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"right": 0, "wrong": 0})
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                counts[_evidence(report_of[a], report_of[b])]["right" if gold_of[a] == gold_of[b] else "wrong"] += 1
    return dict(sorted(counts.items()))


def _evidence(a: dict, b: dict) -> str:
    scope = "same document" if a["document_key"] == b["document_key"] else "across documents"
    dated = sum(r["date_precision"] in DISTINCTIVE_PRECISIONS for r in (a, b))
    doers = {r["actor1_entity_key"] for r in (a, b)} - {None}
    targets = {r["actor2_entity_key"] for r in (a, b)} - {None}
    if a["event_code"] in SYMMETRIC_CODES:
        sides = "both sides" if len(doers | targets) >= 2 else "one side" if doers | targets else "no actor"
    else:
        sides = {(True, True): "both sides", (True, False): "doer only", (False, True): "target only",
                 (False, False): "no actor"}[(bool(doers), bool(targets))]
    word = "same word" if a["trigger_lemma"] == b["trigger_lemma"] else "other word"
    return f"{scope}, {('undated', 'one dated', 'both dated')[dated]}, {sides}, {word}"
