"""Train the event detector (``transforms/event_detector.py``) from sentence gold.

Gold comes in two shapes, both by ``../shared/eval/EVENT_GUIDE.md``:

* a gold folder (``sentences.jsonl`` with ``sid, document_id, sentence`` and ``gold.jsonl`` with
  ``sid, events``), such as ``../shared/eval/events_train``;
* label files of the project (``training/labels/*.jsonl``): pointers into a corpus record —
  ``record_id``, ``start``, ``end`` (character offsets of the sentence in the record's ``text``) and
  the ``events`` — never the corpus text itself, which is read from the corpus at training time.

Each article is parsed once by the production pipeline (``flows.nlp.load_nlp``: the model and
Dateline's entity components), every candidate word of an annotated sentence becomes one example
(labelled with the type of the gold trigger it heads, else NONE), and a multinomial logistic
regression is fitted. Cross-validation by article gives the out-of-fold probabilities from which the
calibration (raw probability → measured precision of the type, scored the way
``../shared/eval/score_events.py`` matches sentences) and the emission threshold are derived.
"""

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from dateline.transforms.event_detector import (
    ANY_TYPE,
    CANDIDATE_POS,
    NONE,
    REPEAT,
    EventDetector,
    LexiconPrior,
    LinearWeights,
    calibrate,
    is_content_word,
    mention_token_labels,
    repeat_flags,
    token_features,
)

TENSOR_SCALE = 0.5  # the tok2vec vector's weight against the binary features
MIN_LEMMA_COUNT = 1
# Sparse features whose largest weight is below this are dropped from the shipped model: at 0.02 they are
# 60 % of the features and the test split's precision and recall move by at most 0.002.
MIN_WEIGHT = 0.02
# A type is calibrated on its own out-of-fold detections when it has this many, this many of them right.
MIN_CALIBRATION_DETECTIONS = 30
MIN_CALIBRATION_RIGHT = 5
# The emission threshold is the highest whose cross-validated F1 is this close to the best one.
F1_TOLERANCE = 0.005


@dataclass
class Sentence:
    """One annotated sentence: where it is (record id, offsets, or its text to find) and its events."""

    sid: str
    record_id: str
    events: list[dict]
    text: str | None = None  # gold folders: the sentence as written, located in the record's text
    start: int | None = None  # label files: offsets in the record's text
    end: int | None = None
    split: str = "train"


@dataclass
class Example:
    sid: str
    record_id: str
    lemma: str
    features: list[str]
    tensor: np.ndarray
    label: str  # an event code, NONE, or "" (inside a gold trigger but not its head: not used)


@dataclass
class Dataset:
    examples: list[Example] = field(default_factory=list)
    gold: dict[str, list[str]] = field(default_factory=dict)  # sid → gold event codes
    unreachable: Counter = field(default_factory=Counter)  # gold events whose trigger has no candidate word


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold_folder_sentences(folder: Path) -> list[Sentence]:
    """Sentences of a gold folder (``sentences.jsonl`` + ``gold.jsonl``)."""
    gold = {row["sid"]: row["events"] for row in read_jsonl(folder / "gold.jsonl")}
    return [Sentence(sid=row["sid"], record_id=row["document_id"], events=gold.get(row["sid"], []),
                     text=row["sentence"]) for row in read_jsonl(folder / "sentences.jsonl")]


def label_file_sentences(path: Path) -> list[Sentence]:
    """Sentences of a project label file (pointers into the corpus)."""
    return [Sentence(sid=f"{row['record_id']}@{row['start']}-{row['end']}", record_id=row["record_id"],
                     events=row["events"], start=row["start"], end=row["end"], split=row.get("split", "train"))
            for row in read_jsonl(path)]


def read_corpus(path: Path, ids: set[str]) -> dict[str, str]:
    """The text of the corpus records named by ``ids``."""
    texts = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in ids:
                texts[record["id"]] = record["text"]
    return texts


def _locate(text: str, sentence: Sentence) -> tuple[int, int] | None:
    if sentence.start is not None:
        return sentence.start, sentence.end
    pattern = r"\s+".join(map(re.escape, (sentence.text or "").split()))
    found = re.search(pattern, text) if pattern else None
    return (found.start(), found.end()) if found else None


def _trigger_head(span_tokens: list):
    """The token that heads a gold trigger span: its syntactic root among the candidate parts of speech."""
    inside = {t.i for t in span_tokens}
    roots = [t for t in span_tokens if t.head.i not in inside or t.head is t]
    for token in roots + span_tokens:
        if token.pos_ in CANDIDATE_POS:
            return token
    return None


def lexicon_prior(triggers) -> LexiconPrior:
    """The trigger lexicon (TRIGGER_SCHEMA rows) as the detector's lexicon features read it."""
    prior: LexiconPrior = {}
    for row in triggers.iter_rows(named=True):
        prior.setdefault((row["lemma"], row["pos"]), []).append((row["code"], row["prep"] or None))
    return prior


