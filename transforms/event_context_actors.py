"""Context actors: a trained filler for the doer the argument rules leave empty, read from the document.

Many event mentions have a doer that is not in their syntax but in the text around them: "The indictment ..."
(Mueller, named two sentences before), "a phone call between the two leaders" (Trump), a quote's criticism (its
speaker, named in the sentence after). ``fill_context_actors`` runs once per Doc, after the rules and
``event_anaphora`` (the same parse: no second pass). For each mention whose actor1 is still empty, the
candidates are the document's actor mentions (named entities and unnamed groups, as the rules would take them)
in its sentence, the ``CONTEXT_SENTENCES`` sentences before it and the sentence after it, one candidate per
entity of the document (its closest mention). A logistic regression scores each candidate from what the
context says of it (how far it is, its syntactic role there — the subject of a speech verb, a subject, an
object, a possessor —, how often the document names it, its label, the event's type, whether the trigger is a
noun and its determiner, whether it is in a quotation, ...); the best candidate fills the slot only when its
probability reaches the model's threshold, chosen by cross-validation by article on training gold (a wrong fill
costs what a right one gains).

The same filler, trained for the other slot (``models/context_actors2``), then fills an actor2 still empty: its
candidates leave out the mention's actor1 and add the event's type crossed with their role, distance and path,
and the actor2 of earlier mentions of the window. Both run in one pass (``fill_context_actors`` takes the models
in order, actor1's first), on the Doc's actor mentions read once.

Each model (``models/context_actors*/model.json``: its slot, threshold, the hash of the weights; the weights in
``weights.json``) is trained by ``dateline train actors`` (``training/context_actors.py``). Inference is numpy-free
dictionary look-ups: a few features per candidate.
"""

import hashlib
import json
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from dateline.transforms.event_anaphora import MentionRow
from dateline.transforms.event_detector import checked_model_files
from dateline.transforms.event_groups import GROUP_LABEL
from dateline.transforms.event_mentions import ACTOR_LABELS, NOUN_TAGS, MentionIndex
from dateline.transforms.event_references import SPEECH_VERBS
from spacy.tokens import Doc, Token

__all__ = ["CONTEXT_SENTENCES", "SHIPPED", "Candidate", "ContextActorModel", "Options", "candidates",
           "fill_context_actors", "load_context_model"]

# How many sentences before the mention's own a candidate may be named in (and the one after it).
CONTEXT_SENTENCES = 2
_QUOTES = {'"', "“", "”"}
_SUBJ = {"nsubj", "csubj", "nsubjpass"}
_OBJ = {"dobj", "obj", "dative", "attr", "oprd"}


class _Row(MentionRow, Protocol):
    """The columns of an event-mention row (``events.EventMention``) the pass reads and writes: the anaphora pass's
    and the modality."""

    modality: str


@dataclass(frozen=True)
class Candidate:
    """One entity of the document as a possible doer of one mention: its closest mention and its features."""

    start: int
    end: int
    name: str
    features: dict[str, float]


@dataclass(frozen=True)
class Options:
    """One mention's choice: leaving actor1 empty (its features) or one of the candidates."""

    empty: dict[str, float]
    candidates: list[Candidate]


