"""CPU seconds of a run's per-document work against the bare model, in ONE process (no timing across processes).

    .venv/bin/python -m benchmarks.worker_cpu [--docs 300] [--json]

Takes the first N articles of ``../shared/corpora/news_allsides_2018_2019.jsonl`` (skips with a message
when it is absent), parses and normalizes them as a run does (the CPU of ``normalize_documents`` is the
flow process's normalize stage), then measures over the same cleaned bodies: the bare model
(``spacy.load``) component by component and as one ``nlp.pipe``; the run's pipeline (``flows.nlp.load_nlp``:
the model with Dateline's components) component by component, the rows read off each Doc
(``doc_mentions`` + ``doc_events``: what a spaCy worker does per Doc besides the model) and
``extract_documents`` as a worker runs it; the cost of loading each pipeline; and ``resolve_mentions``
over the extracted rows (the flow process's resolve stage, against an empty warehouse, after a
warm-up). ``process_time`` only: on a shared machine CPU seconds stay comparable where wall time does not.
"""

import argparse
import datetime as dt
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import polars as pl
import spacy
from dateline.flows.nlp import load_lexicon, load_nlp
from dateline.flows.settings import Settings
from dateline.flows.sources import read_files
from dateline.transforms.entities import doc_mentions
from dateline.transforms.events import doc_events
from dateline.transforms.extract import extract_documents
from dateline.transforms.ingest import parse_inputs
from dateline.transforms.normalize import normalize_documents
from dateline.transforms.reference import load_reference
from dateline.transforms.resolve import Known, resolve_mentions

from benchmarks.common import corpus_path, read_jsonl, skip

CORPUS = "news_allsides_2018_2019.jsonl"
TODAY = dt.date(2026, 1, 1)  # a fixed run date, so the normalized documents do not depend on the clock


def _cpu(function, *args, **kwargs):
    start = time.process_time()
    result = function(*args, **kwargs)
    return result, time.process_time() - start


def _by_component(nlp, texts: list[str]) -> tuple[dict[str, float], list]:
    """CPU seconds of the tokenizer and of each component over all ``texts``, and the Docs."""
    seconds: dict[str, float] = defaultdict(float)
    docs, seconds["tokenizer"] = _cpu(lambda: [nlp.make_doc(text) for text in texts])
    for name, component in nlp.pipeline:
        if hasattr(component, "pipe"):
            docs, seconds[name] = _cpu(lambda c=component, d=docs: list(c.pipe(d, batch_size=64)))
        else:
            docs, seconds[name] = _cpu(lambda c=component, d=docs: [c(doc) for doc in d])
    return dict(seconds), docs


def measure(docs: int) -> dict:
    source = corpus_path(CORPUS)
    if source is None:
        skip(f"{CORPUS} not found under ../shared/corpora")
    with tempfile.TemporaryDirectory(prefix="dateline-worker-cpu-") as folder:
        path = Path(folder) / "articles.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in read_jsonl(source, docs)),
                        encoding="utf-8")
        items, _ = read_files([str(path)], path.stat().st_size + 1)
        raw, _ = parse_inputs(items)
    reference = load_reference()
    model = Settings().model
    normalize_documents(raw.head(3), reference.boilerplate_rules, today=TODAY)  # py3langid's model loads once
    normalized, normalize_cpu = _cpu(normalize_documents, raw, reference.boilerplate_rules, today=TODAY)
    frame = normalized.select("document_key", "body").filter(pl.col("body").str.len_chars() > 0)
    texts = frame.get_column("body").to_list()

    bare, bare_load = _cpu(spacy.load, model)
    list(bare.pipe(texts[:3]))  # warm-up
    bare_components, _ = _by_component(bare, texts)
    _, bare_pipe = _cpu(lambda: [doc for doc in bare.pipe(texts, batch_size=64)])

    (nlp, lexicon), pipeline_load = _cpu(lambda: (load_nlp(model), load_lexicon()))
    list(nlp.pipe(texts[:3]))
    pipeline_components, parsed = _by_component(nlp, texts)

    def rows() -> None:
        for (key, text), doc in zip(frame.iter_rows(), parsed, strict=True):
            doc_events(key, doc, doc_mentions(key, doc), lexicon, text=text)

    _, rows_cpu = _cpu(rows)
    extracted, extract_cpu = _cpu(extract_documents, nlp, frame, lexicon=lexicon, batch_size=64)
    documents = normalized.select("document_key", "published_date", "published_precision").with_columns(
        source_key=pl.lit("s"))
    aliases = reference.alias_rows()
    resolve_mentions(extracted.mentions.head(50), extracted.event_mentions.head(50), documents, aliases, Known())
    _, resolve_cpu = _cpu(resolve_mentions, extracted.mentions, extracted.event_mentions, documents, aliases,
                          Known())

    def rounded(values: dict[str, float]) -> dict[str, float]:
        return {name: round(value, 2) for name, value in values.items()}

    return {
        "docs": len(texts),
        "bare_pipe_cpu": round(bare_pipe, 2),
        "bare_components_cpu": rounded(bare_components),
        "bare_load_cpu": round(bare_load, 2),
        "pipeline_components_cpu": rounded(pipeline_components),
        "pipeline_model_pass_cpu": round(sum(pipeline_components.values()), 2),
        "rows_cpu": round(rows_cpu, 2),
        "extract_documents_cpu": round(extract_cpu, 2),
        "ratio_bare_vs_extract_cpu": round(bare_pipe / extract_cpu, 3),
        "pipeline_load_cpu": round(pipeline_load, 2),
        "normalize_cpu": round(normalize_cpu, 2),
        "resolve_cpu": round(resolve_cpu, 2),
        "mentions": extracted.mentions.height,
        "event_mentions": extracted.event_mentions.height,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker_cpu", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300, help="articles to take from the corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = measure(args.docs)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