def build_dataset(nlp, sentences: list[Sentence], texts: dict[str, str], prior: LexiconPrior | None = None,
                  batch_size: int = 16) -> Dataset:
    """Parse each article once and turn its annotated sentences into candidate examples."""
    from dateline.transforms.entities import doc_mentions

    by_record: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        if sentence.record_id in texts:
            by_record[sentence.record_id].append(sentence)
    records = sorted(by_record)
    data = Dataset()
    docs = nlp.pipe((texts[r] for r in records), batch_size=batch_size)
    for record_id, doc in zip(records, docs, strict=True):
        labels = mention_token_labels(doc, doc_mentions(record_id, doc))
        for sentence in by_record[record_id]:
            where = _locate(texts[record_id], sentence)
            if where is None:
                continue
            span = doc.char_span(where[0], where[1], alignment_mode="expand")
            if span is None:
                continue
            data.gold[sentence.sid] = [e["type"] for e in sentence.events]
            heads: dict[int, str] = {}
            ignored: set[int] = set()
            for event in sentence.events:
                tokens = _trigger_tokens(span, event.get("trigger"))
                head = _trigger_head(tokens) if tokens else None
                if head is None:
                    data.unreachable[event["type"]] += 1
                    continue
                heads.setdefault(head.i, event["type"])
                ignored |= {t.i for t in tokens}
            for token in span:
                if not is_content_word(token):
                    continue
                label = heads.get(token.i) or ("" if token.i in ignored else NONE)
                data.examples.append(Example(sentence.sid, record_id, token.lemma_.lower(),
                                             token_features(token, labels, prior), doc.tensor[token.i].copy(), label))
    return data


def _trigger_tokens(span, trigger: str | None) -> list:
    if not trigger:
        return []
    text = span.text
    pattern = r"\s+".join(map(re.escape, trigger.split()))
    found = re.search(pattern, text, flags=re.IGNORECASE)
    if not found:
        return []
    start = span.start_char + found.start()
    end = span.start_char + found.end()
    return [t for t in span if t.idx < end and t.idx + len(t.text) > start]


def candidate_lemmas(examples: list[Example], lexicon_lemmas: Iterable[str]) -> set[str]:
    counts = Counter(e.lemma for e in examples if e.label not in (NONE, ""))
    return {lemma for lemma, n in counts.items() if n >= MIN_LEMMA_COUNT} | set(lexicon_lemmas)


def fit(examples: list[Example], c: float = 1.0) -> LinearWeights:
    """Multinomial logistic regression over binary features and the scaled token vector."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [e for e in examples if e.label]
    vectorizer = DictVectorizer(dtype=np.float32)
    sparse = vectorizer.fit_transform([dict.fromkeys(e.features, 1.0) for e in rows])
    dense = np.vstack([e.tensor for e in rows]).astype(np.float32) * TENSOR_SCALE
    x = hstack([sparse, csr_matrix(dense)]).tocsr()
    y = [e.label for e in rows]
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(x, y)
    n_sparse = sparse.shape[1]
    coef = model.coef_.T.astype(np.float32)  # (features, classes)
    bias = model.intercept_.astype(np.float32)
    classes = list(model.classes_)
    if len(classes) == 2:  # sklearn stores one column (and one intercept) for a binary problem
        coef = np.hstack([-coef / 2, coef / 2])
        bias = np.concatenate([-bias / 2, bias / 2])
    keep = np.abs(coef[:n_sparse]).max(axis=1) > MIN_WEIGHT
    names = vectorizer.get_feature_names_out()
    return LinearWeights(classes=classes, features=[str(n) for n in names[keep]], weights=coef[:n_sparse][keep],
                         dense=coef[n_sparse:] * TENSOR_SCALE, bias=bias)


def predict(fitted: LinearWeights, examples: list[Example]) -> np.ndarray:
    """Class probabilities of examples, computed exactly as the shipped detector computes them."""
    detector = EventDetector(fitted, lemmas=(), calibration={ANY_TYPE: {"x": [0.0, 1.0], "y": [0.0, 1.0]}},
                             threshold=0.0)
    return detector.probabilities_of([e.features for e in examples], np.vstack([e.tensor for e in examples]))


def detections(fitted: LinearWeights, examples: list[Example]) -> list[tuple[str, str, float]]:
    """(sid, predicted code, raw probability) of each candidate, the most likely event type (never NONE)."""
    if not examples:
        return []
    probs = predict(fitted, examples)
    none = fitted.classes.index(NONE)
    probs[:, none] = -1.0
    best = probs.argmax(axis=1)
    return [(e.sid, fitted.classes[k], float(probs[i, k])) for i, (e, k) in enumerate(zip(examples, best, strict=True))]


def judged(found: list[tuple[str, str, float]], gold: dict[str, list[str]], threshold: float = 0.0):
    """Per detection at or above ``threshold``: (code, probability, right?), right meaning a same-type gold
    event is left to match in its sentence.

    Highest-probability detections claim gold events first, one-to-one per type, as the reference
    scorer matches a sentence.
    """
    kept = [d for d in found if d[2] >= threshold]
    return [(code, prob, right) for (_, code, prob), right in zip(kept, rightness(kept, gold), strict=True)]


def rightness(found: list[tuple[str, str, float]], gold: dict[str, list[str]]) -> list[bool]:
    """Per detection, in ``found``'s order: does it claim a gold event (see ``judged``)?"""
    right = [False] * len(found)
    for sid, rows in _rows_by_sentence(found).items():
        left = Counter(gold.get(sid, []))
        for i in sorted(rows, key=lambda i: -found[i][2]):
            code = found[i][1]
            right[i] = left[code] > 0
            left[code] -= right[i]
    return right


