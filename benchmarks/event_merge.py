"""Cross-document event merging on news nobody here wrote: BASIL's same-story triplets.

    .venv/bin/python -m benchmarks.event_merge [--show 20]

``../shared/corpora/basil_same_story_dev.jsonl`` holds 50 stories, each reported by three outlets
(Fox, NYT, HuffPost; ``triplet_uuid`` names the story), with their publication dates. All 150 articles
run through Dateline's own extraction, entity resolution, date anchoring and merge at once
(``evaluation.events.run_events``, what a run into one warehouse does). Every pair of reports of one
merged event that come from two different documents is a cross-document link: a link between two
stories joins reports of different happenings (wrong, whatever the words); a link inside one story
may be right (the three outlets report the same happening) or not (a story's articles also mention
other events of the same actors), which ``--show`` prints for reading. Prints one JSON object.
"""

import argparse
import json
from itertools import combinations

import polars as pl
from dateline.evaluation.events import run_events
from dateline.flows.nlp import load_lexicon, load_nlp
from dateline.flows.settings import Settings

from benchmarks.common import corpus_path, read_jsonl, skip


def basil_documents(records: list[dict]) -> pl.DataFrame:
    """The articles as run_events reads them: key, body, publication day, outlet as source."""
    return pl.DataFrame(
        {
            "document_key": [r["uuid"] for r in records],
            "body": [r["text"] for r in records],
            "published_date": [r["date"] for r in records],
            "source_key": [r["source"].lower() for r in records],
        }
    ).with_columns(pl.col("published_date").str.to_date())


def cross_document_links(reports: pl.DataFrame, story_of: dict[str, str]) -> list[dict]:
    """Each pair of reports of one event from two documents, with whether the two documents share a story."""
    links = []
    for _, group in reports.sort("document_key", "start_char").group_by("event_key", maintain_order=True):
        rows = group.to_dicts()
        for a, b in combinations(rows, 2):
            if a["document_key"] != b["document_key"]:
                links.append({"same_story": story_of[a["document_key"]] == story_of[b["document_key"]],
                              "a": a, "b": b})
    return links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="Print this many same-story links to read.")
    args = parser.parse_args()
    path = corpus_path("basil_same_story_dev.jsonl")
    if path is None:
        skip("basil_same_story_dev.jsonl not found under ../shared/corpora")
    records = list(read_jsonl(path, 10_000))
    story_of = {r["uuid"]: r["triplet_uuid"] for r in records}
    events, reports, names = run_events(load_nlp(Settings().model), load_lexicon(), basil_documents(records))
    links = cross_document_links(reports, story_of)
    merged = reports.group_by("event_key").agg(pl.col("document_key").n_unique().alias("documents"))
    same = [link for link in links if link["same_story"]]
    for link in same[: args.show]:
        for side in ("a", "b"):
            row = link[side]
            actors = [names.get(row[k], "") for k in ("actor1_entity_key", "actor2_entity_key")]
            print(f"{side} {row['event_code']} {row['trigger']!r} {actors} {row['mention_date']} "
                  f"{row['date_precision']}: {row['sentence'][:160]!r}")
        print()
    print(json.dumps({
        "documents": len(records),
        "stories": len(set(story_of.values())),
        "event_reports": reports.height,
        "events": events.height,
        "multi_document_events": merged.filter(pl.col("documents") > 1).height,
        "cross_document_links": len(links),
        "links_within_a_story": len(same),
        "links_across_stories": len(links) - len(same),
    }))


if __name__ == "__main__":
    main()
