"""Train the context-actor fillers (``transforms/event_context_actors.py``) of actor1 and actor2 from sentence gold.

The gold is a gold folder (``articles.jsonl``, ``sentences.jsonl``, ``gold.jsonl``; ``python -m
dateline.training.gold_folder OUT --split train`` writes one from the project's label files, the texts read from
the corpus at run time). Each article of the train split (articles of the test fold, ``article_fold == 0``, are
left out whatever the folder holds) is parsed once by the production pipeline and its event mentions found by
``doc_events`` without the filler being trained (the actor2 filler's training runs the actor1 filler first, as
``doc_events`` does). A mention whose slot (actor1 or actor2) the rules leave empty and that is paired with a gold
event the way ``evaluation.event_gold`` pairs them becomes one example: its options (leave empty, each candidate),
the right one being the candidate whose names (the entity's canonical name and its mentions in the document) match
the gold actor of that slot, else leaving it empty. A conditional logit is fitted (L2, L-BFGS); cross-validation by
article gives the out-of-fold choices from which the threshold is set: the one that maximises right fills minus
wrong fills. ``train_context_actors`` parses each article once for both slots.
"""

import pickle
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dateline.training.events import article_fold, article_folds, read_jsonl
from dateline.transforms.event_context_actors import ContextActorModel, Options
from spacy.tokens import Doc

__all__ = ["Example", "best_threshold", "cross_validate", "fit", "gold_examples", "train_context_actors"]

FOLDS = 5
TEST_FOLD = 0
GRID = [round(x, 2) for x in np.arange(0.2, 0.91, 0.05)]


@dataclass(frozen=True)
class Example:
    """One mention with an empty slot: its options and which is right (0: leave empty, k: candidate k-1)."""

    record_id: str
    options: Options
    target: int
    gold_named: bool  # the gold names an actor in that slot (leaving it empty is wrong too)


def _matrix(examples: list[Example], vocabulary: dict[str, int]):
    from scipy.sparse import csr_matrix

    data, cols, indptr, bounds = [], [], [0], [0]
    for example in examples:
        for features in (example.options.empty, *(c.features for c in example.options.candidates)):
            for name, value in features.items():
                j = vocabulary.get(name)
                if j is not None:
                    cols.append(j)
                    data.append(value)
            indptr.append(len(cols))
        bounds.append(len(indptr) - 1)
    matrix = csr_matrix((data, cols, indptr), shape=(len(indptr) - 1, len(vocabulary)))
    return matrix, np.array(bounds)


def fit(examples: list[Example], c: float = 1.0) -> dict[str, float]:
    """Weights of a conditional logit over each example's options, L2 penalty 1/(2c)."""
    from scipy.optimize import minimize

    names = sorted({n for e in examples for f in (e.options.empty, *(x.features for x in e.options.candidates))
                    for n in f})
    vocabulary = {n: j for j, n in enumerate(names)}
    x, bounds = _matrix(examples, vocabulary)
    starts = bounds[:-1]
    sizes = np.diff(bounds)
    group = np.repeat(np.arange(len(examples)), sizes)
    targets = starts + np.array([e.target for e in examples])

    def loss(w):
        s = x @ w
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[group])
        z = np.add.reduceat(e, starts)
        p = e / z[group]
        value = -(s[targets] - top - np.log(z)).sum() + (w @ w) / (2 * c)
        p[targets] -= 1.0
        return value, x.T @ p + w / c

    w = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x
    return {n: round(float(v), 5) for n, v in zip(names, w, strict=True) if abs(v) >= 1e-5}


def cross_validate(examples: list[Example], c: float, folds: int = FOLDS) -> list[tuple[float, int, Example]]:
    """Out-of-fold choices (probability, chosen option, example), the model refitted without each fold."""
    out = []
    for train, test in article_folds(examples, folds):
        if not train or not test:
            continue
        model = ContextActorModel(fit(train, c), 0.0)
        for example in test:
            best, chance = model.choose(example.options)
            chosen = 0 if best is None else 1 + example.options.candidates.index(best)
            out.append((chance, chosen, example))
    return out


