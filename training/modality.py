"""Train the modality classifier (``transforms/modality_model.py``) that revises the rules' modality.

The gold is a gold folder (``articles.jsonl``, ``sentences.jsonl``, ``gold.jsonl``; ``python -m
dateline.training.gold_folder OUT --split train`` writes one from the project's label files). Each article of the
train split (articles of the test fold, ``article_fold == 0``, are left out whatever the folder holds) is parsed
once by the production pipeline and its event mentions found by ``doc_events`` (trained detector, shipped actor
fillers, the rules' modality only). A mention paired with a gold event the way ``evaluation.event_gold`` pairs them (as
``training/context_actors.py`` does) is one example: its ``modality_features`` and the gold modality. A
multinomial logistic regression is fitted (scikit-learn, L2); 5-fold cross-validation by article gives the
out-of-fold probabilities from which the override threshold is set: the one that maximises the accuracy of the
revised modality on the matched mentions (the highest of the ties: fewer overrides).
"""

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dateline.training.context_actors import Parse, matched_mentions
from dateline.training.events import article_folds
from dateline.transforms.modality_model import MODALITIES, ModalityModel, modality_features

__all__ = ["Example", "best_threshold", "cross_validate", "fit", "gold_examples", "train_modality"]

FOLDS = 5
MIN_COUNT = 3  # a feature of fewer examples has no weight (it mostly names one word once)
GRID = [round(x, 2) for x in np.arange(0.3, 0.96, 0.05)]


@dataclass(frozen=True)
class Example:
    """One matched mention: its features, the rules' modality and the gold one."""

    record_id: str
    features: dict[str, float]
    rules: str
    gold: str


def gold_examples(parse: Parse, lexicon, folder: Path, max_articles: int | None = None) -> list[Example]:
    """Examples of a gold folder's train-split articles (the first ``max_articles`` by id if given), parsed by
    ``parse``: the mentions ``doc_events`` finds with the rules' modality, paired with gold events as
    ``training.context_actors.matched_mentions`` pairs them."""
    from dateline.transforms.event_actors import is_noun, predicate

    examples = []
    rules_only = dataclasses.replace(lexicon, modality_model=None)  # the rules' modality: what the model revises
    for record_id, doc, rows, _, pairs in matched_mentions(parse, rules_only, folder, max_articles):
        tokens = {token.idx: token for token in doc}
        for i, gold_event in pairs:
            row = rows[i]
            trigger = tokens.get(row.trigger_start)
            wanted = gold_event.get("modality")
            if trigger is None or wanted not in MODALITIES:
                continue
            pred = predicate(trigger) if is_noun(trigger) else trigger
            rules, features = modality_features(trigger, pred, row.event_code)
            examples.append(Example(record_id, features, rules, wanted))
    return examples


def fit(examples: list[Example], c: float = 1.0, min_count: int = MIN_COUNT) -> dict[str, dict[str, float]]:
    """Weights (modality → feature → weight) of a multinomial logistic regression, L2 penalty 1/(2c), over the
    features seen in at least ``min_count`` examples; the ``bias`` feature is the intercept (penalised like the
    others)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    seen = Counter(name for e in examples for name in e.features)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{n: v for n, v in e.features.items() if seen[n] >= min_count} for e in examples])
    y = [e.gold for e in examples]
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(x, y)
    names = vectorizer.get_feature_names_out()
    weights: dict[str, dict[str, float]] = {}
    for k, modality in enumerate(model.classes_):
        # two classes: one row of weights, for the second (the first scores 0)
        row = model.coef_[k] if len(model.classes_) > 2 else model.coef_[0] * k  # noqa: PLR2004
        weights[str(modality)] = {str(n): round(float(v), 4) for n, v in zip(names, row, strict=True)
                                  if abs(v) >= 1e-3}
    return weights


def cross_validate(examples: list[Example], c: float, folds: int = FOLDS
                   ) -> list[tuple[dict[str, float], Example]]:
    """Out-of-fold probabilities of each example, the model refitted without its article's fold."""
    out = []
    for train, test in article_folds(examples, folds):
        if not train or not test:
            continue
        model = ModalityModel(fit(train, c), 1.0)
        out.extend((model.probabilities(e.features), e) for e in test)
    return out


