"""Event mentions from spaCy Docs: who did what to whom, where, how many, and how sure the text is.

A trigger opens an event mention: a word the trained detector (``transforms.event_detector``) types
as one of the 17 categories with enough confidence, or, without a detector, a verb or event noun of
``data/event_triggers.csv``. Its arguments come from the dependency parse of the same Doc the entity step used, and actors are the
entity mentions of that document (matched by character offsets), so the events and the entities
share one ``nlp.pipe`` pass. Dates are kept as text here and anchored later (``transforms.dates``)
because anchoring needs the document's publication date.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from importlib import resources

import polars as pl
from spacy.tokens import Doc, Span, Token

from transforms.dates import is_duration, is_named_event
from transforms.event_detector import EventDetector, mention_token_labels

MODALITIES = ("asserted", "negated", "hypothetical", "planned")
QUAD_CLASSES = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
CONSULT_MODES = ("call", "visit", "meet")
# Categories whose participants are interchangeable: "Putin met Xi" is "Xi met Putin".
SYMMETRIC_CODES = frozenset({"CONSULT", "AGREE", "COOPERATE"})
# Categories where "how many" is part of the event (troops massed, aid sent, people killed).
QUANTITY_CODES = frozenset({"MOBILIZE", "AID", "ASSAULT", "FIGHT", "COERCE", "RETREAT", "PROTEST", "SANCTION"})

EVENT_TYPE_SCHEMA = pl.Schema(
    {"event_type_key": pl.String, "code": pl.String, "name": pl.String, "quad_class": pl.String,
     "description": pl.String}
)
TRIGGER_SCHEMA = pl.Schema(
    {"lemma": pl.String, "pos": pl.String, "prep": pl.String, "code": pl.String, "mode": pl.String,
     "note": pl.String}
)
_SPANS = pl.List(pl.Int64)
EVENT_MENTION_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "sentence_index": pl.Int64,
        "sentence_start": pl.Int64,  # offsets into the stored body
        "sentence": pl.String,
        "trigger_start": pl.Int64,
        "trigger_end": pl.Int64,
        "trigger": pl.String,  # exactly body[trigger_start:trigger_end]
        "trigger_lemma": pl.String,
        "event_code": pl.String,  # dim_event_type.code
        "mode": pl.String,  # CONSULT only: call / visit / meet
        "modality": pl.String,  # asserted / negated / hypothetical / planned
        "confidence": pl.Float64,
        # Actor and location spans are entity-mention offsets of the same document (start, end pairs).
        "actor1_starts": _SPANS,
        "actor1_ends": _SPANS,
        "actor2_starts": _SPANS,
        "actor2_ends": _SPANS,
        "location_start": pl.Int64,
        "location_end": pl.Int64,
        "quantity": pl.Float64,
        "quantity_unit": pl.String,
        "quantity_text": pl.String,
        "date_text": pl.String,  # the date expression attached to the trigger, unanchored
        "tense": pl.String,  # past / future: which way a bare weekday or month points
    }
)

_VERBAL = {"VERB": "VERB", "AUX": "VERB", "NOUN": "NOUN", "PROPN": "NOUN"}
_SUBJ = {"nsubj", "csubj"}
_PASS_SUBJ = {"nsubjpass", "csubjpass"}
_OBJ = {"dobj", "obj", "dative", "attr", "oprd"}
_ACTOR2_PREPS = {"with", "against", "on", "to", "between", "of", "for", "from", "at", "toward", "towards",
                 "into"}
_PLACE_PREPS = {"in", "at", "near", "around", "along", "to", "into", "across", "inside", "within"}
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_PERSONAL_PRONOUNS = {"he", "she", "his", "her", "him"}
# Resolved only as the speaker of their clause ("Russia said it would ..."), never by distance.
_GROUP_PRONOUNS = {"it", "its", "they", "their", "them"}
# "in a call", "during his visit": a noun trigger in these frames shares its clause's participants.
_FRAME_PREPS = frozenset({"in", "during", "at", "after", "before"})
# "for" frames only gatherings one goes to ("head to Helsinki for a meeting"); "blamed Ukraine for the
# buildup" gives a reason, not a frame.
_GATHERING_NOUNS = frozenset({
    "meeting", "visit", "trip", "summit", "talk", "call", "conversation", "negotiation", "discussion",
    "consultation",
})
_RELATIVE_PRONOUNS = {"who", "whom", "that", "which"}
# Nouns whose possessor is acted upon: "Khashoggi's killing", "Cohen's arrest".
_PATIENT_NOUNS = frozenset({
    "arrest", "detention", "impeachment", "indictment", "conviction", "prosecution", "deportation",
    "expulsion", "extradition", "killing", "murder", "assassination", "execution", "ouster", "firing",
    "sentencing", "abduction", "kidnapping", "capture", "imprisonment", "jailing", "release",
})
# A withdrawal *from* a place: the place is what is left, not who leaves.
_FROM_PLACE_NOUNS = frozenset({"withdrawal", "pullout", "retreat", "exit", "departure", "evacuation"})
# "faced criticism", "got aid", "won support from X": the subject is the one the noun's act is aimed at.
_RECEIVE_VERBS = frozenset({
    "face", "receive", "draw", "get", "suffer", "endure", "attract", "win", "earn", "gain", "garner",
    "survive", "escape", "avoid", "deserve",
})
# "urged Congress to act": the object does what the infinitive says.
_OBJECT_CONTROL = frozenset({
    "urge", "ask", "call", "press", "pressure", "force", "tell", "order", "encourage", "persuade",
    "push", "invite", "direct", "instruct", "allow", "authorize", "require", "compel", "advise",
    "implore", "beg", "convince", "lead", "prompt", "warn",
})
_SPEECH_VERBS = frozenset({
    "say", "tell", "announce", "claim", "state", "add", "insist", "warn", "argue", "write", "tweet",
    "declare", "confirm", "vow", "suggest", "indicate", "signal", "note", "explain", "acknowledge",
    "contend", "predict", "promise", "pledge", "threaten", "admit", "repeat", "reiterate",
})
# "the president" → the closest earlier "President ..." person; "the company" → a recent organization subject.
_ROLE_NOUNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "president": ("PERSON", ("president",)),
    "senator": ("PERSON", ("sen.", "senator")),
    "governor": ("PERSON", ("gov.", "governor")),
    "congressman": ("PERSON", ("rep.", "representative", "congressman")),
    "congresswoman": ("PERSON", ("rep.", "representative", "congresswoman")),
    "chancellor": ("PERSON", ("chancellor",)),
    "mayor": ("PERSON", ("mayor",)),
    "pope": ("PERSON", ("pope",)),
    "counsel": ("PERSON", ("counsel",)),
    "ambassador": ("PERSON", ("ambassador",)),
    "leader": ("PERSON", ("leader",)),
    "company": ("ORG", ()),
    "firm": ("ORG", ()),
}
_ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC"}
_CLIMB_DEPS = {"xcomp", "acl", "advcl", "conj", "ccomp", "relcl", "pcomp", "dobj", "pobj", "prep"}
_DENY = {"deny", "refute", "dismiss"}
# "she is open to supporting": an adjectival complement's subject does what it is ready to do.
_ACTOR_CLIMB_DEPS = _CLIMB_DEPS | {"acomp"}
_COMPLEMENT_DEPS = {"xcomp", "ccomp", "dobj", "obj", "acl", "pcomp", "nsubjpass"}
_HYPOTHETICAL_AUX = {"might", "may", "could", "would", "can", "should"}
_HYPOTHETICAL_HEADS = {"fear", "possibility", "prospect", "risk", "threat", "if", "suggestion",
                       "feared", "worry", "signal", "pretext", "potential", "wonder", "whether"}
_HYPOTHETICAL_MODS = {"possible", "potential", "imminent", "eventual", "hypothetical", "likely"}
_PLAN_HEADS = {"plan", "schedule", "intend", "prepare", "expect", "vow", "promise", "pledge", "aim",
               "agree", "decide", "go", "want", "seek", "hope", "scheduled"}
_CALL_MODIFIERS = {"video", "phone", "telephone", "virtual", "online"}
_JOINT = {"joint", "combined", "bilateral", "trilateral"}
_NON_UNITS = {"year", "month", "week", "day", "hour", "minute", "time", "percent", "%", "per", "of"}
_QUANTITY = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s(?:thousand|million|billion))?|tens of thousands|"
    r"hundreds of thousands|thousands|hundreds|dozens)\s+(?:of\s+)?(?:[A-Za-z-]+\s+){0,2}?"
    r"(?P<unit>aircraft|personnel|[a-z]+s)\b"
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_DAY_IN_PARENS = re.compile(r"^\s*\(\d{1,2}\)")


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

    def match(self, lemma: str, pos: str, preps: set[str]) -> TriggerEntry | None:
        for entry in self.entries.get((lemma, pos), ()):
            if entry.prep is None or entry.prep in preps:
                return entry
        return None


def load_event_types() -> pl.DataFrame:
    """The shipped event categories (``data/event_types.csv``) as EVENT_TYPE_SCHEMA rows."""
    from transforms.keys import make_key

    source = resources.files("transforms") / "data" / "event_types.csv"
    with resources.as_file(source) as path:
        frame = pl.read_csv(path, schema_overrides={c: pl.String for c in ("code", "name", "quad_class")})
    return frame.select(
        event_type_key=pl.col("code").map_elements(make_key, return_dtype=pl.String),
        code="code",
        name="name",
        quad_class="quad_class",
        description="description",
    ).cast(EVENT_TYPE_SCHEMA)


def load_triggers() -> pl.DataFrame:
    """The shipped trigger lexicon (``data/event_triggers.csv``) as TRIGGER_SCHEMA rows."""
    source = resources.files("transforms") / "data" / "event_triggers.csv"
    with resources.as_file(source) as path:
        frame = pl.read_csv(path, infer_schema=False)
    return frame.select(TRIGGER_SCHEMA.names()).cast(TRIGGER_SCHEMA)


def build_lexicon(triggers: pl.DataFrame, detector: EventDetector | None = None) -> Lexicon:
    """Index trigger rows (TRIGGER_SCHEMA) for per-token lookup, with the trained ``detector`` if given."""
    lexicon = Lexicon(detector=detector)
    for row in triggers.iter_rows(named=True):
        entry = TriggerEntry(code=row["code"], mode=row["mode"] or None, prep=row["prep"] or None)
        lexicon.entries.setdefault((row["lemma"], row["pos"]), []).append(entry)
    for entries in lexicon.entries.values():
        entries.sort(key=lambda e: e.prep is None)
    return lexicon


class _MentionIndex:
    """Entity-mention rows of one document, looked up by character offset."""

    def __init__(self, mentions: list[dict]):
        rows = sorted(mentions, key=lambda m: (m["start_char"], m["end_char"]))
        self.rows = rows
        self.starts = [m["start_char"] for m in rows]

    def at(self, char: int) -> dict | None:
        i = bisect_right(self.starts, char) - 1
        if i >= 0 and char < self.rows[i]["end_char"]:
            return self.rows[i]
        return None


def doc_events(
    document_key: str, doc: Doc, mentions: list[dict], lexicon: Lexicon, text: str | None = None
) -> list[dict]:
    """One EVENT_MENTION_SCHEMA row (as a dict) per trigger found in ``doc``.

    ``mentions`` are this document's entity-mention rows (entities.doc_mentions); an actor is kept only
    when its token falls inside one of them, so every actor resolves to a canonical entity later.
    A noun trigger governed by a verb trigger of the same category ("impose sanctions") gives one
    event, not two. ``text`` is the Doc's own text when the caller has it (``Doc.text`` rebuilds it).
    """
    if not doc.has_annotation("DEP"):
        return []
    index = _MentionIndex(mentions)
    # Doc.text joins every token on each call: read it once per Doc, not once per trigger.
    text = doc.text if text is None else text
    # Span.ents re-reads Doc.ents on every call: the DATE entities are read once per Doc.
    date_ents = [ent for ent in doc.ents if ent.label_ == "DATE"]
    labels = mention_token_labels(doc, mentions) if lexicon.detector is not None else {}
    rows: list[dict] = []
    for sent_index, sent in enumerate(doc.sents):
        found = _detected(sent, lexicon, labels) if lexicon.detector is not None else _looked_up(sent, lexicon, index)
        if not found:
            continue
        codes_at = {token.i: entry.code for token, entry, _ in found}
        confidence_at = {token.i: confidence or 0.0 for token, _, confidence in found}
        found = _one_event_per_object(found, codes_at, confidence_at)
        sentence_rows: list[dict] = []
        for token, entry, confidence in found:
            if _governed_by_trigger(token, codes_at):
                continue
            sentence_rows.append(
                _event_row(document_key, text, date_ents, sent_index, sent, token, entry, index, confidence)
            )
        rows.extend(_merge_sentence_rows(sentence_rows))
    return rows


def _looked_up(sent: Span, lexicon: Lexicon, index: "_MentionIndex") -> list[tuple[Token, TriggerEntry, None]]:
    """Trigger words of a sentence by the lexicon alone (no trained detector)."""
    found = []
    for token in sent:
        entry = _trigger_entry(token, lexicon, index)
        if entry is not None:
            found.append((token, entry, None))
    return found


def _detected(sent: Span, lexicon: Lexicon, labels: dict[int, str]) -> list[tuple[Token, TriggerEntry, float]]:
    """Trigger words of a sentence as the trained detector types them; CONSULT's mode from the lexicon."""
    found = []
    for hit in lexicon.detector.detect(sent, labels):
        mode = None
        if hit.code == "CONSULT":
            pos = _VERBAL.get(hit.token.pos_, "NOUN")
            preps = {c.lower_ for c in hit.token.children if c.dep_ in ("prep", "prt", "agent")}
            entry = lexicon.match(hit.token.lemma_.lower(), pos, preps)
            mode = entry.mode if entry is not None and entry.code == "CONSULT" else "meet"
        found.append((hit.token, TriggerEntry(code=hit.code, mode=mode, prep=None), hit.confidence))
    return found


