"""Near-duplicate detection: threshold curve on real same-story pairs, and precision/recall/time at scale.

    python -m benchmarks.dedup [--sizes 10000 50000] [--seed 7] [--json] [--markdown benchmarks/DEDUP.md]

(1) The curve: for thresholds 0.2 … 0.9 of the verified Jaccard (5-word shingles), how many links
the deduplicator makes on BASIL (50 stories × 3 outlets: every link is false), how many SemEval-2022
Task 8 pairs (human-rated similar-but-different articles) reach the threshold per rating band, how
many injected near copies stay above it (recall), and how many natural links appear in allsides.

(2) Scale: corpora of N documents built from ``news_allsides_2018_2019.jsonl`` — real articles first
(minus those that already have a near twin in the corpus, so every duplicate is a known one), then
synthetic articles of 12–30 paragraphs (8–120 words each) drawn from the pool of the real articles'
paragraphs, each paragraph once per shuffled pass — plus
10% exact copies (same body, other boilerplate, title, id and date) and 10% near copies (seeded edits:
a paragraph cut, a sentence dropped, 1–5% of words replaced, a wire dateline added, a closing line
added; boilerplate lines added). Every record goes through ``parse_inputs`` and
``normalize_documents``; ``deduplicate`` alone is timed. Precision = links whose two documents come
from the same base ÷ links; recall = injected copies that end up in their base's group ÷ copies.
Skips with a message when a corpus is absent.
"""

import argparse
import json
import time
from pathlib import Path

import polars as pl
from datasketch import MinHashLSH
from dateline.flows.sources import input_kind
from dateline.transforms.deduplicate import (
    NEAR_THRESHOLD,
    NUM_PERM,
    _lsh_threshold,
    deduplicate,
    jaccard,
    shingle_sets,
)
from dateline.transforms.ingest import InputBytes, parse_inputs
from dateline.transforms.normalize import normalize_documents
from dateline.transforms.reference import load_reference

from benchmarks.common import ROOT, corpus_path, skip
from benchmarks.dedup_corpus import build_corpus

ALLSIDES = "news_allsides_2018_2019.jsonl"
BASIL = "basil_same_story_dev.jsonl"
SEMEVAL = "semeval2022_t8_en_pairs_dev.csv"
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# Loose enough to catch every reprint we could mistake for an injected copy's false positive.
TWIN_THRESHOLD = 0.3
def load(path: Path) -> pl.DataFrame:
    """A record file through the real ingest and normalize steps (title, body, hash, dates)."""
    raw, _ = parse_inputs([InputBytes(str(path), input_kind(str(path)), path.read_bytes())])
    return raw.select("document_key", "document_id", "extra").join(
        normalize_documents(raw, load_reference().boilerplate_rules), on="document_key"
    )


# --- (2) corpora with injected copies ---------------------------------------------------------------------


def base_pool(allsides: pl.DataFrame, links: pl.DataFrame) -> tuple[list[dict], list[str], int]:
    """Real articles without a near twin (``links`` at TWIN_THRESHOLD) in the corpus, and their paragraph pool."""
    twins = set(links.filter(pl.col("duplicate_of_key").is_not_null()).get_column("document_key"))
    twins |= set(links.get_column("duplicate_of_key").drop_nulls())
    clean = allsides.filter(~pl.col("document_key").is_in(list(twins)) & (pl.col("word_count") > 50)).sort(
        "document_key"
    )
    articles = [
        {"title": r["title"], "body": r["body"], "published": r["published_date"]}
        for r in clean.select("title", "body", "published_date").iter_rows(named=True)
    ]
    # 8–120 words: some allsides articles are one giant paragraph (transcripts), and two synthetic
    # articles drawing it would be true near-duplicates of each other, not false links.
    paragraphs = [p for a in articles for p in a["body"].split("\n\n") if 8 <= len(p.split()) <= 120]
    return articles, paragraphs, len(twins)