def _pick(probabilities: dict[str, float], rules: str, threshold: float) -> str:
    best = max(probabilities, key=probabilities.__getitem__)
    return best if best != rules and probabilities[best] >= threshold else rules


def gains(choices: list[tuple[dict[str, float], Example]], threshold: float) -> dict:
    """What revising at ``threshold`` does on the matched mentions: accuracy of the rules and of the revision,
    overrides, right and wrong ones, and the remaining confusions (gold → predicted)."""
    revised = [(_pick(p, e.rules, threshold), e) for p, e in choices]
    changed = [(m, e) for m, e in revised if m != e.rules]
    return {
        "mentions": len(choices),
        "rules_right": sum(1 for _, e in choices if e.rules == e.gold),
        "revised_right": sum(1 for m, e in revised if m == e.gold),
        "overrides": len(changed),
        "overrides_right": sum(1 for m, e in changed if m == e.gold),
        "overrides_wrong_rules_right": sum(1 for _, e in changed if e.rules == e.gold),
    }


def confusions(pairs: list[tuple[str, str]]) -> dict[str, int]:
    """gold→predicted counts of the wrong ones."""
    return {f"{g}->{p}": n for (g, p), n in Counter((g, p) for g, p in pairs if g != p).most_common()}


def best_threshold(choices: list[tuple[dict[str, float], Example]]) -> tuple[float, dict]:
    """The threshold maximising the revised accuracy (the highest of the ties: fewer overrides)."""
    scored = [(t, gains(choices, t)) for t in GRID]
    top = max(g["revised_right"] for _, g in scored)
    return max((tg for tg in scored if tg[1]["revised_right"] == top), key=lambda tg: tg[0])


def measure(examples: list[Example], c: float) -> tuple[float, dict]:
    """Cross-validate, set the threshold; returns it and what was measured (accuracies, confusions)."""
    choices = cross_validate(examples, c)
    threshold, cv = best_threshold(choices)
    cv["rules_confusions"] = confusions([(e.gold, e.rules) for _, e in choices])
    cv["revised_confusions"] = confusions([(e.gold, _pick(p, e.rules, threshold)) for p, e in choices])
    cv["curve"] = {str(t): gains(choices, t)["revised_right"] for t in GRID}
    return threshold, cv


def fit_and_save(examples: list[Example], gold_folders: list[Path], out: Path, c: float) -> dict:
    """Cross-validate, set the threshold, fit on every example and save the model; returns what was measured."""
    threshold, cv = measure(examples, c)
    about = {
        "trained_on": [str(p) for p in gold_folders], "examples": len(examples),
        "articles": len({e.record_id for e in examples}), "c": c,
        "gold": dict(Counter(e.gold for e in examples)), "cross_validated": cv,
    }
    ModalityModel(fit(examples, c), round(threshold, 4)).save(out, about)
    return about


def train_modality(gold_folders: list[Path], out: Path, model: str, c: float = 0.5,
                   max_articles: int | None = None) -> dict:
    """Build the examples of each gold folder, cross-validate, set the threshold, fit on all and save."""
    from dateline.flows.nlp import load_nlp, load_reference
    from dateline.transforms.event_detector import EventDetector
    from dateline.transforms.event_triggers import build_lexicon

    nlp = load_nlp(model)
    reference = load_reference()
    lexicon = build_lexicon(reference.triggers, EventDetector.load(), reference.group_words())
    examples = [e for folder in gold_folders for e in gold_examples(Parse(nlp), lexicon, folder, max_articles)]
    return fit_and_save(examples, gold_folders, out, c)