def _one_event_per_object(found: list, codes_at: dict[int, str], confidence_at: dict[int, float]) -> list:
    """A verb trigger and the noun trigger it governs are one event: the surer of the two types it.

    "imposed new sanctions" is one SANCTION even when the detector is surer of the noun than of the
    verb; the verb keeps its place (its arguments are the event's), the noun's type wins if surer.
    """
    out = []
    for token, entry, confidence in found:
        for child in token.children:
            if child.i in codes_at and child.head.i == token.i and _governed_by_trigger(child, codes_at):
                if confidence_at[child.i] > (confidence or 0.0) and codes_at[child.i] != entry.code:
                    entry = TriggerEntry(code=codes_at[child.i], mode=entry.mode, prep=entry.prep)
                    confidence = confidence_at[child.i]
                    codes_at[token.i] = entry.code
        out.append((token, entry, confidence))
    return out


def _governed_by_trigger(token: Token, codes_at: dict[int, str]) -> bool:
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


def _merge_sentence_rows(rows: list[dict]) -> list[dict]:
    """One row per event within a sentence: "a video conversation ..., Biden spoke with Putin" is one CONSULT.

    Two rows of the same category and modality merge when one's participants contain the other's; the
    better-attested row (higher confidence, then earlier) is kept and fills its gaps from the other.
    """
    kept: list[dict] = []
    for row in sorted(rows, key=lambda r: (-r["confidence"], r["trigger_start"])):
        mine = set(row["actor1_starts"]) | set(row["actor2_starts"])
        for other in kept:
            theirs = set(other["actor1_starts"]) | set(other["actor2_starts"])
            if other["event_code"] == row["event_code"] and other["modality"] == row["modality"] and (
                mine <= theirs or theirs <= mine
            ):
                for column in ("date_text", "quantity", "quantity_unit", "quantity_text", "location_start",
                               "location_end"):
                    if other[column] is None:
                        other[column] = row[column]
                if row["mode"] == "call":
                    other["mode"] = "call"
                break
        else:
            kept.append(row)
    return sorted(kept, key=lambda r: r["trigger_start"])


