"""The trained event detector: which words of a sentence report which of the 17 event types.

A candidate is a verb, noun or adjective whose lemma the detector knows as a possible trigger (the
lemmas of its training triggers and of ``data/event_triggers.csv``), outside a name. For each candidate
a linear model reads word-sense evidence from the same Doc the entity step used: the lemma with its
dependency relations, its head, its objects and prepositional objects (what "attacks" attacks: "the
lungs" or "Ukraine"), the entity labels of its subject and objects, negation and auxiliaries, the words
around it, and the token's contextual vector from the pipeline's ``tok2vec`` (``Doc.tensor``). It
outputs a probability per type and for "no event"; that probability, calibrated on held-out training
sentences, is the mention's ``confidence``.

Inference is numpy only: the weights ship as ``models/event_detector/weights.npz`` with
``model.json`` (classes, feature names, calibration, the hash of the weights), trained by
``dateline train events`` (``training/events.py``).
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, HEAD, LEMMA, LOWER, POS, TAG
from spacy.tokens import Doc, Span, Token

NONE = "NONE"
ANY_TYPE = "*"  # the calibration of every detection, for types with too few to calibrate alone
# The map applied, after its type's own, to a repeat: a detection of a type its sentence already has a
# more probable detection of ("launched an attack ... the attack"). Most repeats report the same event.
REPEAT = "*repeat"
CANDIDATE_POS = frozenset({"VERB", "NOUN", "ADJ", "PROPN"})
# Labels inside which a word is part of a name, not an act ("Cold War", "Defense Cooperation Agreement").
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW",
                          "PRODUCT", "LANGUAGE"})
_ARG_DEPS = frozenset({"dobj", "obj", "nsubj", "nsubjpass", "agent", "prt", "neg", "aux", "auxpass",
                       "amod", "compound", "poss", "xcomp", "ccomp", "advmod", "attr", "dative", "acomp",
                       "oprd", "nmod"})
_MODEL_DIR = "models/event_detector"
WINDOW = 3  # content words each side paired with a candidate's lemma (``window_features``)
_PRONOUNS = ("he", "she", "him", "her", "they", "them", "we", "i")
# The feature templates (the name before "=") of ``token_features``: those named "<template>=<lemma>|<rest>" by the
# candidate's lemma, and the others, "<template>=<value>"; ``FeatureColumns`` looks columns up by their parts.
LEMMA_TEMPLATES = ("lp", "ld", "lt", "lh", "lw-1", "lw+1", "lpp", "lpo", "lpe", "lc", "lce", "lse", "lwin")
PLAIN_TEMPLATES = ("l", "p", "t", "d", "w", "h", "hd", "e", "w-1", "w+1", "pp", "po", "pe", "c", "ce", "se", "hc",
                   "lex")
_SUBJECT_CLIMB = ("xcomp", "conj", "advcl", "acl", "relcl", "ccomp", "pcomp")


def mention_token_labels(doc: Doc, mentions: Iterable[dict]) -> dict[int, str]:
    """Token index → entity label of the entity mention (MENTION_SCHEMA row) it lies in."""
    labels: dict[int, str] = {}
    for mention in mentions:
        span = doc.char_span(mention["start_char"], mention["end_char"], alignment_mode="expand")
        if span is not None:
            for token in span:
                labels[token.i] = mention["label"]
    return labels


def _entity_label(token: Token, labels: dict[int, str]) -> str:
    """The entity label of the mention a token heads (or a child names: "the Russian military"), else ''."""
    label = labels.get(token.i)
    if label:
        return label
    if token.lower_ in _PRONOUNS:
        return "PRON"
    for child in token.children:
        if child.dep_ in ("compound", "poss", "amod") and labels.get(child.i):
            return labels[child.i]
    return ""


def _subject(token: Token) -> Token | None:
    node = token
    for _ in range(3):
        for child in node.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
        if node.dep_ not in _SUBJECT_CLIMB or node.head is node:
            return None
        node = node.head
    return None


# The trigger lexicon as the detector saw it when trained: (lemma, VERB|NOUN) → (code, preposition or None).
LexiconPrior = dict[tuple[str, str], list[tuple[str, str | None]]]


def lexicon_features(token: Token, prior: LexiconPrior) -> list[str]:
    """What the trigger lexicon says of the word: its listed types (a prepositional entry only with that
    preposition), or that the lemma is listed under another part of speech. Lets the model type a trigger
    word the annotated sentences never showed ("videoconference") while learning how far to trust each entry."""
    preps = {child.lower_ for child in token.children if child.dep_ in ("prep", "agent")}
    lemma = token.lemma_.lower()
    found = [f"lex={code}" if prep is None else f"lex={code}|prep"
             for code, prep in prior.get((lemma, token.pos_), []) if prep is None or prep in preps]
    if not found and any((lemma, pos) in prior for pos in ("VERB", "NOUN")):
        found.append("lex=listed-otherwise")
    return list(dict.fromkeys(found))


def token_features(token: Token, labels: dict[int, str], prior: LexiconPrior | None = None,
                   words: "SentenceWords | None" = None) -> list[str]:
    """The sparse features of one candidate (see the module docstring); binary, named by string.

    ``words`` are the content words of the token's sentence (``sentence_words``), when the caller has read
    them once for all the sentence's candidates; otherwise they are read here."""
    if words is None:
        words = sentence_words(token.sent)
    lemma = token.lemma_.lower()
    head = token.head
    feats = [
        f"l={lemma}", f"p={token.pos_}", f"t={token.tag_}", f"d={token.dep_}", f"lp={lemma}|{token.pos_}",
        f"ld={lemma}|{token.dep_}", f"lt={lemma}|{token.tag_}", f"w={token.lower_}",
        f"h={head.lemma_.lower()}", f"lh={lemma}|{head.lemma_.lower()}", f"hd={token.dep_}|{head.pos_}",
        f"e={token.ent_type_ or '-'}",
    ]
    if token.i > words.start:
        prev = token.doc[token.i - 1]
        feats += [f"w-1={prev.lower_}", f"lw-1={lemma}|{prev.lower_}"]
    if token.i + 1 < words.end:
        nxt = token.doc[token.i + 1]
        feats += [f"w+1={nxt.lower_}", f"lw+1={lemma}|{nxt.lower_}"]
    for child in token.children:
        dep = child.dep_
        if dep in ("prep", "agent"):
            prep = child.lower_
            feats += [f"pp={prep}", f"lpp={lemma}|{prep}"]
            for obj in child.children:
                if obj.dep_ == "pobj":
                    ent = _entity_label(obj, labels)
                    feats += [f"po={prep}|{obj.lemma_.lower()}", f"lpo={lemma}|{prep}|{obj.lemma_.lower()}",
                              f"pe={prep}|{ent or '-'}", f"lpe={lemma}|{prep}|{ent or '-'}"]
        elif dep in _ARG_DEPS:
            ent = _entity_label(child, labels)
            clemma = child.lemma_.lower()
            feats += [f"c={dep}|{clemma}", f"lc={lemma}|{dep}|{clemma}", f"ce={dep}|{ent or '-'}",
                      f"lce={lemma}|{dep}|{ent or '-'}"]
    subject = _subject(token)
    ent = _entity_label(subject, labels) if subject is not None else "none"
    feats += [f"se={ent or '-'}", f"lse={lemma}|{ent or '-'}"]
    if head is not token:
        feats.append(f"hc={head.dep_}|{head.lemma_.lower()}")
    feats += window_features(token, lemma, words)
    if prior:
        feats += lexicon_features(token, prior)
    return feats


