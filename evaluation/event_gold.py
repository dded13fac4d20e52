"""Sentence-level event gold (a folder of ``sentences.jsonl`` + ``gold.jsonl``): Dateline's own scorer.

The figures are those of the reference scorer (``../shared/eval/score_events.py``, annotation guide
``../shared/eval/EVENT_GUIDE.md``), with the same rules, so a user's own annotated sentences give
figures comparable with the project's:

* each gold sentence is located in the stored body of its document (the canonical copy's body for a
  duplicate); the event mentions whose trigger starts inside it are its predictions; sentences that
  cannot be located are not scored;
* predictions and gold events of the same type are paired one-to-one, greedily by
  2 × (trigger words overlap) + (actor1 agrees) + (actor2 agrees);
* precision = matched / predicted, recall = matched / gold; among matched pairs, actor1, actor2,
  modality and date accuracy; ``fully_correct`` = matched with both actors, modality and date right
  (a gold event without a date accepts any predicted date).

On top of the reference: predictions below a confidence can be dropped before scoring
(``min_confidence``), and ``curve`` scores one warehouse at many thresholds.
"""

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

STOP = {"the", "of", "and", "a", "an", "mr", "mrs", "ms", "dr", "president", "sen", "senator", "rep",
        "minister", "prime", "leader", "secretary", "gov", "governor", "former", "s", "'s", "’s", "us"}
US = {"us", "u.s.", "u.s", "america", "united states", "the united states", "washington", "usa", "american",
      "americans", "the us", "the u.s."}
# Where a date of that gold precision must agree (characters of the ISO date: yyyy-mm-dd, yyyy-mm, yyyy).
DATE_CUT = {"day": 10, "week": 7, "month": 7, "year": 4}
CURVE_THRESHOLDS = tuple(round(0.1 * i, 1) for i in range(10))
GOLD_FILES = ("sentences.jsonl", "gold.jsonl")


def norm_tokens(text: str | None) -> set[str]:
    """Lowercased word tokens of two or more characters, titles and function words left out."""
    return {t for t in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(t) > 1 and t not in STOP}


def same_actor(gold: str | None, names: list[str]) -> bool:
    """Whether a predicted actor (its entity's canonical name and aliases; [] for none) is the gold one.

    No gold actor wants no predicted actor. Otherwise: both name the United States, or one name
    contains the other (names over two characters), or they share a word.
    """
    if not gold:
        return not names
    if not names:
        return False
    g = gold.strip().lower()
    lowered = [n.lower() for n in names if n]
    if g in US and any(n in US for n in lowered):
        return True
    if any(g == n or g in n or n in g for n in lowered if len(n) > 2):
        return True
    gold_tokens = norm_tokens(gold)
    return any(gold_tokens & norm_tokens(n) for n in lowered)


def date_ok(gold_date: str | None, gold_precision: str | None, predicted) -> bool:
    """A predicted date agrees with the gold date at the gold's precision; any date is fine when gold has none."""
    if not gold_date:
        return True
    if not predicted:
        return False
    cut = DATE_CUT.get(gold_precision or "day", 10)
    return str(predicted)[:cut] == gold_date[:cut]


def read_jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_gold_folder(folder: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    """(sentences, gold events by sentence id) of a gold folder; FileNotFoundError names a missing file."""
    folder = Path(folder)
    for name in GOLD_FILES:
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name} not found (a gold folder holds {', '.join(GOLD_FILES)})")
    sentences = read_jsonl(folder / "sentences.jsonl")
    gold_by_sid = {row["sid"]: row["events"] for row in read_jsonl(folder / "gold.jsonl")}
    return sentences, gold_by_sid


def match(preds: list[dict], golds: list[dict]) -> list[tuple[int, int]]:
    """One-to-one (prediction index, gold index) pairs of the same type; trigger overlap first, then actors."""
    scored = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if p["type"] != g["type"]:
                continue
            trigger = bool(norm_tokens(p["trigger"]) & norm_tokens(g.get("trigger"))) or \
                (p["trigger"] or "").lower() in (g.get("trigger") or "").lower()
            actors = same_actor(g.get("actor1"), p["actor1"]) + same_actor(g.get("actor2"), p["actor2"])
            scored.append((-(2 * trigger + actors), i, j))
    pairs, used_p, used_g = [], set(), set()
    for _, i, j in sorted(scored):
        if i not in used_p and j not in used_g:
            pairs.append((i, j))
            used_p.add(i)
            used_g.add(j)
    return pairs


def load_predictions(con: duckdb.DuckDBPyConnection, sentences: list[dict]) -> dict[str, list[dict]]:
    """Event mentions of each located gold sentence (sid → predictions, in the warehouse's row order)."""
    ids = sorted({s["document_id"] for s in sentences})
    docs = con.execute(
        """select d.document_id, coalesce(c.document_key, d.document_key), coalesce(c.body, d.body)
           from dim_document d left join dim_document c on c.document_key = d.duplicate_of_key
           where d.document_id in (select unnest(?::varchar[]))""", [ids]).fetchall()
    body = {doc_id: (key, text) for doc_id, key, text in docs}
    names = {}
    for key, name, aliases in con.execute("select entity_key, canonical_name, aliases from dim_entity").fetchall():
        names[key] = [name] + list(aliases or [])
    rows = con.execute(
        """select m.document_key, m.start_char, m.event_code, m.trigger, m.modality, m.actor1_entity_key,
                  m.actor2_entity_key, m.mention_date, m.date_precision, m.sentence, m.confidence
           from fact_event_mention m
           where m.document_key in (select unnest(?::varchar[]))""",
        [[k for k, _ in body.values()]]).fetchall()
    by_doc = defaultdict(list)
    for key, start, code, trigger, modality, a1, a2, date, precision, sentence, confidence in rows:
        by_doc[key].append({"start": start, "type": code, "trigger": trigger, "modality": modality,
                            "actor1": names.get(a1, []), "actor2": names.get(a2, []),
                            "date": date, "date_precision": precision, "sentence": sentence,
                            "confidence": confidence})
    located = {}
    for s in sentences:
        if s["document_id"] not in body:
            continue
        key, text = body[s["document_id"]]
        pattern = r"\s+".join(map(re.escape, s["sentence"].split()))
        found = re.search(pattern, text)
        if found:
            located[s["sid"]] = [p for p in by_doc[key] if found.start() <= p["start"] < found.end()]
    return located