@dataclass(frozen=True)
class ContextActorModel:
    """A conditional logit over one mention's options (leave empty, or each candidate): a weight per feature
    name, the option's score the sum of its features' weights, its probability the softmax of the scores."""

    weights: dict[str, float]
    threshold: float
    slot: str = "actor1"  # the slot it fills: "actor1" (the doer) or "actor2" (the target)

    def score(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def choose(self, options: Options) -> tuple[Candidate | None, float]:
        """The best candidate and its probability (None when leaving the slot empty scores best)."""
        scores = [self.score(options.empty), *(self.score(c.features) for c in options.candidates)]
        top = max(scores)
        exps = [math.exp(x - top) for x in scores]
        best = max(range(len(scores)), key=scores.__getitem__)
        if best == 0:
            return None, exps[0] / sum(exps)
        return options.candidates[best - 1], exps[best] / sum(exps)

    def save(self, folder: Path, about: dict) -> None:
        """Write ``weights.json`` and ``model.json`` (what ``load_context_model`` reads, with the weights' hash)."""
        folder.mkdir(parents=True, exist_ok=True)
        blob = json.dumps(dict(sorted(self.weights.items())), indent=0, ensure_ascii=False) + "\n"
        (folder / "weights.json").write_text(blob, encoding="utf-8")
        meta = {**about, "slot": self.slot, "threshold": self.threshold, "weights_sha256": hashlib.sha256(blob.encode()).hexdigest()}
        (folder / "model.json").write_text(json.dumps(meta, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


# The shipped model of each slot.
SHIPPED = {"actor1": "context_actors", "actor2": "context_actors2"}


def load_context_model(path: Path | None = None, slot: str = "actor1") -> ContextActorModel:
    """The shipped model of ``slot`` (``transforms/models/context_actors`` for actor1, ``context_actors2`` for
    actor2) or the one in ``path``; its weights' hash is checked."""
    if path is None:
        source = resources.files("dateline.transforms") / "models" / SHIPPED[slot]
        with resources.as_file(source) as folder:
            return load_context_model(Path(folder))
    meta, blob = checked_model_files(path, "weights.json", "context-actor weights")
    return ContextActorModel(weights=json.loads(blob), threshold=meta["threshold"], slot=meta.get("slot", "actor1"))


def fill_context_actors(rows: Sequence[_Row], doc: Doc, index: MentionIndex, *models: ContextActorModel) -> None:
    """Fill, in place, the empty slot of each of ``rows`` (one Doc's event mentions in text order) that each of
    ``models`` fills (in their order: actor1, then actor2, which then sees the filled actor1) with the best
    candidate of its context when the model's probability for it reaches its threshold. The Doc's actor
    mentions are read once for all of them."""
    context: _Context | None = None
    for model in models:
        if not any(not _slot(row, model.slot)[0] for row in rows):
            continue
        context = context or _Context(doc, index)
        for row, options in zip(rows, candidates(rows, doc, index, model.slot, context), strict=True):
            if options is None or not options.candidates:
                continue
            best, chance = model.choose(options)
            if best is None or chance < model.threshold:
                continue
            setattr(row, model.slot + "_starts", [best.start])
            setattr(row, model.slot + "_ends", [best.end])
            group = index.at(best.start)
            if group is not None and group["label"] == GROUP_LABEL:
                row.group_starts = [*row.group_starts, best.start]
                row.group_names = [*row.group_names, group["canonical_name"]]
                row.group_texts = [*row.group_texts, group["mention_text"]]


def _slot(row: _Row, slot: str) -> tuple[list[int], list[int]]:
    """A row's starts in ``slot`` and in the other slot."""
    if slot == "actor1":
        return row.actor1_starts, row.actor2_starts
    return row.actor2_starts, row.actor1_starts


def candidates(rows: Sequence[_Row], doc: Doc, index: MentionIndex, slot: str = "actor1",
               context: "_Context | None" = None) -> list[Options | None]:
    """For each row, its options for ``slot`` (None when that slot is filled). ``context``: the Doc's, when the
    caller has read it already."""
    out: list[Options | None] = [None for _ in rows]
    empty = [i for i, row in enumerate(rows) if not _slot(row, slot)[0]]
    if not empty:
        return out
    context = context or _Context(doc, index)
    for i in empty:
        out[i] = context.candidates(rows, i, slot)
    return out


@dataclass(frozen=True)
class _Trigger:
    """The mention's trigger as its candidates' features read it."""

    token: Token
    sentence: int
    pos: str  # noun / verb / other
    det: str  # its determiner, "-" for none
    poss: bool  # it has a possessor ("Trump's decision")
    quoted: bool  # it is inside a quotation


@dataclass(frozen=True)
class _Known:
    """Entities a mention's context singles out: its actor2, earlier mentions' doers, speakers of the window."""

    second: set
    doers: dict[str, str]  # entity → "same" (doer of an earlier mention of the same type) or "other"
    speakers: set


def _entity_name(row: dict) -> str:
    return (row.get("canonical_name") or row["mention_text"]).strip().lower()


class _Context:
    """What the candidates of one Doc read, computed once: sentence bounds, quotations, actor mentions with their
    token, role and entity name, and how often the document names each entity."""

    def __init__(self, doc: Doc, index: MentionIndex):
        self.doc = doc
        sents = list(doc.sents)
        self.sent_starts = [s.start_char for s in sents]
        self.sent_tokens = [s.start for s in sents]
        text = doc.text
        self.quote_marks = [i for i, ch in enumerate(text) if ch in _QUOTES]
        self.mentions: list[tuple[int, int, str, str, Token, str]] = []  # start, end, label, name, root, role
        for row in index.rows:
            label = row["label"]
            if label not in ACTOR_LABELS or row["mention_text"].lower().startswith(("anti-", "pro-")):
                continue
            words = doc.char_span(row["start_char"], row["end_char"], alignment_mode="expand")
            if words is None or len(words) == 0:
                continue
            root = words.root
            self.mentions.append((row["start_char"], row["end_char"], label, _entity_name(row), root, _role(root)))
        self.names = _merge_person_names(self.mentions)
        counts = Counter(self.names[m[3]] for m in self.mentions)
        self.counts = counts
        coarse = {}
        for m in self.mentions:
            coarse.setdefault(self.names[m[3]], "ORG" if m[2] in ("ORG", "GPE", "NORP") else m[2])
        top: dict[str, str] = {}
        for entity, _ in counts.most_common():
            top.setdefault(coarse[entity], entity)
        self.top = top
        self.mention_starts = [m[0] for m in self.mentions]

    def sentence_of(self, char: int) -> int:
        return bisect_right(self.sent_starts, char) - 1

    def quoted(self, char: int) -> bool:
        return bisect_right(self.quote_marks, char) % 2 == 1

    def candidates(self, rows: Sequence[_Row], i: int, slot: str = "actor1") -> Options | None:
        row = rows[i]
        s = self.sentence_of(row.trigger_start)
        words = self.doc.char_span(row.trigger_start, row.trigger_end, alignment_mode="expand")
        if words is None or len(words) == 0:
            return None
        tok = words[0]
        det = next((c.lower_ for c in tok.children if c.dep_ == "det"), None)
        trigger = _Trigger(tok, s, _doer_pos(tok), det or "-", any(c.dep_ == "poss" for c in tok.children),
                           self.quoted(row.trigger_start))
        other = set(_slot(row, slot)[1])
        known = _Known(
            {self.names.get(m[3]) for m in self.mentions if m[0] in other} if other else set(),
            self._earlier_doers(rows, i, s),
            set(),
        )
        ranked = self._closest(row, trigger, known.speakers)
        if slot == "actor1":
            out = [Candidate(m[0], m[1], entity, self._features(row, trigger, known, (rank, entity, m, ms)))
                   for rank, (entity, m, ms) in enumerate(ranked)]
            return Options(_empty_features(row, trigger, len(out)), out)
        # actor2: never the mention's actor1; what the earlier mentions of the window had as actor2
        ranked = [r for r in ranked if r[0] not in known.second and r[1][0] not in other]
        targets = self._earlier_doers(rows, i, s, "actor2_starts")
        out = []
        for rank, (entity, m, ms) in enumerate(ranked):
            f = self._features(row, trigger, known, (rank, entity, m, ms))
            out.append(Candidate(m[0], m[1], entity, _target_features(f, row, m, ms == s, targets.get(entity))))
        return Options(_empty_target_features(row, trigger, len(out)), out)

    def _closest(self, row: _Row, trigger: "_Trigger", speakers: set[str]) -> list[tuple[str, tuple, int]]:
        """Each entity of the window once, at its mention closest to the trigger (its own sentence first), nearest
        first: the sentence's own, then back sentence by sentence, then the one after; by tokens within. Fills
        ``speakers`` with the entities that are the subject of a speech verb in the window."""
        s, tok = trigger.sentence, trigger.token
        lo = self.sent_starts[max(0, s - CONTEXT_SENTENCES)]
        hi = self.sent_starts[s + 2] if s + 2 < len(self.sent_starts) else len(self.doc.text) + 1
        window = self.mentions[bisect_right(self.mention_starts, lo - 1):bisect_right(self.mention_starts, hi - 1)]
        best: dict[str, tuple] = {}
        for m in window:
            entity = self.names[m[3]]
            if m[5] == "speaker":
                speakers.add(entity)
            if row.trigger_start <= m[0] < row.trigger_end:
                continue
            ms = self.sentence_of(m[0])
            key = (ms != s, abs(m[4].i - tok.i))
            if entity not in best or key < best[entity][0]:
                best[entity] = (key, m, ms)
        ranked = sorted(best.items(), key=lambda kv: (kv[1][2] > s, abs(s - kv[1][2]), kv[1][0][1]))
        return [(entity, m, ms) for entity, (_, m, ms) in ranked]

    def _features(self, row: _Row, trigger: "_Trigger", known: "_Known", place: tuple[int, str, tuple, int]
                  ) -> dict[str, float]:
        """A candidate's features; ``place``: its rank by nearness, entity, closest mention and its sentence."""
        rank, entity, m, ms = place
        start, _, label, _, root, role = m
        s, tok, doer = trigger.sentence, trigger.token, trigger.pos
        dist = "after" if ms > s else str(min(s - ms, CONTEXT_SENTENCES))
        f = {
            "type=" + row.event_code: 1.0,
            "label=" + label: 1.0,
            "dist=" + dist: 1.0,
            "role=" + role: 1.0,
            "dist_role=" + dist + "|" + role: 1.0,
            "trigger=" + doer: 1.0,
            "trigger_dist=" + doer + "|" + dist: 1.0,
            "trigger_role=" + doer + "|" + role: 1.0,
            "trigger_label=" + doer + "|" + label: 1.0,
            "type_label=" + row.event_code + "|" + label: 1.0,
            "det=" + trigger.det + "|" + dist: 1.0,
            "log_tokens": math.log1p(abs(root.i - tok.i)) / 4.0,
            "before": 1.0 if start < row.trigger_start else 0.0,
            "rank=" + str(min(rank, 4)): 1.0,
            "log_count": math.log1p(self.counts[entity]) / 3.0,
            "modality=" + row.modality: 1.0,
        }
        if self.top.get("PERSON") == entity or self.top.get("ORG") == entity:
            f["top_" + ("person" if label == "PERSON" else "org")] = 1.0
        flags = {
            "is_actor2": entity in known.second,
            "trigger_has_poss": trigger.poss,
            "quoted_trigger|" + dist + "|" + role: trigger.quoted,
            "candidate_quoted": trigger.quoted and self.quoted(start),
            "speaker_nearby": entity in known.speakers,
            "speaker_of_quote": entity in known.speakers and trigger.quoted,
            "earlier_doer=" + known.doers.get(entity, ""): entity in known.doers,
        }
        f.update((name, 1.0) for name, on in flags.items() if on)
        if ms == s:
            f.update(_path_features(root, tok, role))
        return f

    def _earlier_doers(self, rows: Sequence[_Row], i: int, s: int, slot: str = "actor1_starts") -> dict[str, str]:
        """Entities that are actor1 (or ``slot``) of an earlier mention in the window: entity → same type or not."""
        found: dict[str, str] = {}
        row = rows[i]
        for earlier in reversed(rows[:i]):
            if s - earlier.sentence_index > CONTEXT_SENTENCES:
                break
            for start in getattr(earlier, slot):
                j = bisect_right(self.mention_starts, start) - 1
                if j >= 0 and self.mentions[j][0] == start:
                    entity = self.names[self.mentions[j][3]]
                    kind = "same" if earlier.event_code == row.event_code else "other"
                    if found.get(entity) != "same":
                        found[entity] = kind
        return found


def _merge_person_names(mentions: Iterable[tuple]) -> dict[str, str]:
    """Entity name of each mention name: a person's bare surname ("trump") is the full name it ends ("donald trump")."""
    names = {m[3] for m in mentions}
    full = {}
    for m in mentions:
        if m[2] == "PERSON" and " " in m[3]:
            full.setdefault(m[3].split()[-1], m[3])
    return {n: (full.get(n, n) if " " not in n else n) for n in names}


_ROLES = {"poss": "poss", "pobj": "pobj", "appos": "appos", "compound": "compound", "conj": "conj",
          **{dep: "obj" for dep in _OBJ}}


def _role(root: Token) -> str:
    """The mention's syntactic role: the subject of a speech verb, a subject, an object, a possessor, ..."""
    dep = root.dep_
    if dep in _SUBJ:
        if root.head.lemma_.lower() in SPEECH_VERBS:
            return "speaker"
        return "subj_pass" if dep == "nsubjpass" else "subj"
    if dep == "pobj" and root.head.lower_ == "by":
        return "pobj_by"
    return _ROLES.get(dep, "other")


def _empty_features(row: _Row, trigger: "_Trigger", n: int) -> dict[str, float]:
    """The features of leaving actor1 empty: what the mention itself says."""
    empty = {"empty": 1.0, "empty|type=" + row.event_code: 1.0, "empty|trigger=" + trigger.pos: 1.0,
             "empty|det=" + trigger.det: 1.0, "empty|modality=" + row.modality: 1.0,
             "empty|candidates=" + str(min(n, 5)): 1.0}
    flags = {"empty|quoted": trigger.quoted, "empty|poss": trigger.poss, "empty|has_actor2": bool(row.actor2_starts)}
    empty.update((name, 1.0) for name, on in flags.items() if on)
    return empty


def _target_features(f: dict[str, float], row: _Row, m: tuple, same_sentence: bool, earlier: str | None
                     ) -> dict[str, float]:
    """An actor2 candidate's features: the actor1 candidate's (``f``; its "is_actor2" flag never set, and
    "earlier_doer" the entity's being an earlier mention's actor1), the event's type crossed with the candidate's
    role and distance (who is the target differs: CONSULT's other party, ASSAULT's victim, ARREST's
    arrested), its place in the trigger's own sentence crossed with the type, and the actor2 of an earlier
    mention of the window (of the same type or another)."""
    code = row.event_code
    dist = next(name[5:] for name in f if name.startswith("dist="))
    role = m[5]
    g = {**f, "type_role=" + code + "|" + role: 1.0, "type_dist=" + code + "|" + dist: 1.0}
    if row.actor1_starts:
        g["has_actor1"] = 1.0
    if same_sentence:
        g["same|" + ("after" if m[0] >= row.trigger_end else "before") + "_trigger"] = 1.0
        for name in [n for n in f if n.startswith(("under_trigger=", "beside_trigger=", "links="))]:
            g["type|" + code + "|" + name] = 1.0
    if earlier is not None:
        g["earlier_target=" + earlier] = 1.0
        g["earlier_target_type=" + code + "|" + earlier] = 1.0
    return g


def _empty_target_features(row: _Row, trigger: "_Trigger", n: int) -> dict[str, float]:
    """The features of leaving actor2 empty: what the mention says, and whether it has an actor1."""
    empty = _empty_features(row, trigger, n)
    empty.pop("empty|has_actor2", None)
    if row.actor1_starts:
        empty["empty|has_actor1"] = 1.0
    empty["empty|trigger_type=" + trigger.pos + "|" + row.event_code] = 1.0
    return empty


def _doer_pos(token: Token) -> str:
    return "noun" if token.pos_ in NOUN_TAGS else "verb" if token.pos_ in ("VERB", "AUX") else "other"


def _ancestors(token: Token) -> dict[int, int]:
    """Token index → how many links up from ``token`` (itself 0), to the sentence's root."""
    up = {token.i: 0}
    while token.head.i != token.i and len(up) < 40:
        token = token.head
        up[token.i] = len(up)
    return up


def _path_features(root: Token, trigger: Token, role: str) -> dict[str, float]:
    """How a candidate of the trigger's own sentence hangs from it: links between them, whether it is the
    subject of a clause above the trigger, or inside the trigger's phrase (and through which preposition)."""
    above = _ancestors(trigger)
    mine = _ancestors(root)
    meet = min((i for i in mine if i in above), key=lambda i: mine[i] + above[i], default=None)
    if meet is None:
        return {}
    links = mine[meet] + above[meet]
    f = {"links=" + str(min(links, 6)): 1.0}
    if meet == trigger.i:  # inside the trigger's phrase: "calls among progressives", "Trump's decision"
        prep = root.head.lower_ if root.dep_ == "pobj" else root.dep_
        f["under_trigger=" + (prep if mine[meet] <= 2 else "deep")] = 1.0
    elif mine[meet] == 1:  # a dependent of a word above the trigger: the subject of its clause, its object
        f["beside_trigger=" + role + "|" + str(min(above[meet], 4))] = 1.0
    return f
