"""Trigger words: which tokens of a sentence open an event mention, and of which category.

With the trained detector (``transforms.event_detector``) the detector types a word as one of the
17 categories with enough confidence and the lexicon (``data/event_triggers.csv``) only supplies
CONSULT's mode; without one, a verb or event noun of the lexicon is a trigger.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

import polars as pl
from dateline.transforms.event_detector import Detection, EventDetector
from spacy.tokens import Span, Token

if TYPE_CHECKING:
    from dateline.transforms.event_context_actors import ContextActorModel
    from dateline.transforms.modality_model import ModalityModel

TRIGGER_SCHEMA = pl.Schema(
    {"lemma": pl.String, "pos": pl.String, "prep": pl.String, "code": pl.String, "mode": pl.String,
     "note": pl.String}
)


_VERBAL = {"VERB": "VERB", "AUX": "VERB", "NOUN": "NOUN", "PROPN": "NOUN"}


@dataclass(frozen=True)
class TriggerEntry:
    code: str
    mode: str | None
    prep: str | None  # a particle or preposition the trigger must govern ("call for"), or None


@dataclass
class Lexicon:
    """The trigger lexicon as a lookup: (lemma, VERB|NOUN) → entries, specific (with prep) first.

    With a trained ``detector`` (``transforms.event_detector``) the detector decides which words are
    events of which type, and the lexicon only supplies CONSULT's mode; without one the lexicon decides.
    """

    entries: dict[tuple[str, str], list[TriggerEntry]] = field(default_factory=dict)
    detector: EventDetector | None = None
    # Head nouns of unnamed group actors ("protesters", "police"; ``event_groups``); none: names only.
    group_nouns: frozenset[str] = frozenset()
    # The trained fillers of the actor slots the rules leave empty (``event_context_actors``), run in this order
    # (actor1's, then actor2's); none: rules only.
    context_actors: "tuple[ContextActorModel, ...]" = ()
    # The trained classifier that revises the rules' modality of the finished rows where it is sure
    # (``modality_model``); none: the rules only.
    modality_model: "ModalityModel | None" = None

    def match(self, lemma: str, pos: str, preps: set[str]) -> TriggerEntry | None:
        for entry in self.entries.get((lemma, pos), ()):
            if entry.prep is None or entry.prep in preps:
                return entry
        return None


class FoundTrigger(NamedTuple):
    token: Token
    entry: TriggerEntry
    confidence: float | None  # the detector's probability; None when the lexicon found it


def find_triggers(sent: Span, lexicon: Lexicon, labels: dict[int, str],
                  detections: list[Detection] | None = None) -> list[FoundTrigger]:
    """The trigger words of a sentence: by the detector when the lexicon has one, else by the lexicon.

    ``labels`` are the entity labels of the tokens (``event_detector.mention_token_labels``) the detector reads;
    ``detections``: the detector's decisions for this sentence when the caller has scored the whole Doc
    (``EventDetector.detect_doc``), else the sentence is scored here.
    """
    if lexicon.detector is None:
        return _looked_up(sent, lexicon)
    if detections is None:
        detections = list(lexicon.detector.detect(sent, labels))
    return _detected(detections, lexicon)


def load_triggers() -> pl.DataFrame:
    """The shipped trigger lexicon (``data/event_triggers.csv``) as TRIGGER_SCHEMA rows."""
    source = resources.files("dateline.transforms") / "data" / "event_triggers.csv"
    with resources.as_file(source) as path:
        frame = pl.read_csv(path, infer_schema=False)
    return frame.select(TRIGGER_SCHEMA.names()).cast(TRIGGER_SCHEMA)


def build_lexicon(
    triggers: pl.DataFrame, detector: EventDetector | None = None, group_nouns: Iterable[str] = (),
    context_actors: "ContextActorModel | tuple[ContextActorModel, ...] | None | str" = "shipped",
    modality_model: "ModalityModel | None | str" = "shipped",
) -> Lexicon:
    """Index trigger rows (TRIGGER_SCHEMA) for per-token lookup, with the trained ``detector`` if given and
    the head nouns of unnamed group actors (``data/group_nouns.csv``) the argument rules may take.

    ``context_actors``: the fillers of empty actor slots (``event_context_actors``), one model or several (run
    in order). By default the shipped ones (actor1's, then actor2's) go with the trained detector (they were
    trained on the detector's mentions) and none with the lexicon alone; ``None`` turns them off (their own
    training runs the rules without the filler being trained). ``modality_model``: the classifier that revises the
    rules' modality (``modality_model``), likewise the shipped one with the trained detector, none with the lexicon
    alone; ``None`` keeps the rules' modality (its own training)."""
    if modality_model == "shipped":
        from dateline.transforms.modality_model import load_modality_model

        modality_model = load_modality_model() if detector is not None else None
    if context_actors == "shipped":
        from dateline.transforms.event_context_actors import load_context_model

        context_actors = (load_context_model(), load_context_model(slot="actor2")) if detector is not None else None
    if context_actors is None:
        fillers: tuple = ()
    elif isinstance(context_actors, tuple):
        fillers = context_actors
    else:
        fillers = (context_actors,)
    lexicon = Lexicon(detector=detector, group_nouns=frozenset(noun.lower() for noun in group_nouns),
                      context_actors=fillers, modality_model=modality_model)
    for row in triggers.iter_rows(named=True):
        entry = TriggerEntry(code=row["code"], mode=row["mode"] or None, prep=row["prep"] or None)
        lexicon.entries.setdefault((row["lemma"], row["pos"]), []).append(entry)
    for entries in lexicon.entries.values():
        entries.sort(key=lambda e: e.prep is None)
    return lexicon