def is_content_word(token: Token) -> bool:
    """A verb, noun, adjective or proper noun that is not part of a name: what the detector may score."""
    return token.pos_ in CANDIDATE_POS and not (token.ent_type_ in NAME_LABELS and token.pos_ == "PROPN")


def checked_model_files(path: Path, weights_name: str, what: str) -> tuple[dict, bytes]:
    """A shipped model's ``model.json`` and its weights file's bytes, refused when the weights' sha256 is not
    the one ``model.json`` records (a changed file is never loaded)."""
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    blob = (path / weights_name).read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != meta["weights_sha256"]:
        raise RuntimeError(f"{what} {path / weights_name} do not match model.json "
                           f"(sha256 {digest}, expected {meta['weights_sha256']})")
    return meta, blob


@dataclass(frozen=True)
class SentenceWords:
    """A sentence's bounds (token indices) and its content words (``is_content_word``) with their lower-case
    lemmas, read once per sentence for all of its candidates."""

    start: int
    end: int
    content: list[Token]
    lemmas: list[str]
    position: dict[int, int]  # token index → its place in ``content``


def sentence_words(sent: Span) -> SentenceWords:
    """The content words of ``sent`` as every candidate of it reads them (``window_features``)."""
    content = [t for t in sent if is_content_word(t)]
    return SentenceWords(sent.start, sent.end, content, [t.lemma_.lower() for t in content],
                         {t.i: k for k, t in enumerate(content)})