def score(docs: pl.DataFrame, result: pl.DataFrame, group: dict[str, int], kind: dict[str, str]) -> dict:
    """Precision over links, recall over injected copies (overall and per kind)."""
    ids = dict(docs.select("document_key", "document_id").iter_rows())
    head = {r[0]: r[1] or r[0] for r in result.select("document_key", "duplicate_of_key").iter_rows()}
    linked = result.filter(pl.col("duplicate_of_key").is_not_null())
    correct = sum(
        group[ids[k]] == group[ids[d]]
        for k, d in linked.select("document_key", "duplicate_of_key").iter_rows()
    )
    base_key = {group[ids[k]]: k for k in ids if kind[ids[k]] == "base"}
    found = {"exact": 0, "near": 0}
    total = {"exact": 0, "near": 0}
    for key, doc_id in ids.items():
        if kind[doc_id] == "base":
            continue
        total[kind[doc_id]] += 1
        found[kind[doc_id]] += head[key] == head[base_key[group[doc_id]]]
    return {
        "links": linked.height,
        "precision": round(correct / linked.height, 4) if linked.height else 1.0,
        "recall": round(sum(found.values()) / sum(total.values()), 4),
        "recall_exact": round(found["exact"] / total["exact"], 4),
        "recall_near": round(found["near"] / total["near"], 4),
        "false_links": linked.height - correct,
    }


def run_size(
    size: int, articles: list[dict], paragraphs: list[str], seed: int, repeat: int
) -> tuple[dict, list[float]]:
    data, group, kind = build_corpus(size, articles, paragraphs, seed)
    start = time.perf_counter()
    raw, bad = parse_inputs([InputBytes(f"synthetic_{size}.jsonl", "jsonl", data)])
    normalized = raw.select("document_key", "document_id").join(normalize_documents(raw, load_reference().boilerplate_rules), on="document_key")
    prepared = time.perf_counter() - start
    # Best of ``repeat`` runs: the machine is shared, and the minimum is the run least disturbed by others.
    timings = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = deduplicate(normalized)
        timings.append((time.perf_counter() - start, time.process_time() - cpu))
    seconds, cpu_seconds = min(t[0] for t in timings), min(t[1] for t in timings)
    row = {
        "documents": normalized.height,
        "quarantined": bad.height,
        "ingest_normalize_seconds": round(prepared, 2),
        "dedup_seconds": round(seconds, 2),
        "dedup_cpu_seconds": round(cpu_seconds, 2),
    } | score(normalized, result, group, kind)
    # similarity of each near copy to its base, for the curve
    ids = dict(normalized.select("document_id", "body").iter_rows())
    pairs = [(ids[d], ids[f"b{group[d]}"]) for d, k in kind.items() if k == "near"]
    sets = shingle_sets([t for pair in pairs for t in pair])
    near_sims = [jaccard(sets[2 * i], sets[2 * i + 1]) for i in range(len(pairs))]
    return row, near_sims


# --- (1) the curve ------------------------------------------------------------------------------------------


def semeval_similarities(path: Path) -> pl.DataFrame:
    pairs = pl.read_csv(path).select("pair_id", "Overall", "text1", "text2").fill_null("")
    sets = shingle_sets(pairs.get_column("text1").to_list() + pairs.get_column("text2").to_list())
    n = pairs.height
    return pairs.with_columns(jaccard=pl.Series([jaccard(sets[i], sets[n + i]) for i in range(n)]))


def curve(
    basil: pl.DataFrame, semeval: pl.DataFrame, near_sims: list[float], natural: pl.DataFrame
) -> list[dict]:
    """One row per threshold; allsides links are those of the TWIN_THRESHOLD run with similarity ≥ t."""
    rows = []
    bands = {
        "same_story_1_1.5": (1.0, 1.5),
        "similar_1.5_2.5": (1.5, 2.5),
        "different_2.5_3.5": (2.5, 3.5),
        "unrelated_3.5_4": (3.5, 4.01),
    }
    for t in THRESHOLDS:
        row = {
            "threshold": t,
            "basil_false_links": deduplicate(basil, threshold=t)
            .get_column("duplicate_of_key")
            .drop_nulls()
            .len(),
        }
        for name, (low, high) in bands.items():
            band = semeval.filter((pl.col("Overall") >= low) & (pl.col("Overall") < high))
            row[f"semeval_{name}"] = f"{band.filter(pl.col('jaccard') >= t).height}/{band.height}"
        row["injected_near_recall"] = (
            round(sum(s >= t for s in near_sims) / len(near_sims), 4) if near_sims else None
        )
        row["allsides_natural_links"] = (
            natural.filter(pl.col("similarity") >= t).height if t >= TWIN_THRESHOLD else "n/a"
        )
        rows.append(row)
    return rows