def _looked_up(sent: Span, lexicon: Lexicon) -> list[FoundTrigger]:
    """Trigger words of a sentence by the lexicon alone (no trained detector)."""
    found = []
    for token in sent:
        entry = _trigger_entry(token, lexicon)
        if entry is not None:
            found.append(FoundTrigger(token, entry, None))
    return found


def _detected(detections: list[Detection], lexicon: Lexicon) -> list[FoundTrigger]:
    """Trigger words of a sentence as the trained detector typed them; CONSULT's mode from the lexicon."""
    found = []
    for hit in detections:
        mode = None
        if hit.code == "CONSULT":
            pos = _VERBAL.get(hit.token.pos_, "NOUN")
            preps = {c.lower_ for c in hit.token.children if c.dep_ in ("prep", "prt", "agent")}
            entry = lexicon.match(hit.token.lemma_.lower(), pos, preps)
            mode = entry.mode if entry is not None and entry.code == "CONSULT" else "meet"
        found.append(FoundTrigger(hit.token, TriggerEntry(code=hit.code, mode=mode, prep=None), hit.confidence))
    return found


def one_event_per_object(
    found: list[FoundTrigger], codes_at: dict[int, str], confidence_at: dict[int, float]
) -> list[FoundTrigger]:
    """A verb trigger and the noun trigger it governs are one event: the surer of the two types it.

    "imposed new sanctions" is one SANCTION even when the detector is surer of the noun than of the
    verb; the verb keeps its place (its arguments are the event's), the noun's type wins if surer.
    """
    out = []
    for token, entry, confidence in found:
        for child in token.children:
            if child.i in codes_at and child.head.i == token.i and governed_by_trigger(child, codes_at):
                if confidence_at[child.i] > (confidence or 0.0) and codes_at[child.i] != entry.code:
                    entry = TriggerEntry(code=codes_at[child.i], mode=entry.mode, prep=entry.prep)
                    confidence = confidence_at[child.i]
                    codes_at[token.i] = entry.code
        out.append(FoundTrigger(token, entry, confidence))
    return out


def governed_by_trigger(token: Token, codes_at: dict[int, str]) -> bool:
    """A noun trigger that is the object of a verb trigger is that verb's event, not a second one.

    "imposed sanctions" is one SANCTION, "eased sanctions" one CONCEDE, "threatened Russia with
    sanctions" one THREATEN; "in a video meeting, X supported Y" keeps both (an adjunct, not an object).
    """
    if token.pos_ not in ("NOUN", "PROPN") or token.head is token:
        return False
    head = token.head
    if token.dep_ in ("dobj", "obj", "nsubjpass") and head.i in codes_at:
        return True
    return token.dep_ == "pobj" and head.lower_ == "with" and head.head.i in codes_at and head.head.pos_ == "VERB"


def _trigger_entry(token: Token, lexicon: Lexicon) -> TriggerEntry | None:
    pos = _VERBAL.get(token.pos_)
    if pos is None:
        return None
    lemma = token.lemma_.lower()
    if lemma == "build" and pos == "NOUN" and _followed_by_up(token):
        lemma = "buildup"
    preps = {c.lower_ for c in token.children if c.dep_ in ("prep", "prt", "agent")}
    entry = lexicon.match(lemma, pos, preps)
    if entry is None:
        return None
    # Inside a name ("Cold War", "Defense Cooperation Agreement") a trigger word is not an event.
    if token.ent_type_ and token.ent_type_ not in ("DATE", "CARDINAL", "ORDINAL", "QUANTITY", "TIME"):
        return None
    return entry


def _followed_by_up(token: Token) -> bool:
    doc = token.doc
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if nxt is not None and nxt.lower_ == "up":
        return True
    return (
        nxt is not None and nxt.text == "-" and token.i + 2 < len(doc) and doc[token.i + 2].lower_ == "up"
    )