def _trigger_entry(token: Token, lexicon: Lexicon, index: _MentionIndex) -> TriggerEntry | None:
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


def _event_row(
    document_key: str, text: str, date_ents: list[Span], sent_index: int, sent: Span, trigger: Token,
    entry: TriggerEntry, index: _MentionIndex, detected: float | None = None,
) -> dict:
    is_noun = trigger.pos_ in ("NOUN", "PROPN")
    pred = _predicate(trigger) if is_noun else trigger
    actor1 = _actor1(trigger, pred, is_noun, index)
    actor2 = _actor2(trigger, pred, is_noun, index, exclude={s for s, _ in actor1})
    code = entry.code
    mode = entry.mode
    mods = {c.lemma_.lower() for c in trigger.children if c.dep_ in ("compound", "amod", "nmod")}
    if code == "CONSULT" and mods & _CALL_MODIFIERS:
        mode = "call"
    if trigger.lemma_.lower() in ("exercise", "patrol", "drill") and code in ("COOPERATE", "MOBILIZE"):
        code = "COOPERATE" if mods & _JOINT else "MOBILIZE"
    if code in SYMMETRIC_CODES and not actor1 and len(actor2) >= 2:
        actor1, actor2 = actor2[:1], actor2[1:]
    if code in SYMMETRIC_CODES and not actor2 and len(actor1) >= 2:
        # "Macron and Merkel met": one is the other's counterpart
        actor1, actor2 = actor1[:1], actor1[1:]
    location = _location(trigger, pred, index, exclude={s for s, _ in actor1 + actor2})
    if location is None and mode == "visit":
        location = next((span for span in actor2 if _label_at(index, span[0]) in _PLACE_LABELS), None)
    modality = _modality(trigger, pred)
    quantity = _quantity(trigger, pred, text) if code in QUANTITY_CODES else None
    date_text = _date_text(trigger, pred, sent, text, date_ents)
    if detected is not None:
        confidence = detected
    else:  # lexicon only: how much of the event the sentence attests
        confidence = 0.4 + (0.3 if actor1 else 0.0) + (0.2 if actor2 else 0.0) + (0.1 if date_text else 0.0)
    return {
        "document_key": document_key,
        "sentence_index": sent_index,
        "sentence_start": sent.start_char,
        "sentence": sent.text,
        "trigger_start": trigger.idx,
        "trigger_end": trigger.idx + len(trigger.text),
        "trigger": trigger.text,
        "trigger_lemma": trigger.lemma_.lower(),
        "event_code": code,
        "mode": mode if code == "CONSULT" else None,
        "modality": modality,
        "confidence": round(confidence, 2),
        "actor1_starts": [s for s, _ in actor1],
        "actor1_ends": [e for _, e in actor1],
        "actor2_starts": [s for s, _ in actor2],
        "actor2_ends": [e for _, e in actor2],
        "location_start": location[0] if location else None,
        "location_end": location[1] if location else None,
        "quantity": quantity[0] if quantity else None,
        "quantity_unit": quantity[1] if quantity else None,
        "quantity_text": quantity[2] if quantity else None,
        "date_text": date_text,
        "tense": _tense(trigger, pred, modality),
    }


