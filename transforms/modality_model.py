"""A trained modality classifier that revises the rules' modality (``event_modality``) where it is sure.

``modality_features`` reads the parse around the trigger (the same Doc, no second pass): the rules' answer and
every rule that holds, the auxiliaries and modals of the trigger and its governing chain, the governing words
and the links to them, negation, "if / whether" marks, the trigger's tag and its modifiers, a question, quotes
and the event type. A multinomial logistic regression over them (``ModalityModel``; weights in
``models/modality/weights.json``, their sha256 in ``model.json``) replaces the rules' answer by another modality
only when its probability for that one reaches the model's threshold (set by cross-validation by article).
``doc_events`` revises its finished rows (``revise_modalities``): they are merged, their tense set and their
actors filled on the rules' modality, and only the ``modality`` column changes.
Trained by ``dateline train modality`` (``training/modality.py``); inference is plain Python over dicts.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dateline.transforms.event_detector import checked_model_files
from dateline.transforms.event_modality import MODALITY_RULES, _clause
from spacy.tokens import Doc, Token

__all__ = ["MODALITIES", "ModalityModel", "load_modality_model", "modality_features", "revise_modalities"]

MODALITIES = ("asserted", "negated", "hypothetical", "planned")
_DEFAULT = Path(__file__).parent / "models" / "modality"
_MODALS = frozenset({
    "will", "would", "could", "may", "might", "can", "should", "must", "shall", "'ll", "’ll", "'d", "’d", "wo",
    "ought", "to",
})
_QUOTES = frozenset('"“”')


def modality_features(trigger: Token, pred: Token, code: str | None) -> tuple[str, dict[str, float]]:
    """The rules' modality of the trigger and the model's features of it (name → 1.0)."""
    clause = _clause(trigger, pred, code)
    holds = [(rule.__name__, result) for rule, result in MODALITY_RULES if rule(clause)]
    answer = holds[0][1] if holds else "asserted"
    f: dict[str, float] = {"bias": 1.0, f"rule={answer}": 1.0, f"first={holds[0][0] if holds else 'none'}": 1.0,
                           f"code={code}": 1.0, f"code_rule={code}|{answer}": 1.0}
    for name, _ in holds:
        f[f"holds={name}"] = 1.0
    first = holds[0][0] if holds else "none"
    f[f"code_first={code}|{first}"] = 1.0
    f[f"lemma_rule={trigger.lemma_.lower()}|{answer}"] = 1.0
    noun = trigger.pos_ in ("NOUN", "PROPN")
    f[f"pos={'noun' if noun else 'verb'}"] = 1.0
    f[f"tag={trigger.tag_}"] = 1.0
    f[f"lemma={trigger.lemma_.lower()}"] = 1.0
    f[f"dep={trigger.dep_}"] = 1.0
    if pred is not trigger:
        f[f"pred_tag={pred.tag_}"] = 1.0
        f[f"pred={pred.lemma_.lower()}"] = 1.0
    for tok, where in ((trigger, "t"), (pred, "p")):
        for key in ("Tense", "VerbForm", "Mood"):
            for value in tok.morph.get(key):
                f[f"morph_{where}={key}:{value}"] = 1.0
    _chain_features(f, clause.chain, pred)
    _sentence_features(f, trigger)
    if any(name.startswith("neg_") for name in f):
        f[f"code_neg={code}"] = 1.0
    return answer, f


def _chain_features(f: dict[str, float], chain: tuple[tuple[Token, str], ...], pred: Token) -> None:
    """The governing words and their links, and the modals, negations and marks on the trigger (t), its
    predicate (p) and the governing words (g)."""
    for position, (tok, via) in enumerate(chain):
        where = "t" if position == 0 else ("p" if tok is pred else "g")
        if position:
            f[f"via={via}"] = 1.0
            if position <= 3:
                f[f"gov={tok.lemma_.lower()}"] = 1.0
                f[f"gov_via={tok.lemma_.lower()}|{via}"] = 1.0
            if position == 1:
                f[f"gov1={tok.lemma_.lower()}"] = 1.0
        for child in tok.children:
            dep = child.dep_
            if dep in ("aux", "auxpass") and child.lower_ in _MODALS:
                f[f"aux_{where}={child.lower_}"] = 1.0
                f[f"aux={child.lower_}"] = 1.0
            elif dep == "neg" or (dep == "det" and child.lower_ == "no"):
                f[f"neg_{where}"] = 1.0
            elif dep == "mark":
                f[f"mark={child.lower_}"] = 1.0
            elif dep == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in child.children):
                f["if_clause"] = 1.0
            elif position == 0 and dep in ("amod", "compound", "det", "poss"):
                f[f"mod={child.lemma_.lower()}"] = 1.0
        if position and tok.tag_.startswith("VB"):
            f[f"gov_tag={tok.tag_}"] = 1.0


def _sentence_features(f: dict[str, float], trigger: Token) -> None:
    """The three words before the trigger, a question, a quote around the trigger, an "if / whether / unless" in
    the sentence."""
    sent = trigger.sent
    for k in range(1, 4):
        if trigger.i - k >= sent.start:
            f[f"prev{k}={trigger.doc[trigger.i - k].lemma_.lower()}"] = 1.0
    if sent[-1].text == "?" or (len(sent) > 1 and sent[-2].text == "?"):
        f["question"] = 1.0
    before = sum(1 for tok in sent if tok.i < trigger.i and tok.text in _QUOTES)
    if before % 2:
        f["quoted"] = 1.0
    if any(tok.lower_ in ("if", "whether", "unless") for tok in sent):
        f["sent_if"] = 1.0


@dataclass(frozen=True)
class ModalityModel:
    """Multinomial logistic regression: ``weights`` modality → feature → weight; ``threshold``: the probability
    another modality must reach to replace the rules' answer."""

    weights: dict[str, dict[str, float]]
    threshold: float

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        scores = {m: sum(w.get(n, 0.0) * v for n, v in features.items()) for m, w in self.weights.items()}
        top = max(scores.values())
        exps = {m: math.exp(s - top) for m, s in scores.items()}
        total = sum(exps.values())
        return {m: e / total for m, e in exps.items()}

    def revise(self, answer: str, features: dict[str, float]) -> str:
        """The rules' ``answer``, or the modality the model gives at least ``threshold`` when another."""
        probabilities = self.probabilities(features)
        best = max(probabilities, key=probabilities.__getitem__)
        return best if best != answer and probabilities[best] >= self.threshold else answer

    def save(self, folder: Path, about: dict) -> None:
        """Write ``weights.json`` and ``model.json`` (with the weights' sha256, checked on loading)."""
        import hashlib

        folder.mkdir(parents=True, exist_ok=True)
        blob = json.dumps({m: dict(sorted(w.items())) for m, w in sorted(self.weights.items())}, indent=0,
                          ensure_ascii=False) + "\n"
        (folder / "weights.json").write_text(blob, encoding="utf-8")
        meta = {**about, "threshold": self.threshold, "weights_sha256": hashlib.sha256(blob.encode()).hexdigest()}
        (folder / "model.json").write_text(json.dumps(meta, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


@cache
def load_modality_model(path: Path = _DEFAULT) -> ModalityModel:
    """The shipped modality model (or the one in ``path``); its weights' hash is checked."""
    meta, blob = checked_model_files(path, "weights.json", "modality weights")
    return ModalityModel(weights=json.loads(blob), threshold=meta["threshold"])


def revise_modalities(rows: Sequence[Any], doc: Doc, model: ModalityModel) -> None:
    """Set each row's ``modality`` (the rules', read from its trigger in ``doc``) to ``model``'s revision of it."""
    from dateline.transforms.event_actors import is_noun, predicate

    tokens = {token.idx: token for token in doc}
    for row in rows:
        trigger = tokens.get(row.trigger_start)
        if trigger is None:
            continue
        pred = predicate(trigger) if is_noun(trigger) else trigger
        answer, features = modality_features(trigger, pred, row.event_code)
        row.modality = model.revise(answer, features)