def lsh_profile() -> dict:
    """Bands, rows and the chance that a pair at the threshold (and at 0.5) becomes a candidate."""
    index = MinHashLSH(threshold=_lsh_threshold(NEAR_THRESHOLD), num_perm=NUM_PERM)
    bands, rows = index.b, index.r
    return {
        "bands": bands,
        "rows": rows,
        "p_at_threshold": round(1 - (1 - NEAR_THRESHOLD**rows) ** bands, 3),
        "p_at_0.5": round(1 - (1 - 0.5**rows) ** bands, 3),
    }


def markdown(report: dict) -> str:
    lines = [
        "# Near-duplicate threshold and scale (measured by `python -m benchmarks.dedup`)",
        "",
        f"Similarity = true Jaccard of 5-word shingle sets of the normalized bodies (MinHash LSH only proposes "
        f"candidates). Chosen threshold: **{report['threshold']}**.",
        "",
        "| threshold | BASIL links (all false, 150 docs) | SemEval ≥ t: same story (1–1.5) | similar (1.5–2.5) "
        "| different (2.5–3.5) | unrelated (3.5–4) | injected near copies ≥ t (recall) | allsides natural links |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["curve"]:
        lines.append(
            f"| {r['threshold']} | {r['basil_false_links']} | {r['semeval_same_story_1_1.5']} | {r['semeval_similar_1.5_2.5']} "
            f"| {r['semeval_different_2.5_3.5']} | {r['semeval_unrelated_3.5_4']} | {r['injected_near_recall']} "
            f"| {r['allsides_natural_links']} |"
        )
    q = report["similarity_quantiles"]
    zone = report["natural_zone"]
    lsh = report["lsh"]
    below = [r["similarity"] for r in zone if r["similarity"] < report["threshold"]]
    above = [r["similarity"] for r in zone if r["similarity"] >= report["threshold"]]
    lines += [
        "",
        f"**Why {report['threshold']}.** Different articles about one story stay well below it: BASIL's closest "
        f"pair (same story, two outlets) is at {report['basil_max_jaccard']}, SemEval's highest pair below it at "
        f"{report['semeval_max_below']} — its pair above is two scraped copies of one paywall form, a real text "
        f"duplicate (quoted below) — and the allsides pairs below it ({', '.join(f'{s:.3f}' for s in below) or 'none'}) "
        "are, on reading "
        "them (table at the end), different articles on one topic. The allsides pairs from "
        f"{min(above):.3f} up are the same text republished (wire copy with an outlet's edits, an updated "
        f"explainer, one transcript on two pages), and injected edited copies start at {q['min']}. The threshold "
        "sits in that gap, and keeps the reprints between it and 0.5 that a higher one would drop. LSH proposes "
        f"candidates with {lsh['bands']} bands of {lsh['rows']} rows: a pair at the threshold is proposed with "
        f"p = {lsh['p_at_threshold']}, at 0.5 with p = {lsh['p_at_0.5']}; every proposal is verified by the true "
        "Jaccard before a link is made.",
    ]
    lines += [
        "",
        f"Highest Jaccard of two different BASIL articles: {report['basil_max_jaccard']}; of a SemEval pair: "
        f"{report['semeval_top']}. Injected near copies vs their original: min {q['min']}, 1st percentile {q['p01']}, "
        f"median {q['median']}.",
        "",
        *[
            f"SemEval pair {r['pair_id']} (Overall {r['Overall']:.2f}) reaches {r['jaccard']:.3f}: "
            f"text 1 “{r['text1'].strip()[:110]}…”, text 2 “{r['text2'].strip()[:110]}…”."
            for r in report["semeval_above"]
        ],
        "",
        "| corpus | documents | exact copies recall | near copies recall | precision | false links "
        "| dedup seconds (wall) | dedup CPU seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["sizes"]:
        lines.append(
            f"| {r['size']} | {r['documents']} | {r['recall_exact']} | {r['recall_near']} | {r['precision']} "
            f"| {r['false_links']} | {r['dedup_seconds']} | {r['dedup_cpu_seconds']} |"
        )
    if report.get("time_ratio") is not None:
        lines += [
            "",
            f"Time ratio {report['sizes'][-1]['size']} / {report['sizes'][0]['size']}: "
            f"**{report['time_ratio']}** wall, {report['cpu_time_ratio']} CPU, for {report['size_ratio']}× "
            "the documents (goal ≤ 6).",
        ]
    lines += [
        "",
        "Allsides pairs linked at Jaccard ≥ 0.3 but below 0.6 (the zone where the threshold is chosen; "
        "the allsides links above 0.6 are reprints of one text too):",
        "",
        "| Jaccard | title | linked to |",
        "|---|---|---|",
        *[f"| {r['similarity']:.3f} | {r['title']} | {r['linked_title']} |" for r in report["natural_zone"]],
        "",
        report["note"],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=3, help="time deduplicate this many times per size, keep the best"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--markdown", type=Path, help="write the curve and results as Markdown to this file")
    args = parser.parse_args(argv)

    paths = {name: corpus_path(name) for name in (ALLSIDES, BASIL, SEMEVAL)}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        skip(f"corpora {', '.join(missing)} not found under {ROOT.parent / 'shared' / 'corpora'}")

    allsides = load(paths[ALLSIDES])
    basil = load(paths[BASIL])
    semeval = semeval_similarities(paths[SEMEVAL])
    natural = deduplicate(allsides, threshold=TWIN_THRESHOLD)
    articles, paragraphs, twins = base_pool(allsides, natural)

    sizes, near_sims = [], []
    for size in args.sizes:
        row, sims = run_size(size, articles, paragraphs, args.seed, args.repeat)
        sizes.append({"size": size} | row)
        near_sims = near_sims or sims
        print(f"size {size}: {row}", flush=True)

    basil_sets = shingle_sets(basil.get_column("body").to_list())
    basil_max = max(jaccard(a, b) for i, a in enumerate(basil_sets) for b in basil_sets[i + 1 :])
    ordered = sorted(near_sims)
    top = semeval.sort("jaccard", descending=True).head(2).rows(named=True)
    report = {
        "threshold": NEAR_THRESHOLD,
        "basil_documents": basil.height,
        "basil_false_links": deduplicate(basil).get_column("duplicate_of_key").drop_nulls().len(),
        "basil_max_jaccard": round(basil_max, 4),
        "semeval_top": "; ".join(
            f"{r['jaccard']:.3f} (pair {r['pair_id']}, Overall {r['Overall']:.2f})" for r in top
        ),
        "semeval_max_below": round(
            semeval.filter(pl.col("jaccard") < NEAR_THRESHOLD).get_column("jaccard").max(), 4
        ),
        "lsh": lsh_profile(),
        "semeval_above": semeval.filter(pl.col("jaccard") >= NEAR_THRESHOLD)
        .select("pair_id", "Overall", "jaccard", "text1", "text2")
        .to_dicts(),
        "similarity_quantiles": {
            "min": round(ordered[0], 4),
            "p01": round(ordered[len(ordered) // 100], 4),
            "median": round(ordered[len(ordered) // 2], 4),
        }
        if ordered
        else {"min": None, "p01": None, "median": None},
        "curve": curve(basil, semeval, near_sims, natural),
        "sizes": sizes,
        "time_ratio": round(sizes[-1]["dedup_seconds"] / sizes[0]["dedup_seconds"], 2)
        if len(sizes) > 1
        else None,
        "cpu_time_ratio": round(sizes[-1]["dedup_cpu_seconds"] / sizes[0]["dedup_cpu_seconds"], 2)
        if len(sizes) > 1
        else None,
        "size_ratio": round(sizes[-1]["size"] / sizes[0]["size"], 2) if len(sizes) > 1 else None,
        "natural_zone": natural.filter(pl.col("similarity") < 0.6)
        .join(allsides.select("document_key", "title"), on="document_key")
        .join(
            allsides.select(
                pl.col("document_key").alias("duplicate_of_key"), pl.col("title").alias("linked_title")
            ),
            on="duplicate_of_key",
        )
        .sort("similarity")
        .select("similarity", "title", "linked_title")
        .to_dicts(),
        "note": (
            f"Base pool: {len(articles)} allsides articles after removing {twins} that have a near twin "
            f"(Jaccard ≥ {TWIN_THRESHOLD}) in the corpus; corpora larger than the pool are filled with "
            f"synthetic articles of 12–30 paragraphs (8–120 words) drawn from it, each paragraph once per shuffled "
            f"pass. Seed {args.seed}; times are the best of {args.repeat} runs on a 2-core machine shared with other "
            "jobs (CPU seconds are the steadier figure)."
        ),
    }
    if args.markdown:
        args.markdown.write_text(markdown(report), encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=1, default=str))
    else:
        print(markdown(report))


if __name__ == "__main__":
    main()
