"""Write a gold folder (``articles.jsonl``, ``sentences.jsonl``, ``gold.jsonl``, the format of
``../shared/eval/events_dev``) from project label files, so ``dateline eval events --gold`` scores the
whole pipeline on them — by default on the test split, which the detector never trained on.

``python -m dateline.training.gold_folder OUT [--labels FILE]... [--corpus FILE] [--split test|train|all]``

The texts come from the corpus at run time; write OUT outside the repository (the labels are pointers,
the corpus licence does not allow copying its text into the project).
"""

import argparse
import json
import sys
from pathlib import Path

from dateline.training.events import read_jsonl

DEFAULT_CORPUS = Path("../shared/corpora/news_allsides_2018_2019.jsonl")


def write_gold_folder(label_files: list[Path], corpus: Path, out: Path, split: str = "test") -> dict:
    """Write the three files for the labelled sentences of ``split`` ("all" for every one); returns counts."""
    rows = [row for path in label_files for row in read_jsonl(path)
            if split == "all" or row.get("split", "train") == split]
    wanted = {row["record_id"] for row in rows}
    records = {}
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in wanted:
                records[record["id"]] = record
    missing = wanted - set(records)
    if missing:
        raise ValueError(f"{len(missing)} labelled records are not in {corpus} (e.g. {sorted(missing)[0]})")
    out.mkdir(parents=True, exist_ok=True)
    with (out / "articles.jsonl").open("w", encoding="utf-8") as articles:
        for record_id in sorted(wanted):
            record = records[record_id]
            articles.write(json.dumps({"id": record_id, "title": record.get("title"), "text": record["text"],
                                       "published": record.get("date"), "source": record.get("source")}) + "\n")
    with (out / "sentences.jsonl").open("w", encoding="utf-8") as sentences, \
            (out / "gold.jsonl").open("w", encoding="utf-8") as gold:
        for row in rows:
            sid = f"{row['record_id']}@{row['start']}-{row['end']}"
            text = records[row["record_id"]]["text"][row["start"]:row["end"]]
            sentences.write(json.dumps({"sid": sid, "document_id": row["record_id"], "published": row["published"],
                                        "sentence": text}) + "\n")
            gold.write(json.dumps({"sid": sid, "events": row["events"]}) + "\n")
    return {"articles": len(wanted), "sentences": len(rows), "events": sum(len(r["events"]) for r in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dateline.training.gold_folder", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--labels", type=Path, action="append",
                        help="label files (default: training/labels/batch*.jsonl)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", choices=("test", "train", "all"), default="test")
    args = parser.parse_args(argv)
    labels = args.labels or sorted(Path("training/labels").glob("batch*.jsonl"))
    try:
        counts = write_gold_folder(labels, args.corpus, args.out, args.split)
    except (OSError, ValueError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