def gains(choices: list[tuple[float, int, Example]], threshold: float) -> dict:
    """What filling at ``threshold`` does: fills, right ones, wrong ones where the gold has no actor1 (which were
    right empty), and wrong ones where it names another."""
    filled = [(k, e) for p, k, e in choices if k > 0 and p >= threshold]
    right = sum(1 for k, e in filled if k == e.target)
    none = sum(1 for _, e in filled if not e.gold_named)
    return {"fills": len(filled), "right": right, "wrong_gold_none": none, "wrong_other": len(filled) - right - none,
            "right_minus_wrong": 2 * right - len(filled), "accuracy_gain": right - none}


def best_threshold(choices: list[tuple[float, int, Example]]) -> tuple[float, dict]:
    """The threshold maximising right fills minus wrong fills (the highest of the ties: fewer fills)."""
    scored = [(t, gains(choices, t)) for t in GRID]
    top = max(g["right_minus_wrong"] for _, g in scored)
    return max((tg for tg in scored if tg[1]["right_minus_wrong"] == top), key=lambda tg: tg[0])


def _names_by_start(index, options: Options) -> dict[int, list[str]]:
    """Names of each candidate: its entity's canonical name and every mention text of that entity in the document
    (what the warehouse's aliases of the resolved entity would hold)."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for row in index.rows:
        by_name[(row.get("canonical_name") or row["mention_text"]).strip().lower()].add(row["mention_text"])
        if row.get("canonical_name"):
            by_name[row["canonical_name"].strip().lower()].add(row["canonical_name"])
    out = {}
    for c in options.candidates:
        names = set(by_name.get(c.name, ())) | {c.name}
        for key, texts in by_name.items():  # "trump" merged into "donald trump"
            if key.split() and key.split()[-1] == c.name.split()[-1] and (" " not in key or key == c.name):
                names |= texts
        out[c.start] = sorted(names)
    return out


class Parse:
    """How the training texts become Docs: piped through ``nlp``, each text once. With ``keep`` (a file), the
    first pass writes each Doc's bytes there and later passes over the same texts read them back (the actor2
    filler's examples come from the parses of the actor1 filler's)."""

    def __init__(self, nlp, keep: Path | None = None):
        self.nlp = nlp
        self.keep = keep

    def __call__(self, texts: list[str]) -> Iterator:
        from spacy.tokens import Doc

        if self.keep is None:
            yield from self.nlp.pipe(texts, batch_size=16)
        elif self.keep.exists():
            with self.keep.open("rb") as stream:
                for _ in texts:
                    yield Doc(self.nlp.vocab).from_bytes(pickle.load(stream))
        else:
            with self.keep.open("wb") as stream:
                for doc in self.nlp.pipe(texts, batch_size=16):
                    pickle.dump(doc.to_bytes(), stream)
                    yield doc


def matched_mentions(parse: "Parse", lexicon, folder: Path, max_articles: int | None = None
                     ) -> Iterator[tuple[str, Doc, list, object, list[tuple[int, dict]]]]:
    """Per train-split article of a gold folder (the first ``max_articles`` by id if given; articles of the test
    fold left out whatever the folder holds), parsed by ``parse``: its id, Doc, ``doc_events`` rows, argument index, and each (row index, gold event) pair of its gold sentences, paired the way
    ``evaluation.event_gold.match`` pairs a sentence's predictions with its gold events."""
    from types import SimpleNamespace

    from dateline.evaluation.event_gold import match
    from dateline.transforms.entities import doc_mentions
    from dateline.transforms.events import argument_index, doc_events

    articles = {r["id"]: r["text"] for r in read_jsonl(folder / "articles.jsonl")
                if article_fold(r["id"], FOLDS) != TEST_FOLD}
    gold = {r["sid"]: r["events"] for r in read_jsonl(folder / "gold.jsonl")}
    sentences = defaultdict(list)
    for r in read_jsonl(folder / "sentences.jsonl"):
        if r["document_id"] in articles:
            sentences[r["document_id"]].append(r)
    ids = sorted(sentences)[:max_articles]
    limit = parse.nlp.max_length
    texts = [articles[i][:limit] for i in ids]
    for record_id, text, doc in zip(ids, texts, parse(texts), strict=True):
        mentions = doc_mentions(record_id, doc)
        rows = [SimpleNamespace(**r) for r in doc_events(record_id, doc, mentions, lexicon, text=text)]
        index = argument_index(doc, mentions, lexicon.group_nouns, text)
        pairs = []
        for sentence in sentences[record_id]:
            found = re.search(r"\s+".join(map(re.escape, sentence["sentence"].split())), text)
            if found is None:
                continue
            inside = [i for i, r in enumerate(rows) if found.start() <= r.trigger_start < found.end()]
            golds = gold.get(sentence["sid"], [])
            pairs += [(inside[p], golds[g]) for p, g in match([_scored_row(rows[i], index) for i in inside], golds)]
        yield record_id, doc, rows, index, pairs