def window_features(token: Token, lemma: str, words: SentenceWords | None = None) -> list[str]:
    """The lemma paired with each content word (verb, noun, adjective, not a name) up to three content
    words away in its sentence: the sense clues a parse may not link ("virus ... attacks ... lungs").
    ``words``: the sentence's content words when the caller has read them (``sentence_words``)."""
    if words is None:
        words = sentence_words(token.sent)
    at = words.position.get(token.i)
    if at is None:
        return []
    near = words.lemmas[max(0, at - WINDOW):at] + words.lemmas[at + 1:at + 1 + WINDOW]
    return list(dict.fromkeys(f"lwin={lemma}|{other}" for other in near))


class DocTokens:
    """The token attributes ``token_features`` reads, of every token of one Doc, as Python lists read with one
    ``Doc.to_array``: ``lemma`` (lower-cased), ``lower``, ``pos``, ``tag``, ``dep``, ``ent`` (``ent_type_``) and
    ``head`` (an index), with each token's children (``children``). The same values as ``Token.lemma_.lower()``,
    ``lower_``, ``pos_``, ``tag_``, ``dep_``, ``ent_type_``, ``head.i`` and ``[c.i for c in token.children]``;
    without a ``Token`` object per access (spaCy makes a new one each time) or a string-store look-up and a
    ``lower()`` per access (one per distinct value of the Doc)."""

    __slots__ = ("lemma", "lower", "pos", "tag", "dep", "ent", "head", "_order", "_first", "_last")

    def __init__(self, doc: Doc):
        columns = doc.to_array([LEMMA, LOWER, POS, TAG, DEP, ENT_TYPE, HEAD]).reshape(len(doc), 7)
        strings = doc.vocab.strings

        def names(column: np.ndarray, lower: bool = False) -> list[str]:
            ids, inverse = np.unique(column, return_inverse=True)
            values = [strings[value] for value in ids.tolist()]
            if lower:
                values = [value.lower() for value in values]
            return np.array(values, dtype=object)[inverse.reshape(-1)].tolist()

        self.lemma = names(columns[:, 0], lower=True)
        self.lower = names(columns[:, 1])
        self.pos = names(columns[:, 2])
        self.tag = names(columns[:, 3])
        self.dep = names(columns[:, 4])
        self.ent = names(columns[:, 5])
        # HEAD is the offset to the head, stored as unsigned: back to signed, plus the token's own index
        heads = np.arange(len(doc), dtype=np.int64) + columns[:, 6].astype(np.int64)
        self.head = heads.tolist()
        # children of token i: the tokens whose head is i (but i), in order — a stable sort by head
        order = np.argsort(heads, kind="stable")
        by_head = heads[order]
        everyone = np.arange(len(doc), dtype=np.int64)
        self._order = order.tolist()
        self._first = np.searchsorted(by_head, everyone, side="left").tolist()
        self._last = np.searchsorted(by_head, everyone, side="right").tolist()

    def children(self, i: int) -> list[int]:
        """The indices of the tokens whose head is token ``i`` (``Token.children``), in order."""
        return [j for j in self._order[self._first[i]:self._last[i]] if j != i]

    def is_content_word(self, i: int) -> bool:
        """``is_content_word`` of token ``i``."""
        pos = self.pos[i]
        return pos in CANDIDATE_POS and not (self.ent[i] in NAME_LABELS and pos == "PROPN")

    def entity_label(self, i: int, labels: dict[int, str]) -> str:
        """``_entity_label`` of token ``i``."""
        label = labels.get(i)
        if label:
            return label
        if self.lower[i] in _PRONOUNS:
            return "PRON"
        for child in self.children(i):
            if self.dep[child] in ("compound", "poss", "amod") and labels.get(child):
                return labels[child]
        return ""

    def subject(self, i: int) -> int | None:
        """``_subject`` of token ``i`` (its ``node.head is node`` never holds: spaCy makes a new Token per access)."""
        node = i
        for _ in range(3):
            for child in self.children(node):
                if self.dep[child] in ("nsubj", "csubj"):
                    return child
            if self.dep[node] not in _SUBJECT_CLIMB:
                return None
            node = self.head[node]
        return None