def at_confidence(located: dict[str, list[dict]], min_confidence: float | None) -> dict[str, list[dict]]:
    """The predictions whose confidence is at least ``min_confidence`` (all of them for None)."""
    if min_confidence is None:
        return located
    return {sid: [p for p in preds if (p["confidence"] or 0.0) >= min_confidence] for sid, preds in located.items()}


def score(located: dict[str, list[dict]], gold_by_sid: dict[str, list[dict]], n_sentences: int,
          errors: int = 0) -> dict:
    """The reference scorer's figures (same keys, same rounding) for located predictions against gold."""
    tp = fp = fn = 0
    per_type: dict[str, Counter] = defaultdict(Counter)
    fields: Counter = Counter()
    examples = []
    for sid, preds in located.items():
        golds = gold_by_sid.get(sid, [])
        pairs = match(preds, golds)
        tp += len(pairs)
        fp += len(preds) - len(pairs)
        fn += len(golds) - len(pairs)
        for p in preds:
            per_type[p["type"]]["predicted"] += 1
        for g in golds:
            per_type[g["type"]]["gold"] += 1
        for i, j in pairs:
            p, g = preds[i], golds[j]
            per_type[p["type"]]["matched"] += 1
            a1 = same_actor(g.get("actor1"), p["actor1"])
            a2 = same_actor(g.get("actor2"), p["actor2"])
            modality = p["modality"] == g.get("modality")
            dated = date_ok(g.get("date"), g.get("date_precision"), p["date"])
            fields["actor1"] += a1
            fields["actor2"] += a2
            fields["modality"] += modality
            fields["date"] += dated
            fields["dated_gold"] += bool(g.get("date"))
            fields["dated_gold_ok"] += bool(g.get("date")) and dated
            fields["spurious_date"] += (not g.get("date")) and p["date"] is not None
            fields["fully_correct"] += a1 and a2 and modality and dated
        if errors:
            matched_p = {i for i, _ in pairs}
            matched_g = {j for _, j in pairs}
            examples += [{"sid": sid, "kind": "false positive", "type": p["type"], "trigger": p["trigger"],
                          "sentence": p["sentence"][:200]} for i, p in enumerate(preds) if i not in matched_p]
            examples += [{"sid": sid, "kind": "missed", "type": g["type"], "trigger": g.get("trigger")}
                         for j, g in enumerate(golds) if j not in matched_g]
    predicted, gold = tp + fp, tp + fn
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0

    def share(count: int, total: int):
        return round(count / total, 3) if total else None

    out = {
        "sentences": n_sentences, "located": len(located), "gold_events": gold, "predicted": predicted,
        "matched": tp, "precision": round(precision, 3), "recall": round(recall, 3),
        "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
        "actor1_acc": share(fields["actor1"], tp),
        "actor2_acc": share(fields["actor2"], tp),
        "modality_acc": share(fields["modality"], tp),
        "date_acc_on_dated_gold": share(fields["dated_gold_ok"], fields["dated_gold"]),
        "spurious_dates": fields["spurious_date"],
        "fully_correct": fields["fully_correct"],
        "fully_correct_per_predicted": round(fields["fully_correct"] / predicted, 3) if predicted else 0.0,
        "fully_correct_per_gold": round(fields["fully_correct"] / gold, 3) if gold else 0.0,
        "per_type": {t: dict(c) for t, c in sorted(per_type.items())},
    }
    if errors:
        out["errors"] = examples[:errors]
    return out


def curve(located: dict[str, list[dict]], gold_by_sid: dict[str, list[dict]], n_sentences: int,
          thresholds: tuple[float, ...] = CURVE_THRESHOLDS) -> list[dict]:
    """Precision, recall, F1 and fully-correct rates at each confidence threshold (one warehouse, many cuts)."""
    points = []
    for threshold in thresholds:
        result = score(at_confidence(located, threshold), gold_by_sid, n_sentences)
        points.append({"min_confidence": threshold, **{k: result[k] for k in (
            "predicted", "matched", "precision", "recall", "f1", "fully_correct", "fully_correct_per_predicted",
            "fully_correct_per_gold")}})
    return points


def evaluate_gold_folder(folder: Path, warehouse: Path, min_confidence: float | None = None,
                         with_curve: bool = False, errors: int = 0) -> dict:
    """Score a warehouse (holding a run over the folder's ``articles.jsonl``) against the folder's gold.

    The warehouse is opened read-only. ``min_confidence`` drops predictions below it before scoring;
    ``with_curve`` adds ``curve``: the figures at thresholds 0.0, 0.1, …, 0.9.
    """
    sentences, gold_by_sid = read_gold_folder(folder)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        located = load_predictions(con, sentences)
    finally:
        con.close()
    result = score(at_confidence(located, min_confidence), gold_by_sid, len(sentences), errors)
    if min_confidence is not None:
        result["min_confidence"] = min_confidence
    if with_curve:
        result["curve"] = curve(located, gold_by_sid, len(sentences))
    return result
