"""Experiment: the dependency parser only on candidate sentences (a trigger and an entity), NER on everything.

    python -m benchmarks.parser_candidates [--docs 200] [--ecb-docs 60] [--json]

Events need the parse only where a sentence holds a trigger word and a named entity; every other
sentence pays for parsing and gives nothing. The variant pipeline swaps the parser for the model's
(disabled by default) ``senter`` for sentence boundaries, and a component after ``ner`` parses each
candidate sentence alone (``Span.as_doc`` keeps the tok2vec tensor the parser listens to) and copies
heads and labels back into the full Doc. Reported, on the same texts: words/s (wall and CPU) of the
one spaCy pass with events (``extract_documents``) for both pipelines; event-mention recall of the
variant against the full parse (same trigger and category; and the same actor spans too); entity-mention
agreement (Dateline's entity components read the parse in places); the seed gold scores
(``tests/golden/seed_events.csv``) and ECB+ mention recall (``../shared/corpora/ecbplus_topics_01_35.jsonl``)
of both. An experiment: the flow is unchanged.
"""

import argparse
import json
import time
from pathlib import Path

import numpy
import polars as pl
from dateline.evaluation.ecb_events import evaluate_ecbplus
from dateline.evaluation.events import evaluate_seeds
from dateline.flows.nlp import load_nlp
from dateline.flows.settings import Settings
from dateline.transforms.events import Lexicon, build_lexicon, load_triggers
from dateline.transforms.extract import extract_documents
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc

from benchmarks.common import ROOT, corpus_path, read_jsonl, skip

_VERBAL = {"VERB": "VERB", "AUX": "VERB", "NOUN": "NOUN", "PROPN": "NOUN"}  # as transforms.events reads POS


class CandidateParser:
    """Parse only the sentences with a trigger lemma and an entity; the rest keep no parse."""

    def __init__(self, nlp: Language, triggers: set[tuple[str, str]]) -> None:
        self.parser = nlp.get_pipe("parser")  # disabled in the pipeline, still loaded
        self.triggers = triggers
        self.sentences = 0
        self.parsed = 0

    def is_candidate(self, sent) -> bool:
        if not sent.ents:
            return False
        return any((t.lemma_, _VERBAL.get(t.pos_, "")) in self.triggers for t in sent)

    def __call__(self, doc: Doc) -> Doc:
        sents = list(doc.sents)
        candidates = [s for s in sents if self.is_candidate(s)]
        self.sentences += len(sents)
        self.parsed += len(candidates)
        # One consistent tree per sentence, written with from_array (setting Token.head one by one
        # on a Doc without a parse leaves its child counts inconsistent). Other sentences get a flat
        # tree (first token ROOT, the rest "dep" of it), which keeps their boundaries and no structure.
        strings = doc.vocab.strings
        root, flat = strings.add("ROOT"), strings.add("dep")
        offsets = numpy.zeros(len(doc), dtype="int64")  # head position minus token position
        labels = numpy.full(len(doc), flat, dtype="uint64")  # label hashes do not fit an int64
        for sent in sents:
            labels[sent.start] = root
            offsets[sent.start + 1 : sent.end] = sent.start - numpy.arange(sent.start + 1, sent.end)
        for sent, parsed in zip(candidates, self.parser.pipe(s.as_doc() for s in candidates), strict=True):
            for token in parsed:
                offsets[sent.start + token.i] = token.head.i - token.i
                labels[sent.start + token.i] = token.dep
        doc.from_array([HEAD, DEP], numpy.stack([offsets.astype("uint64"), labels], axis=1))
        return doc


def candidate_nlp(model: str, lexicon: Lexicon) -> tuple[Language, CandidateParser]:
    """A fresh copy of the pipeline (not the cached one) with the parser swapped for senter + candidates."""
    nlp = load_nlp.__wrapped__(model)
    nlp.disable_pipe("parser")
    nlp.enable_pipe("senter")
    component = CandidateParser(nlp, set(lexicon.entries))
    Language.component("dateline_candidate_parser", func=component)
    nlp.add_pipe("dateline_candidate_parser", after="ner")
    return nlp, component


