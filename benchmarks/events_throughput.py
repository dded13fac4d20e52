"""What event extraction costs inside the one spaCy pass: words/s with entities only vs entities + events.

    .venv/bin/python -m benchmarks.events_throughput [--docs 300] [--repeat 2]

Both variants run the same pipeline (with Dateline's entity components) over the same sample of
``../shared/corpora/news_allsides_2018_2019.jsonl``, alternating, best of ``--repeat`` runs each;
the event merge (key + resolve) is timed on its own. Prints one JSON object.
"""

import argparse
import json
import time

import polars as pl
from dateline.flows.nlp import load_nlp
from dateline.flows.settings import Settings
from dateline.transforms.entities import resolve_entities
from dateline.transforms.events import build_lexicon, load_triggers
from dateline.transforms.extract import extract_documents
from dateline.transforms.resolve_events import event_documents, key_event_mentions, resolve_events

from benchmarks.common import corpus_path, read_jsonl, skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    path = corpus_path("news_allsides_2018_2019.jsonl")
    if path is None:
        skip("news_allsides_2018_2019.jsonl not found under ../shared/corpora")
    records = [r for r in read_jsonl(path, args.docs) if (r.get("text") or "").strip()]
    docs = pl.DataFrame({
        "document_key": [str(r.get("id", i)) for i, r in enumerate(records)],
        "body": [r["text"] for r in records],
    })
    nlp = load_nlp(Settings().model)
    lexicon = build_lexicon(load_triggers())
    extract_documents(nlp, docs.head(5), lexicon=lexicon)  # warm-up: lazy loads, caches
    best = {"entities": float("inf"), "entities_events": float("inf")}
    words = 0
    extracted = None
    for _ in range(args.repeat):
        for variant, lex in (("entities", None), ("entities_events", lexicon)):
            start = time.perf_counter()
            result = extract_documents(nlp, docs, lexicon=lex)
            best[variant] = min(best[variant], time.perf_counter() - start)
            words = result.words
            if lex is not None:
                extracted = result
    start = time.perf_counter()
    resolved, _ = resolve_entities(extracted.mentions)
    documents = docs.with_columns(published_date=pl.lit(None, dtype=pl.Date), source_key=pl.lit("s"))
    keyed = key_event_mentions(extracted.event_mentions, resolved, event_documents(documents))
    events, reports = resolve_events(keyed)
    resolve_seconds = time.perf_counter() - start
    entities_wps = words / best["entities"]
    events_wps = words / best["entities_events"]
    print(json.dumps({
        "documents": docs.height,
        "words": words,
        "entities_words_per_s": round(entities_wps),
        "entities_events_words_per_s": round(events_wps),
        "extraction_cost_pct": round(100 * (best["entities_events"] / best["entities"] - 1), 1),
        "event_mentions": extracted.event_mentions.height,
        "events": events.height,
        "event_reports": reports.height,
        "resolve_seconds": round(resolve_seconds, 2),
    }))


if __name__ == "__main__":
    main()