def _predicate(noun: Token) -> Token:
    """The verb whose clause carries a noun trigger's arguments ("have a call", "impose sanctions")."""
    head = noun.head
    if noun.dep_ in ("dobj", "obj", "nsubjpass", "attr", "nsubj", "oprd") and head.pos_ in ("VERB", "AUX"):
        return head
    if noun.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        return head.head
    return noun


def _actor1(trigger: Token, pred: Token, is_noun: bool, index: _MentionIndex) -> list[tuple[int, int]]:
    if is_noun:
        # "criticism from Trump", "a travel request by Tlaib": the doer is named on the noun itself.
        for obj in _prep_objects(trigger, _noun_agent_preps(trigger)):
            spans = _actors(obj, index)
            if spans:
                return spans
        if trigger.lemma_.lower() not in _PATIENT_NOUNS:
            for child in trigger.children:
                if child.dep_ in ("poss", "amod", "compound", "nmod"):
                    spans = _resolve(child, index)
                    if spans:
                        return spans
        if pred is trigger:
            return []
        if _received(trigger, pred):
            # "drew criticism from Merkel": the giver is named on the verb
            for obj in _prep_objects(pred, ("from", "by")):
                spans = _actors(obj, index)
                if spans:
                    return spans
            return []
        if trigger.dep_ == "pobj" and not _in_frame(trigger):
            return []
    passive_participle = not is_noun and pred.dep_ == "acl" and pred.tag_ == "VBN"  # "the towns seized by"
    if passive_participle or any(c.dep_ in _PASS_SUBJ for c in pred.children):
        for obj in _prep_objects(pred, ("by",), deps=("agent", "prep")):
            return _resolve(obj, index)
        return []
    if pred.dep_ == "acl" and pred.tag_ == "VBG" and index.at(pred.head.idx) is not None:
        # "Democrats demanding his resignation": the noun a present participle modifies does it
        return _resolve(pred.head, index)
    node = pred
    for _ in range(4):
        subjects = [child for child in node.children if child.dep_ in _SUBJ]
        if subjects:
            return [span for child in subjects for span in _resolve(child, index)]
        # A relative or participle clause without its own subject does not borrow the main clause's.
        participle = node.dep_ == "acl" and node.tag_ == "VBN"
        if node.dep_ not in _ACTOR_CLIMB_DEPS or node.dep_ == "relcl" or participle or node.head is node:
            break
        head = node.head
        if node.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN"):
            # "his decision to withdraw": the one who decides does it
            owners = [child for child in head.children if child.dep_ == "poss"]
            if owners:
                return _resolve(owners[0], index)
        if node.dep_ == "xcomp":
            # "urged Congress to impeach": the object of a control verb does the infinitive's act;
            # "is expected to oust": a raised passive subject does it.
            controller = _controller(head)
            if controller is not None:
                return _resolve(controller, index)
            raised = [child for child in head.children if child.dep_ in _PASS_SUBJ]
            if raised:
                return [span for child in raised for span in _resolve(child, index)]
        node = head
    return []