class FeatureColumns:
    """The model's feature columns by the parts of their names: ``plain[template][value]`` is the column of
    "<template>=<value>", ``by_lemma[lemma][k][rest]`` that of "<LEMMA_TEMPLATES[k]>=<lemma>|<rest>" for a lemma of
    the detector's candidates. Every split of a name at a "|" whose left side is such a lemma is kept, so a look-up
    by parts finds exactly the column of the name those parts make (``column.get(f"lc={lemma}|{dep}|{word}")`` is
    ``by_lemma[lemma][LC].get(f"{dep}|{word}")``), without formatting the whole name and with the rest's hash
    shared by the plain and the lemma's template ("c=" and "lc=")."""

    def __init__(self, features: list[str], lemmas: Iterable[str], prior: LexiconPrior | None = None):
        lemmas = frozenset(lemmas)
        self.prior = prior or {}  # read by the "lex=" features (``lexicon_features``)
        slot = {template: k for k, template in enumerate(LEMMA_TEMPLATES)}
        self.plain: dict[str, dict[str, int]] = {template: {} for template in PLAIN_TEMPLATES}
        self.by_lemma: dict[str, tuple[dict[str, int], ...]] = {}
        for col, name in enumerate(features):
            template, _, value = name.partition("=")
            k = slot.get(template)
            if k is None:
                self.plain.setdefault(template, {})[value] = col
                continue
            at = value.find("|")
            while at >= 0:
                lemma = value[:at]
                if lemma in lemmas:
                    if lemma not in self.by_lemma:
                        self.by_lemma[lemma] = tuple({} for _ in LEMMA_TEMPLATES)
                    self.by_lemma[lemma][k][value[at + 1:]] = col
                at = value.find("|", at + 1)
        self.none = tuple({} for _ in LEMMA_TEMPLATES)  # a lemma without lemma features

    def of(self, t: DocTokens, i: int, labels: dict[int, str], bounds: tuple[int, int], near: list[str]) -> list[int]:
        """The columns of ``token_features`` of token ``i`` (of the sentence whose tokens are ``range(*bounds)``,
        whose content-word lemmas up to ``WINDOW`` content words around it are ``near``), each once, in the order
        of the names: ``[column[n] for n in dict.fromkeys(token_features(...)) if n in column]``. (A template
        holds no "=", so names of different templates never coincide: only the children's can repeat.)"""
        plain = self.plain
        lemma, pos, tag, dep, lower = t.lemma[i], t.pos[i], t.tag[i], t.dep[i], t.lower
        lp, ld, lt, lh, lw_1, lw1, lpp, lpo, lpe, lc, lce, lse, lwin = self.by_lemma.get(lemma, self.none)
        head = t.head[i]
        head_lemma = t.lemma[head]
        start, end = bounds
        cols = [
            plain["l"].get(lemma), plain["p"].get(pos), plain["t"].get(tag), plain["d"].get(dep), lp.get(pos),
            ld.get(dep), lt.get(tag), plain["w"].get(lower[i]), plain["h"].get(head_lemma), lh.get(head_lemma),
            plain["hd"].get(f"{dep}|{t.pos[head]}"), plain["e"].get(t.ent[i] or "-"),
        ]
        if i > start:
            prev = lower[i - 1]
            cols += [plain["w-1"].get(prev), lw_1.get(prev)]
        if i + 1 < end:
            nxt = lower[i + 1]
            cols += [plain["w+1"].get(nxt), lw1.get(nxt)]
        children = t.children(i)
        args: list[int | None] = []
        for child in children:
            child_dep = t.dep[child]
            if child_dep in ("prep", "agent"):
                prep = lower[child]
                args += [plain["pp"].get(prep), lpp.get(prep)]
                for obj in t.children(child):
                    if t.dep[obj] == "pobj":
                        words = f"{prep}|{t.lemma[obj]}"
                        kinds = f"{prep}|{t.entity_label(obj, labels) or '-'}"
                        args += [plain["po"].get(words), lpo.get(words), plain["pe"].get(kinds), lpe.get(kinds)]
            elif child_dep in _ARG_DEPS:
                words = f"{child_dep}|{t.lemma[child]}"
                kinds = f"{child_dep}|{t.entity_label(child, labels) or '-'}"
                args += [plain["c"].get(words), lc.get(words), plain["ce"].get(kinds), lce.get(kinds)]
        # the children's features may repeat ("ce=amod|-" of two adjectives): each column once
        cols += dict.fromkeys(args)
        subject = t.subject(i)
        subject_ent = (t.entity_label(subject, labels) or "-") if subject is not None else "none"
        # (token_features' ``head is not token`` always holds, the root's too: a new Token per access)
        cols += [plain["se"].get(subject_ent), lse.get(subject_ent), plain["hc"].get(f"{t.dep[head]}|{head_lemma}")]
        cols += [lwin.get(other) for other in dict.fromkeys(near)]
        prior = self.prior
        if prior:
            preps = {lower[child] for child in children if t.dep[child] in ("prep", "agent")}
            found = [code if prep is None else f"{code}|prep"
                     for code, prep in prior.get((lemma, pos), []) if prep is None or prep in preps]
            if not found and any((lemma, other) in prior for other in ("VERB", "NOUN")):
                found.append("listed-otherwise")
            cols += [plain["lex"].get(value) for value in dict.fromkeys(found)]
        return [c for c in cols if c is not None]