def gold_examples(parse: "Parse", lexicon, folder: Path, max_articles: int | None = None, slot: str = "actor1"
                  ) -> list[Example]:
    """Examples of ``slot`` of a gold folder's train-split articles (the first ``max_articles`` by id if given;
    see the module's docstring), parsed by ``parse``."""
    from dateline.evaluation.event_gold import same_actor
    from dateline.transforms.event_context_actors import candidates

    examples = []
    for record_id, doc, rows, index, pairs in matched_mentions(parse, lexicon, folder, max_articles):
        options = candidates(rows, doc, index, slot)
        for i, gold_event in pairs:
            o = options[i]
            if o is None or not o.candidates:
                continue
            wanted = gold_event.get(slot)
            names = _names_by_start(index, o)
            target = next((k + 1 for k, c in enumerate(o.candidates) if wanted and same_actor(wanted, names[c.start])),
                          0)
            examples.append(Example(record_id, o, target, bool(wanted)))
    return examples


def _scored_row(row, index) -> dict:
    """A row the way ``evaluation.event_gold.match`` reads a prediction (actor names: the mention's texts)."""
    def names(starts):
        if not starts:
            return []
        m = index.at(starts[0])
        return [m["canonical_name"] or m["mention_text"], m["mention_text"]] if m else []
    return {"type": row.event_code, "trigger": row.trigger, "actor1": names(row.actor1_starts),
            "actor2": names(row.actor2_starts)}


def train_context_actors(gold_folders: list[Path], outs: dict[str, Path], model: str, c: float = 0.3,
                         max_articles: int | None = None) -> dict:
    """For each slot of ``outs`` (slot → model folder; actor1 first), build the examples, cross-validate, set the
    threshold, fit on all and save; returns what was measured, by slot. The actor2 filler is trained on what the
    actor1 filler leaves (the one just trained, else the shipped one). Each article is parsed once: the Docs are
    kept in a temporary file for the second slot."""
    from dateline.flows.nlp import load_nlp, load_reference
    from dateline.transforms.event_context_actors import load_context_model
    from dateline.transforms.event_detector import EventDetector
    from dateline.transforms.event_triggers import build_lexicon

    nlp = load_nlp(model)
    reference = load_reference()
    detector = EventDetector.load()
    measured = {}
    with tempfile.TemporaryDirectory() as scratch:
        parses = [Parse(nlp, Path(scratch) / f"docs{n}.pickle" if len(outs) > 1 else None)
                  for n in range(len(gold_folders))]
        for slot in sorted(outs):
            first = None if slot == "actor1" else load_context_model(outs.get("actor1"))
            lexicon = build_lexicon(reference.triggers, detector, reference.group_words(), context_actors=first)
            examples = [e for parse, folder in zip(parses, gold_folders, strict=True)
                        for e in gold_examples(parse, lexicon, folder, max_articles, slot)]
            measured[slot] = fit_and_save(examples, gold_folders, outs[slot], c, slot)
    return measured


def fit_and_save(examples: list[Example], gold_folders: list[Path], out: Path, c: float, slot: str = "actor1"
                 ) -> dict:
    """Cross-validate, set the threshold, fit on every example and save the model; returns what was measured."""
    choices = cross_validate(examples, c)
    threshold, cv = best_threshold(choices)
    about = {
        "trained_on": [str(p) for p in gold_folders], "examples": len(examples),
        "articles": len({e.record_id for e in examples}), "c": c,
        "any_candidate_right": sum(1 for e in examples if e.target > 0),
        f"gold_{slot}_none": sum(1 for e in examples if not e.gold_named),
        "cross_validated": cv,
        "cross_validated_curve": {str(t): gains(choices, t) for t in (0.3, 0.4, 0.5, 0.6, 0.7)},
    }
    ContextActorModel(fit(examples, c), round(threshold, 4), slot).save(out, about)
    return about