def _actor2(
    trigger: Token, pred: Token, is_noun: bool, index: _MentionIndex, exclude: set[int]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if is_noun and _received(trigger, pred):
        # "Nauert faced criticism", "Ukraine got the aid": the subject is on the receiving end
        spans += _actor1(pred, pred, False, index)
    if is_noun and trigger.lemma_.lower() in _PATIENT_NOUNS:
        # "Khashoggi's killing", "the Cohen indictment"
        for child in trigger.children:
            if child.dep_ in ("poss", "compound"):
                spans += _actors(child, index)
    if pred.dep_ == "acl" and pred.tag_ == "VBN" and not is_noun:
        # "a Russian lawyer detained in Moscow": the noun a past participle modifies undergoes it
        spans += _resolve(pred.head, index)
    if (
        not is_noun and pred.dep_ == "conj" and pred.tag_ == "VBN"
        and not any(c.dep_ in _SUBJ | _PASS_SUBJ | _OBJ for c in pred.children)
    ):
        # "Page, who was never charged or accused": a passive conjunct shares its head's subject
        spans += [s for c in pred.head.children if c.dep_ in _PASS_SUBJ for s in _resolve(c, index)]
    # The clause's verb carries a noun trigger's objects only when the noun is its own object
    # ("imposed sanctions on Russia") or the frame of its act ("briefed Xi during his visit"); "interviewed
    # about the calls with Cohen" is about the interview.
    carries = pred is not trigger and (
        trigger.dep_ in ("dobj", "obj", "attr", "oprd", "nsubjpass")
        or trigger.dep_ == "pobj" and _in_frame(trigger)
    )
    heads = [trigger, pred] if carries else [trigger]
    agent_preps = _noun_agent_preps(trigger) if is_noun else ()
    for head in heads:
        for child in head.children:
            if head is pred and (child.dep_ in _OBJ or child.dep_ in _PASS_SUBJ) and child is not trigger:
                # "denied collusion between his campaign and Moscow": a denied claim has no target
                deep = [] if pred.lemma_.lower() in _DENY else _first_mention(child, index, exclude)
                spans += _resolve(child, index) or deep
            elif child.dep_ in ("prep", "agent") and child.lower_ in _ACTOR2_PREPS:
                if head is trigger and child.lower_ in agent_preps:
                    continue
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        spans += _actors(obj, index)
    out, seen = [], set(exclude)
    for span in spans:
        if span[0] not in seen:
            seen.add(span[0])
            out.append(span)
    return out


def _in_frame(noun: Token) -> bool:
    prep = noun.head.lower_
    return prep in _FRAME_PREPS or prep == "for" and noun.lemma_.lower() in _GATHERING_NOUNS


def _noun_agent_preps(noun: Token) -> tuple[str, ...]:
    """Prepositions that name a noun trigger's doer: "by" always, "from" except on a withdrawal *from* a place."""
    return ("by",) if noun.lemma_.lower() in _FROM_PLACE_NOUNS else ("by", "from")


def _prep_objects(head: Token, preps: tuple[str, ...], deps: tuple[str, ...] = ("prep", "agent")) -> list[Token]:
    return [
        obj
        for child in head.children
        if child.dep_ in deps and child.lower_ in preps
        for obj in child.children
        if obj.dep_ == "pobj"
    ]


def _actors(token: Token, index: _MentionIndex) -> list[tuple[int, int]]:
    return [s for s in _resolve(token, index) if _label_at(index, s[0]) in _ACTOR_LABELS]


def _received(noun: Token, pred: Token) -> bool:
    return pred is not noun and noun.dep_ in ("dobj", "obj") and pred.lemma_.lower() in _RECEIVE_VERBS


def _controller(verb: Token) -> Token | None:
    """The object that does what an object-control verb's infinitive says ("urged Congress to act")."""
    lemma = verb.lemma_.lower()
    if lemma not in _OBJECT_CONTROL:
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "obj"):
            return child
    if lemma == "call":
        objects = _prep_objects(verb, ("on", "upon"), deps=("prep",))
        if objects:
            return objects[0]
    return None


def _resolve(token: Token, index: _MentionIndex) -> list[tuple[int, int]]:
    """Entity-mention spans an argument token stands for, its conjuncts included ("Putin and Xi")."""
    spans: list[tuple[int, int]] = []
    for tok in (token, *token.conjuncts):
        span = _span_of(tok, index)
        if span is not None and span not in spans:
            spans.append(span)
    return spans


def _span_of(token: Token, index: _MentionIndex) -> tuple[int, int] | None:
    row = index.at(token.idx)
    if row is not None:
        if not _is_actor(row, token):
            return None
        if row["label"] == "NORP" and _determiner(token) == "the" and token.tag_ in ("NNP", "NN", "JJ"):
            # "the Russian": the person introduced as "Russian President Putin", else (as before) the group
            return _titled_person(token, index, (token.lower_,)) or (row["start_char"], row["end_char"])
        return row["start_char"], row["end_char"]
    lower = token.lower_
    if lower in _RELATIVE_PRONOUNS:
        # "Trump, who denies collusion": the relative pronoun is the noun its clause modifies
        clause = token.head
        if clause.dep_ != "relcl" or token.dep_ not in _SUBJ | _PASS_SUBJ | _OBJ:
            return None
        noun = clause.head
        if noun.dep_ == "appos" and index.at(noun.idx) is None:
            noun = noun.head  # "Jerome Corsi, an ally of Stone who said": the ally is Corsi
        # the noun itself or its name-like modifier ("Chinese companies that supply"), never what it is of
        for tok in (noun, *(c for c in noun.children if c.dep_ in ("compound", "amod"))):
            row = index.at(tok.idx)
            if row is not None:
                return (row["start_char"], row["end_char"]) if _is_actor(row, tok) else None
        return None
    if lower in _PERSONAL_PRONOUNS or lower in _GROUP_PRONOUNS or lower == "i":
        return _antecedent(token, index)
    words = _role_words(token) if token.lemma_.lower() in _ROLE_NOUNS else None
    if words is not None:
        return _role_antecedent(token, index, words)
    # "the leader of China, Xi Jinping", "the Russian military", "Moscow's suggestions"
    for dep in ("appos", "poss", "compound", "amod", "nmod"):
        for child in token.children:
            if child.dep_ == dep:
                row = index.at(child.idx)
                if row is not None and _is_actor(row, child):
                    return row["start_char"], row["end_char"]
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                row = index.at(obj.idx)
                if obj.dep_ == "pobj" and row is not None and _is_actor(row, obj):
                    return row["start_char"], row["end_char"]
    return None