@dataclass(frozen=True)
class Detection:
    """One candidate's decision: the most likely event type (never NONE) and its calibrated probability."""

    token: Token
    code: str
    confidence: float


@dataclass(frozen=True)
class LinearWeights:
    """A multinomial logistic model: a weight row per sparse feature, a block for the token vector, a bias."""

    classes: list[str]
    features: list[str]
    weights: np.ndarray  # (features, classes)
    dense: np.ndarray  # (tensor width, classes)
    bias: np.ndarray


class EventDetector:
    """A trained multinomial logistic model over candidate words; numpy only at inference."""

    def __init__(self, model: LinearWeights, lemmas: Iterable[str], calibration: dict[str, dict[str, list[float]]],
                 threshold: float, prior: LexiconPrior | None = None):
        self.model = model
        self.classes = model.classes
        self.lemmas = frozenset(lemmas)
        self.none_index = model.classes.index(NONE)
        # Per event type (and "*" for types too rare to calibrate alone): "x"/"y" knots mapping the raw
        # probability of that type to the measured share of such detections that are right.
        self.calibration = calibration
        # The same knots as float64 arrays, what np.interp converts the lists to on every call otherwise.
        self._knot_arrays = {code: {axis: np.asarray(values, dtype=np.float64) for axis, values in knots.items()}
                             for code, knots in calibration.items()}
        self.threshold = threshold  # calibrated confidence below which no mention is emitted
        self.prior = prior or {}  # the trigger lexicon the model was trained with (``lexicon_features``)
        # the columns of ``token_features``' names by their parts, what ``detect_doc`` looks up
        self.columns = FeatureColumns(model.features, self.lemmas, self.prior)

    @cached_property
    def column(self) -> dict[str, int]:
        """Feature name → column: what ``probabilities_of`` (training's features by name) reads; a run's Docs
        are scored through ``columns`` and never build it."""
        return {name: i for i, name in enumerate(self.model.features)}

    @classmethod
    def load(cls, path: Path | None = None) -> "EventDetector":
        """The detector shipped in ``transforms/models/event_detector`` (or ``path``); its hash is checked."""
        if path is None:
            with resources.as_file(resources.files("dateline.transforms") / _MODEL_DIR) as folder:
                return cls.load(Path(folder))
        meta, blob = checked_model_files(path, "weights.npz", "event detector weights")
        knots = meta["calibration"]
        if "x" in knots:  # a detector trained before per-type calibration: one map for every type
            knots = {ANY_TYPE: knots}
        prior: LexiconPrior = {}
        for lemma, pos, code, prep in meta.get("lexicon", []):
            prior.setdefault((lemma, pos), []).append((code, prep))
        with np.load(path / "weights.npz") as arrays:
            model = LinearWeights(meta["classes"], meta["features"], arrays["weights"].astype(np.float32),
                                  arrays["dense"], arrays["bias"])
        return cls(model, meta["lemmas"], knots, meta["threshold"], prior)

    def save(self, folder: Path, about: dict) -> None:
        """Write ``weights.npz`` and ``model.json`` (what ``load`` reads, with the hash of the weights)."""
        folder.mkdir(parents=True, exist_ok=True)
        weights = folder / "weights.npz"
        # sparse weights as float16: half the file; the test split's figures move by at most 0.002 (with MIN_WEIGHT)
        np.savez_compressed(weights, weights=self.model.weights.astype(np.float16), dense=self.model.dense,
                            bias=self.model.bias)
        meta = {"classes": self.classes, "lemmas": sorted(self.lemmas), "calibration": self.calibration,
                "threshold": self.threshold, "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
                "about": about, "features": self.model.features,
                "lexicon": [[lemma, pos, code, prep] for (lemma, pos), entries in sorted(self.prior.items())
                            for code, prep in entries]}
        (folder / "model.json").write_text(json.dumps(meta, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")

    def probabilities_of(self, features: list[list[str]], tensors: np.ndarray | None) -> np.ndarray:
        """Class probabilities (rows × classes) from each row's feature names and token vectors."""
        column = self.column
        # binary, as trained: one dict look-up per distinct name
        return self._probabilities([[c for c in map(column.get, dict.fromkeys(names)) if c is not None]
                                    for names in features], tensors)

    def _probabilities(self, columns: list[list[int]], tensors: np.ndarray | None) -> np.ndarray:
        """Class probabilities from each row's distinct feature columns (in the order of its names) and vectors."""
        scores = np.tile(self.model.bias, (len(columns), 1))
        if tensors is not None and self.model.dense.shape[0]:
            scores += tensors @ self.model.dense
        # Every row's weight rows in one gather and one segmented sum (``np.add.reduceat`` adds each
        # segment's rows in order, as ``weights[cols].sum(axis=0)`` per row did: the same float32 sums).
        owners, starts, flat = [], [], []
        for row, cols in enumerate(columns):
            if cols:
                owners.append(row)
                starts.append(len(flat))
                flat.extend(cols)
        if flat:
            scores[owners] += np.add.reduceat(self.model.weights[flat], starts, axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def calibrate(self, raw: float, code: str, repeat: bool = False) -> float:
        """The measured probability that a ``code`` detection with raw probability ``raw`` is right (for a
        ``repeat``, one of a type its sentence has a more probable detection of, after the repeat map)."""
        return calibrate(self._knot_arrays, raw, code, repeat)

    def detect(self, sent: Span, labels: dict[int, str]) -> Iterator[Detection]:
        """The detections of one sentence whose calibrated confidence reaches the threshold."""
        yield from self.detect_doc(sent.doc, labels, [sent]).get(sent.start, [])

    def detect_doc(self, doc: Doc, labels: dict[int, str],
                   sents: Iterable[Span] | None = None) -> dict[int, list[Detection]]:
        """The detections of every sentence of ``doc`` (or of ``sents``) whose calibrated confidence reaches the
        threshold, by the sentence's first token index.

        One model pass per Doc: the candidates of all sentences are scored together (each sentence's content
        words read once for its candidates' window features), so numpy's per-call cost is paid once per Doc,
        not once per sentence; the repeat flags are still per sentence."""
        table = DocTokens(doc)
        lemma, known, of = table.lemma, self.lemmas, self.columns.of
        content_word = [pos in CANDIDATE_POS and not (ent in NAME_LABELS and pos == "PROPN")
                        for pos, ent in zip(table.pos, table.ent, strict=True)]  # is_content_word
        starts, counts, tokens, columns = [], [], [], []
        for sent in doc.sents if sents is None else sents:
            start, end = sent.start, sent.end
            content = [i for i in range(start, end) if content_word[i]]
            lemmas = [lemma[i] for i in content]
            # a candidate: a content word whose lemma is a known trigger lemma
            found = [k for k, word in enumerate(lemmas) if word in known]
            if found:
                starts.append(start)
                counts.append(len(found))
                for k in found:
                    tokens.append(content[k])
                    near = lemmas[max(0, k - WINDOW):k] + lemmas[k + 1:k + 1 + WINDOW]  # window_features
                    columns.append(of(table, content[k], labels, (start, end), near))
        if not tokens:
            return {}
        tensors = None
        if doc.tensor is not None and doc.tensor.shape[0] == len(doc):
            tensors = doc.tensor[tokens]
        probs = self._probabilities(columns, tensors)
        probs_events = probs.copy()
        probs_events[:, self.none_index] = -1.0
        best = probs_events.argmax(axis=1)
        raws = probs[np.arange(len(tokens)), best].tolist()
        codes = [self.classes[k] for k in best.tolist()]
        repeats: list[bool] = []
        at = 0
        for count in counts:
            repeats.extend(repeat_flags(codes[at:at + count], raws[at:at + count]))
            at += count
        confidences = self.calibrate_all(raws, codes, repeats)
        out: dict[int, list[Detection]] = {}
        at = 0
        for start, count in zip(starts, counts, strict=True):
            kept = [Detection(doc[i], code, round(confidence, 3)) for i, code, confidence
                    in zip(tokens[at:at + count], codes[at:at + count], confidences[at:at + count], strict=True)
                    if confidence >= self.threshold]
            if kept:
                out[start] = kept
            at += count
        return out

    def calibrate_all(self, raws: list[float], codes: list[str], repeats: list[bool]) -> list[float]:
        """``calibrate`` of every (raw, code, repeat), one ``np.interp`` per type (the same values)."""
        knots = self._knot_arrays
        raw = np.asarray(raws, dtype=np.float64)
        values = np.empty_like(raw)
        code_of = np.asarray(codes)
        for code in dict.fromkeys(codes):
            own = knots.get(code) or knots[ANY_TYPE]
            rows = code_of == code
            values[rows] = np.interp(raw[rows], own["x"], own["y"])
        if REPEAT in knots:
            flagged = np.asarray(repeats, dtype=bool)
            if flagged.any():
                values[flagged] = np.interp(values[flagged], knots[REPEAT]["x"], knots[REPEAT]["y"])
        return values.tolist()


def repeat_flags(codes: list[str], probs: list[float]) -> list[bool]:
    """Per detection of one sentence (in token order): is it a repeat, i.e. does the sentence hold a more
    probable detection of the same type (on a tie, an earlier one)?"""
    top: dict[str, int] = {}
    for i, (code, prob) in enumerate(zip(codes, probs, strict=True)):
        if code not in top or prob > probs[top[code]]:
            top[code] = i
    return [top[code] != i for i, code in enumerate(codes)]


def calibrate(knots: dict[str, dict[str, list[float]]], raw: float, code: str, repeat: bool = False) -> float:
    """``raw`` through the calibration map of ``code`` (else ``ANY_TYPE``'s), then, for a repeat, through
    the ``REPEAT`` map when the detector has one."""
    own = knots.get(code) or knots[ANY_TYPE]
    value = float(np.interp(raw, own["x"], own["y"]))
    if repeat and REPEAT in knots:
        value = float(np.interp(value, knots[REPEAT]["x"], knots[REPEAT]["y"]))
    return value