def _rows_by_sentence(found: list[tuple[str, str, float]]) -> dict[str, list[int]]:
    """sid → the indices of its detections in ``found``, in order."""
    by_sid: dict[str, list[int]] = defaultdict(list)
    for i, (sid, _, _) in enumerate(found):
        by_sid[sid].append(i)
    return by_sid


def repeats(found: list[tuple[str, str, float]]) -> list[bool]:
    """Per detection, in ``found``'s order (a sentence's detections in token order): is it a repeat
    (``transforms.event_detector.repeat_flags``)?"""
    flags = [False] * len(found)
    for rows in _rows_by_sentence(found).values():
        for i, flag in zip(rows, repeat_flags([found[i][1] for i in rows], [found[i][2] for i in rows]), strict=True):
            flags[i] = flag
    return flags


def sentence_match(found: list[tuple[str, str, float]], gold: dict[str, list[str]], threshold: float):
    """(probability, right?) of each detection at or above ``threshold`` (see ``judged``), and the gold total."""
    return [(prob, right) for _, prob, right in judged(found, gold, threshold)], sum(len(v) for v in gold.values())


def prf(pairs: list[tuple[float, bool]], n_gold: int) -> dict:
    tp = sum(r for _, r in pairs)
    p = tp / len(pairs) if pairs else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "predicted": len(pairs), "matched": tp, "gold": n_gold}


def calibration(pairs: list[tuple[float, bool]]) -> dict[str, list[float]]:
    """Isotonic map raw probability → share right, as interpolation knots."""
    from sklearn.isotonic import IsotonicRegression

    x = np.array([p for p, _ in pairs])
    y = np.array([float(r) for _, r in pairs])
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    knots = np.unique(np.concatenate([[0.0], iso.X_thresholds_, [1.0]]))
    return {"x": [round(float(v), 4) for v in knots], "y": [round(float(v), 4) for v in iso.predict(knots)]}


def type_calibrations(found: list[tuple[str, str, float]], gold: dict[str, list[str]]) -> dict[str, dict]:
    """Calibration knots per event type from out-of-fold detections (raw probabilities), ``ANY_TYPE`` for
    all of them together, and ``REPEAT`` for repeats.

    A type's raw probabilities mean different things (a DISAPPROVE at 0.4 is right less often than a
    CONSULT at 0.4), so each type with enough detections gets its own map. A repeat (a second detection
    of a type in one sentence) is right only when the sentence reports two such events, far less often
    than its type's map says, so its calibrated value goes through one more map, fitted on the repeats.
    """
    rows = judged(found, gold)
    knots = {ANY_TYPE: calibration([(prob, right) for _, prob, right in rows])}
    for code in sorted({code for code, _, _ in rows}):
        pairs = [(prob, right) for c, prob, right in rows if c == code]
        if len(pairs) >= MIN_CALIBRATION_DETECTIONS and sum(r for _, r in pairs) >= MIN_CALIBRATION_RIGHT:
            knots[code] = calibration(pairs)
    by_type = calibrated(found, knots)
    pairs = [(prob, right) for (_, _, prob), right, repeat in zip(by_type, rightness(by_type, gold), repeats(found),
                                                                  strict=True) if repeat]
    if len(pairs) >= MIN_CALIBRATION_DETECTIONS and sum(r for _, r in pairs) >= MIN_CALIBRATION_RIGHT:
        knots[REPEAT] = calibration(pairs)
    return knots


def calibrated(found: list[tuple[str, str, float]], knots: dict[str, dict]) -> list[tuple[str, str, float]]:
    """Detections with their raw probability replaced by the calibrated one (their type's map, then the
    repeat map for a repeat), exactly as ``EventDetector.detect`` computes a mention's confidence."""
    return [(sid, code, calibrate(knots, prob, code, repeat))
            for (sid, code, prob), repeat in zip(found, repeats(found), strict=True)]