def _is_actor(row: dict, token: Token) -> bool:
    """Whether an entity mention can be a doer or target: "pro-Israel", "anti-Semitic" are attitudes, and
    "a Democrat" one unnamed person, not the group."""
    if row["label"] not in _ACTOR_LABELS or row["mention_text"].lower().startswith(("anti-", "pro-")):
        return False
    # "a Republican", "an American": one unnamed member, whether the mention reads as the group (NORP) or
    # as the party it resolves to (ORG)
    one_word = " " not in row["mention_text"].strip()
    return not (row["label"] != "PERSON" and one_word and _determiner(token) in ("a", "an"))


def _determiner(token: Token) -> str | None:
    return next((c.lower_ for c in token.children if c.dep_ == "det"), None)


def _antecedent(pronoun: Token, index: _MentionIndex, depth: int = 0) -> tuple[int, int] | None:
    """The named actor a pronoun most likely means, or None when the text does not make it clear.

    "X said it would ...", "X said he would ...", '"I will", X said': the speaker. Otherwise "he"/"his"
    is the person subject (or possessor) closest before it in its sentence, else the person subject of
    one of the two sentences before (following "he" and "the president" subjects back, ``depth`` steps);
    "it"/"they"/"I" are resolved only as a speaker, where news prose is unambiguous.
    """
    personal = pronoun.lower_ in _PERSONAL_PRONOUNS or pronoun.lower_ == "i"
    if _reported_subject(pronoun):
        # the speaker or no one: a reported clause's pronoun is not resolved by distance
        speaker = _speaker(pronoun, index)
        if speaker is not None and (_label_at(index, speaker[0]) == "PERSON") == personal:
            return speaker
        return None
    if not personal or pronoun.lower_ == "i":
        # "I" is only ever the speaker of its quote ('"I did not", he said')
        return None
    doc = pronoun.doc
    for tok in reversed(doc[pronoun.sent.start : pronoun.i]):
        row = index.at(tok.idx)
        if row is not None and row["label"] == "PERSON" and tok.dep_ in _SUBJ | _PASS_SUBJ | {"poss"}:
            return row["start_char"], row["end_char"]
    sent_start = pronoun.sent.start
    for _ in range(2):
        if sent_start == 0:
            break
        previous = doc[sent_start - 1].sent
        for tok in previous:
            if tok.dep_ not in _SUBJ:
                continue
            row = index.at(tok.idx)
            if row is not None and row["label"] == "PERSON":
                return row["start_char"], row["end_char"]
            # "The president ... . He said": a subject that itself refers back to a titled person
            words = _role_words(tok) if tok.lemma_.lower() in _ROLE_NOUNS else None
            if words is not None and _ROLE_NOUNS[tok.lemma_.lower()][0] == "PERSON":
                return _role_antecedent(tok, index, words)
            if tok.lower_ in ("he", "she") and depth < 3:
                # "Trump ... . He said ... . He added": the chain of subjects goes back to the name
                return _antecedent(tok, index, depth + 1)
        sent_start = previous.start
    return None


def _reported_subject(pronoun: Token) -> bool:
    """Whether ``pronoun`` is the subject of a clause reported by a speech verb ("X said it would")."""
    clause = pronoun.head
    return (
        pronoun.dep_ in _SUBJ | _PASS_SUBJ
        and clause.dep_ == "ccomp"
        and clause.head.lemma_.lower() in _SPEECH_VERBS
    )


def _speaker(pronoun: Token, index: _MentionIndex) -> tuple[int, int] | None:
    """The named subject of the speech verb whose reported clause has ``pronoun`` as its subject."""
    verb = pronoun.head.head
    # "saying he would ...", "noting that he ...": a speech verb without a subject has its clause's speaker
    speakers = _actor1(verb, verb, False, index)
    return speakers[0] if speakers else None


def _role_words(token: Token) -> list[str] | None:
    """The words of "the president", "the special counsel", "the company" — a definite role noun whose only
    modifiers are plain words (matched against how the person was introduced) — else None."""
    words = []
    for child in token.children:
        if child.dep_ == "case":  # "the president's"
            continue
        if child.dep_ in ("amod", "compound") and not child.ent_type_ and child.i < token.i:
            words.append(child.lower_)
        elif not (child.dep_ == "det" and child.lower_ == "the"):
            return None
    has_the = any(c.dep_ == "det" and c.lower_ == "the" for c in token.children)
    return words if token.tag_ == "NN" and has_the else None


def _role_antecedent(token: Token, index: _MentionIndex, words: list[str]) -> tuple[int, int] | None:
    """The named actor "the president" / "the senator" / "the company" refers back to.

    A person role goes to the closest earlier person mention carrying that title ("President Donald
    Trump", "Sen. Warren") and introduced with its modifiers too ("the special counsel": "Special
    Counsel Robert Mueller"); an organization role to the closest organization subject of its sentence
    or the two before.
    """
    label, titles = _ROLE_NOUNS[token.lemma_.lower()]
    doc = token.doc
    if label == "PERSON":
        return _titled_person(token, index, titles, words)
    if words:
        return None
    first = token.sent.start
    for _ in range(2):
        if first == 0:
            break
        first = doc[first - 1].sent.start
    for tok in reversed(doc[first : token.i]):
        row = index.at(tok.idx)
        if row is not None and row["label"] == label and tok.dep_ in _SUBJ | _PASS_SUBJ:
            return row["start_char"], row["end_char"]
    return None


