"""Agreement of two annotations of the same sentences, scored as the reference scorer scores a system.

``python -m training.agreement training/labels/batch1.jsonl training/labels/agreement/batch1b.jsonl``
treats the first file's events as predictions and the second's as gold (``score_events.py
--agreement``), over the sentences both annotated (label files: ``record_id``, ``start``, ``end``).
"""

import json
import sys
from pathlib import Path

from dateline.evaluation.event_gold import score
from dateline.training.events import label_file_sentences


def agreement(first: Path, second: Path) -> dict:
    """The scorer's figures for ``first`` read as predictions against ``second`` as gold."""
    a = {s.sid: s.events for s in label_file_sentences(first)}
    b = {s.sid: s.events for s in label_file_sentences(second)}
    common = [sid for sid in b if sid in a]
    as_predicted = {
        sid: [{"type": e["type"], "trigger": e.get("trigger"), "modality": e.get("modality"),
               "actor1": [e["actor1"]] if e.get("actor1") else [], "actor2": [e["actor2"]] if e.get("actor2") else [],
               "date": e.get("date"), "date_precision": e.get("date_precision"), "sentence": "", "confidence": 1.0}
              for e in a[sid]]
        for sid in common
    }
    return score(as_predicted, b, len(common))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m training.agreement FIRST.jsonl SECOND.jsonl\n")
        return 2
    result = agreement(Path(argv[0]), Path(argv[1]))
    sys.stdout.write(json.dumps({k: v for k, v in result.items() if k != "per_type"}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