def _timed_extract(nlp: Language, docs: pl.DataFrame, lexicon: Lexicon):
    wall, cpu = time.perf_counter(), time.process_time()
    extracted = extract_documents(nlp, docs, lexicon=lexicon)
    return extracted, time.perf_counter() - wall, time.process_time() - cpu


def _event_keys(frame: pl.DataFrame, strict: bool) -> set[tuple]:
    columns = ["document_key", "trigger_start", "event_code"]
    if strict:
        columns += ["actor1_starts", "actor2_starts", "location_start"]
    return {tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in frame.select(columns).iter_rows()}


def _recall(reference: set, candidate: set) -> float:
    return round(len(reference & candidate) / len(reference), 3) if reference else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="allsides articles for speed and agreement")
    parser.add_argument("--ecb-docs", type=int, default=60, help="ECB+ documents (0: skip ECB+)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = corpus_path("news_allsides_2018_2019.jsonl")
    if path is None:
        skip("news_allsides_2018_2019.jsonl not found under ../shared/corpora")
    records = [r for r in read_jsonl(path, args.docs) if (r.get("text") or "").strip()]
    docs = pl.DataFrame({"document_key": [str(r.get("id", i)) for i, r in enumerate(records)],
                         "body": [r["text"] for r in records]})
    model = Settings().model
    lexicon = build_lexicon(load_triggers())
    full = load_nlp(model)
    variant, component = candidate_nlp(model, lexicon)
    for nlp in (full, variant):  # warm-up: lazy loads and caches
        extract_documents(nlp, docs.head(3), lexicon=lexicon)
    component.sentences = component.parsed = 0

    reference, full_wall, full_cpu = _timed_extract(full, docs, lexicon)
    candidate, cand_wall, cand_cpu = _timed_extract(variant, docs, lexicon)
    words = reference.words
    mention_columns = ["document_key", "start_char", "end_char", "label"]
    ref_mentions = set(reference.mentions.select(mention_columns).iter_rows())
    cand_mentions = set(candidate.mentions.select(mention_columns).iter_rows())
    result = {
        "docs": docs.height,
        "words": words,
        "full_parse_words_per_s": round(words / full_wall, 1),
        "candidates_words_per_s": round(words / cand_wall, 1),
        "full_parse_cpu_s": round(full_cpu, 1),
        "candidates_cpu_s": round(cand_cpu, 1),
        "speedup_cpu": round(full_cpu / cand_cpu, 3),
        "speedup_wall": round(full_wall / cand_wall, 3),
        "sentences": component.sentences,
        "sentences_parsed": component.parsed,
        "event_mentions_full": reference.event_mentions.height,
        "event_mentions_candidates": candidate.event_mentions.height,
        "event_recall_vs_full": _recall(_event_keys(reference.event_mentions, False),
                                        _event_keys(candidate.event_mentions, False)),
        "event_recall_vs_full_same_actors": _recall(_event_keys(reference.event_mentions, True),
                                                    _event_keys(candidate.event_mentions, True)),
        "entity_mention_recall_vs_full": _recall(ref_mentions, cand_mentions),
        "entity_mention_precision_vs_full": _recall(cand_mentions, ref_mentions),
    }
    seeds, gold = ROOT / "seeds", ROOT / "tests" / "golden" / "seed_events.csv"
    if seeds.is_dir() and gold.exists():
        for name, nlp in (("full", full), ("candidates", variant)):
            scores = evaluate_seeds(nlp, lexicon, seeds, gold)
            result[f"seed_gold_recall_{name}"] = scores["recall"]
            result[f"seed_gold_precision_{name}"] = scores["precision"]
    ecb = corpus_path("ecbplus_topics_01_35.jsonl")
    if ecb is not None and args.ecb_docs:
        for name, nlp in (("full", full), ("candidates", variant)):
            scores = evaluate_ecbplus(nlp, lexicon, Path(ecb), args.ecb_docs)
            result[f"ecb_mention_recall_{name}"] = scores["mention_recall"]
            result[f"ecb_mention_precision_{name}"] = scores["mention_precision"]
            result[f"ecb_b3_f1_{name}"] = scores["b3_f1"]
    if args.json:
        print(json.dumps(result))
    else:
        width = max(map(len, result))
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