def _titled_person(
    token: Token, index: _MentionIndex, titles: tuple[str, ...], words: list[str] = ()
) -> tuple[int, int] | None:
    """The closest person mention before ``token`` introduced with one of ``titles`` ("President Macron")
    and with all of ``words`` ("former", "special")."""
    doc = token.doc
    for tok in reversed(doc[: token.i]):
        row = index.at(tok.idx)
        if row is None or row["label"] != "PERSON" or tok.idx != row["start_char"]:
            continue
        window = {t.lower_ for t in doc[max(tok.i - 3, 0) : tok.i + 4] if t.idx < row["end_char"]}
        if window & set(titles) and window.issuperset(words):
            return row["start_char"], row["end_char"]
    return None


def _first_mention(token: Token, index: _MentionIndex, exclude: set[int]) -> list[tuple[int, int]]:
    """First actor mention inside a short object phrase ("what they saw as the United States' actions")."""
    subtree = list(token.subtree)
    if len(subtree) > 14:
        return []
    for tok in subtree:
        row = index.at(tok.idx)
        if row is not None and _is_actor(row, tok) and row["start_char"] not in exclude:
            return [(row["start_char"], row["end_char"])]
    return []


def _label_at(index: _MentionIndex, char: int) -> str | None:
    row = index.at(char)
    return row["label"] if row else None


def _location(trigger: Token, pred: Token, index: _MentionIndex, exclude: set[int]) -> tuple[int, int] | None:
    for head in (trigger, pred):
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in _PLACE_PREPS:
                for obj in child.children:
                    for tok in (obj, *obj.children):
                        row = index.at(tok.idx)
                        if row is not None and row["label"] in _PLACE_LABELS and row["start_char"] not in exclude:
                            return row["start_char"], row["end_char"]
    return None


_TIME_PREPS = frozenset({"during", "after", "before", "since", "following", "amid", "throughout"})


def _modality(trigger: Token, pred: Token) -> str:
    """asserted / negated / hypothetical / planned, from negation, modals and the governing words.

    Governing words count only through complement links ("denied plans to invade", "plans to meet"),
    never through adjuncts ("in a conversation last week, Biden rejected ...").
    """
    if pred is not trigger and trigger.dep_ == "pobj" and trigger.head.lower_ in _TIME_PREPS:
        # "he would brief Xi during his visit": the visit takes place whatever is said of the briefing
        pred = trigger
    chain: list[tuple[Token, str]] = [(trigger, "")]
    if pred is not trigger:
        chain.append((pred, trigger.dep_))
    node = pred
    for _ in range(4):
        if node.head is node or node.dep_ not in _CLIMB_DEPS:
            break
        chain.append((node.head, node.dep_))
        node = node.head
    governed = [(tok, via) for tok, via in chain[1:] if via in _COMPLEMENT_DEPS]
    local = [tok for tok, _ in chain[:2]]
    for tok in local:
        if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in tok.children):
            return "negated"
    for tok, _ in governed:
        # "denied any plans to invade": the denial is its own REJECT event; what it denies did not happen
        if tok.lemma_.lower() in _DENY or any(c.dep_ == "neg" for c in tok.children):
            return "negated"
    for tok in local + [tok for tok, _ in governed]:
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _HYPOTHETICAL_AUX for c in tok.children):
            return "hypothetical"
        if any(c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless") for c in tok.children):
            return "hypothetical"
    if any(c.dep_ == "amod" and c.lemma_.lower() in _HYPOTHETICAL_MODS for c in trigger.children):
        return "hypothetical"
    for tok, _ in chain[1:]:
        if tok.lemma_.lower() in _HYPOTHETICAL_HEADS:
            return "hypothetical"
    for tok in local + [tok for tok, _ in governed]:
        if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll") for c in tok.children):
            return "planned"
    for tok, _ in governed:
        if tok.lemma_.lower() in _PLAN_HEADS:
            return "planned"
    if any(c.lemma_.lower() in ("upcoming", "planned", "scheduled", "future", "forthcoming") for c in trigger.children):
        return "planned"
    return "asserted"


def _tense(trigger: Token, pred: Token, modality: str) -> str:
    """past / future: which way a bare month or weekday of this event points from the publication date.

    A planned event is ahead. A noun trigger in a time phrase ("during his visit that began on
    Thursday") has its own tense, not that of the clause around it ("he would brief Xi"); its own
    past-tense relative clause ("that began") makes it past.
    """
    if modality == "planned":
        return "future"
    if pred is not trigger and trigger.dep_ == "pobj" and trigger.head.lower_ in _TIME_PREPS:
        pred = trigger
    if any(c.dep_ == "relcl" and c.tag_ == "VBD" for c in trigger.children):
        return "past"
    return "future" if _is_future(pred) else "past"


def _is_future(pred: Token) -> bool:
    """Whether the clause looks ahead, so a bare month or weekday means the next one.

    "will meet", and a verb governed (xcomp) by one that looks ahead: "hope to win ... in November",
    "is expected to meet", "are going to have a call", "would meet"/"could meet" (a modal before the
    bare verb). A past or present report stays past: "met in November" in February is last November.
    """
    if pred.tag_ in ("VBD", "VBN") and not any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in pred.children):
        return False
    node = pred
    for _ in range(3):
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE_AUX for c in node.children):
            return True
        if node is not pred and (node.lemma_.lower() in _LOOKS_AHEAD or node.lower_ == "going"):
            return True
        if node.dep_ != "xcomp" or node.head is node:
            break
        node = node.head
    return node is not pred and (node.lemma_.lower() in _LOOKS_AHEAD or node.lower_ == "going")


_FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "would", "could", "might", "may", "'d"})
# Verbs and adjectives whose complement has not happened yet: "plans to", "is expected to", "is set to".
_LOOKS_AHEAD = frozenset({
    "plan", "expect", "hope", "aim", "schedule", "set", "intend", "want", "seek", "prepare", "due", "poise",
    "vow", "promise", "agree", "propose", "wish", "need", "pledge", "threaten", "likely", "slate", "await",
})