def article_fold(record_id: str, folds: int = 5) -> int:
    """A stable fold of an article (cross-validation never splits one article's sentences)."""
    return int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % folds


T = TypeVar("T")


def article_folds(examples: Sequence[T], folds: int = 5) -> Iterator[tuple[list[T], list[T]]]:
    """(train, test) per fold of ``examples`` (anything with a ``record_id``), split by ``article_fold``."""
    for k in range(folds):
        yield ([e for e in examples if article_fold(e.record_id, folds) != k],
               [e for e in examples if article_fold(e.record_id, folds) == k])


def cross_validate(examples: list[Example], lexicon_lemmas: Iterable[str], c: float, folds: int = 5):
    """Out-of-fold detections (sid, code, raw probability), the model refitted on each other fold."""
    found = []
    for train, test in article_folds(examples, folds):
        lemmas = candidate_lemmas(train, lexicon_lemmas)
        fitted = fit([e for e in train if e.lemma in lemmas], c)
        found += detections(fitted, [e for e in test if e.lemma in lemmas])
    return found


def best_threshold(found, gold: dict[str, list[str]], grid=None) -> tuple[float, dict]:
    """The emission threshold and its figures over ``found``: the highest threshold of the grid whose F1 is
    within ``F1_TOLERANCE`` of the best (where F1 is flat, the raw table takes the more precise end)."""
    grid = grid or [round(x, 2) for x in np.arange(0.1, 0.91, 0.05)]
    scored = [(t, prf(*sentence_match(found, gold, t))) for t in grid]
    best = max(figures["f1"] for _, figures in scored)
    return max((ts for ts in scored if ts[1]["f1"] >= best - F1_TOLERANCE), key=lambda ts: ts[0])


@dataclass(frozen=True)
class TrainingSources:
    """Where the annotated sentences are: gold folders, project label files, and the corpus they point into."""

    gold_folders: list[Path]
    label_files: list[Path]
    corpus: Path


def train_detector(sources: TrainingSources, out: Path, model: str, c: float = 1.0) -> dict:
    """Train, cross-validate, calibrate and save the detector; returns what was measured.

    Label-file sentences marked ``"split": "test"`` are held out of training and scored at the end.
    """
    gold_folders, label_files, corpus = sources.gold_folders, sources.label_files, sources.corpus
    from dateline.flows.nlp import load_nlp
    from dateline.transforms.events import load_triggers

    sentences = [s for folder in gold_folders for s in gold_folder_sentences(folder)]
    sentences += [s for path in label_files for s in label_file_sentences(path)]
    texts = read_corpus(corpus, {s.record_id for s in sentences})
    missing = {s.record_id for s in sentences} - set(texts)
    triggers = load_triggers()
    prior = lexicon_prior(triggers)
    data = build_dataset(load_nlp(model), sentences, texts, prior)
    test_sids = {s.sid for s in sentences if s.split == "test"}
    train = [e for e in data.examples if e.sid not in test_sids]
    test = [e for e in data.examples if e.sid in test_sids]
    train_gold = {sid: codes for sid, codes in data.gold.items() if sid not in test_sids}
    lexicon_lemmas = triggers.get_column("lemma").to_list()
    found = cross_validate(train, lexicon_lemmas, c)
    # Calibrate per type on the out-of-fold detections, then emit those whose calibrated confidence
    # reaches the threshold that maximises F1: the raw table keeps them, the analyst views apply a stricter one.
    knots = type_calibrations(found, train_gold)
    threshold, cv = best_threshold(calibrated(found, knots), train_gold)
    lemmas = candidate_lemmas(train, lexicon_lemmas)
    fitted = fit([e for e in train if e.lemma in lemmas], c)
    test_found = calibrated(detections(fitted, [e for e in test if e.lemma in lemmas]), knots)
    test_gold = {sid: codes for sid, codes in data.gold.items() if sid in test_sids}
    about = {
        "trained_on": [str(p) for p in gold_folders] + [str(p) for p in label_files],
        "sentences": len(train_gold), "events": sum(map(len, train_gold.values())),
        "test_sentences": len(test_gold), "records_missing_from_corpus": len(missing),
        "unreachable_gold_triggers": dict(data.unreachable), "c": c,
        "cross_validated": cv,
        "cross_validated_curve": {str(t): prf(*sentence_match(calibrated(found, knots), train_gold, t))
                                  for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)},
        "test": prf(*sentence_match(test_found, test_gold, threshold)) if test_gold else None,
    }
    EventDetector(fitted, lemmas, knots, round(threshold, 4), prior).save(out, about)
    return about