def _quantity(trigger: Token, pred: Token, doc_text: str) -> tuple[float | None, str, str] | None:
    """The first "number + unit" inside the trigger's clause ("nearly 100,000 troops"); ``doc_text`` is Doc.text."""
    tokens = list(pred.subtree) if pred is not trigger else list(trigger.subtree)
    if trigger not in tokens:
        tokens.append(trigger)
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    for match in _QUANTITY.finditer(doc_text[start:end]):
        unit = match.group("unit").lower()
        number = match.group("num")
        is_year = len(number) == 4 and number.startswith(("19", "20"))
        if is_year or unit in _NON_UNITS or unit.rstrip("s") in _NON_UNITS:
            continue
        return _number(number), unit, match.group(0)
    return None


def _number(text: str) -> float | None:
    parts = text.replace(",", "").split()
    try:
        value = float(parts[0])
    except ValueError:
        return None
    if len(parts) > 1:
        value *= _SCALE.get(parts[1], 1.0)
    return value


def _attached(node: Token, trigger: Token, pred: Token) -> bool:
    """Whether a date (its root ``node``) belongs to the trigger's clause, by the path between them in the parse.

    The path goes up from the date and from the trigger to their lowest common head. The date is
    another clause's when its side passes a verb other than the trigger, its predicate or a clause of
    the trigger noun ("results were released Wednesday" does not date "when he was arrested"; "the
    summit, which ended on Friday" dates the summit). It is the trigger's when the trigger's side
    climbs through phrases and clauses that share its time — a noun's complement ("a decision last
    month to withdraw"), a relative or "when" clause of the date or of a noun beside it ("in 2012 when
    he came out in support", "a lunch on Thursday where he urged"), a participle or a verb coordinated
    under the same subject ("denounced ... on Thursday and promised") — but not through reported speech
    or a separate statement ("said on Monday that the army attacked": ccomp, parataxis) nor a verb
    coordinated with its own subject.
    """
    date_path = _path_up(node)
    trigger_path = _path_up(trigger)
    on_trigger_side = {t.i for t in trigger_path}
    common = next((t for t in date_path if t.i in on_trigger_side), None)
    if common is None:
        return False
    for token in date_path:
        if token.i == common.i:
            break
        if token is not node and token.pos_ in ("VERB", "AUX") and token.i not in (trigger.i, pred.i) and not (
            token.dep_ in ("relcl", "acl") and token.head.i == trigger.i
        ):
            return False
    for token in trigger_path:
        if token.i == common.i:
            break
        if token.dep_ in ("ccomp", "parataxis", "csubj"):
            return False
        if token.dep_ == "xcomp" and (token.head.lemma_.lower() in _LOOKS_AHEAD or token.head.lower_ == "going"):
            # "promised on Thursday to strengthen", "agreed on Monday to meet": that day is the promise's
            return False
        buried = token.i not in (trigger.i, pred.i) and token.pos_ in ("VERB", "AUX") and token.dep_ != "xcomp"
        if (buried or token.dep_ in ("relcl", "acl", "advcl")) and token.head.i != common.i:
            # the trigger's clause hangs on something else than the date's head: "the suspect, whom
            # police arrested, appeared in court on Wednesday" does not date the arrest
            return False
        if token.dep_ == "conj" and token.pos_ in ("VERB", "AUX") and any(
            c.dep_ in ("nsubj", "nsubjpass") for c in token.children
        ):
            return False
    return True


def _path_up(token: Token) -> list[Token]:
    """The token and its heads up to the sentence root."""
    path = [token]
    while path[-1].head is not path[-1] and len(path) < 40:
        path.append(path[-1].head)
    return path


def _date_text(trigger: Token, pred: Token, sent: Span, doc_text: str, date_ents: list[Span]) -> str | None:
    """The date expression syntactically attached to this trigger (its clause), or None.

    A date of another clause is not this event's ("results were released Wednesday" does not date an
    arrest "when he was arrested"), not even as the sentence's only date; neither is a length of time
    ("a two-day visit") nor the name of an event ("Super Tuesday", "the March for Life").
    """
    dates = [ent for ent in date_ents if ent.start >= sent.start and ent.end <= sent.end]
    own = [
        ent for ent in dates
        if not is_duration(ent.text) and not is_named_event(_date_phrase(ent)) and _attached(ent.root, trigger, pred)
    ]
    if not own:
        return None
    # the trigger's own dependents first ("agreed on Monday to meet Xi in June": the meeting is in June)
    inside = {t.i for t in pred.subtree} if pred is trigger else {t.i for t in trigger.subtree}
    pick = min(own, key=lambda e: (e.root.i not in inside, abs(e.root.i - trigger.i)))
    text = pick.text
    rest = doc_text[pick.end_char : pick.end_char + 6]
    day = _DAY_IN_PARENS.match(rest)
    if day:
        text += day.group(0).rstrip()
    return text


def _date_phrase(ent: Span) -> str:
    """A DATE entity with the words of a name it may be part of: "Super" + "Tuesday", "March" + "for Life".

    The parser attaches a name's own words to the month or weekday (compound / amod modifiers before it,
    a "for / on / of" phrase after it); the rest of the sentence stays out.
    """
    root = ent.root
    before = [c for c in root.lefts if c.dep_ in ("compound", "amod", "poss") and c.i < ent.start]
    words = [t.text for c in before for t in c.subtree]
    previous = ent.doc[ent.start - 1] if ent.start > ent.sent.start else None
    if not words and previous is not None and previous.is_title and not previous.ent_type_:
        # a capitalized word the parser left beside it ("on Super Tuesday"), not a name of its own
        words.append(previous.text)
    words.append(ent.text)
    for child in root.rights:
        if child.dep_ in ("prep", "dative") and child.lower_ in ("for", "on", "of", "against") and child.i >= ent.end:
            words.extend(t.text for t in list(child.subtree)[:4])
            break
    return " ".join(words)
