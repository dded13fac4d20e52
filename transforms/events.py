"""Event mentions from spaCy Docs: who did what to whom, where, how many, and how sure the text is.

A trigger (a verb or event noun from ``data/event_triggers.csv``) opens an event mention; its
arguments come from the dependency parse of the same Doc the entity step used, and actors are the
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
_ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC"}
_CLIMB_DEPS = {"xcomp", "acl", "advcl", "conj", "ccomp", "relcl", "pcomp", "dobj", "pobj", "prep"}
_DENY = {"deny", "refute", "dismiss"}
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
    """The trigger lexicon as a lookup: (lemma, VERB|NOUN) → entries, specific (with prep) first."""

    entries: dict[tuple[str, str], list[TriggerEntry]] = field(default_factory=dict)

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


def build_lexicon(triggers: pl.DataFrame) -> Lexicon:
    """Index trigger rows (TRIGGER_SCHEMA) for per-token lookup."""
    lexicon = Lexicon()
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
    rows: list[dict] = []
    for sent_index, sent in enumerate(doc.sents):
        found: list[tuple[Token, TriggerEntry]] = []
        for token in sent:
            entry = _trigger_entry(token, lexicon, index)
            if entry is not None:
                found.append((token, entry))
        if not found:
            continue
        codes_at = {token.i: entry.code for token, entry in found}
        sentence_rows: list[dict] = []
        for token, entry in found:
            if _governed_by_trigger(token, codes_at):
                continue
            sentence_rows.append(_event_row(document_key, text, date_ents, sent_index, sent, token, entry, index))
        rows.extend(_merge_sentence_rows(sentence_rows))
    return rows


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
    entry: TriggerEntry, index: _MentionIndex,
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
    if trigger.lemma_.lower() in ("exercise", "patrol", "drill"):
        code = "COOPERATE" if mods & _JOINT else "MOBILIZE"
    if code in SYMMETRIC_CODES and not actor1 and len(actor2) >= 2:
        actor1, actor2 = actor2[:1], actor2[1:]
    location = _location(trigger, pred, index, exclude={s for s, _ in actor1 + actor2})
    if location is None and mode == "visit":
        location = next((span for span in actor2 if _label_at(index, span[0]) in _PLACE_LABELS), None)
    modality = _modality(trigger, pred)
    quantity = _quantity(trigger, pred, text) if code in QUANTITY_CODES else None
    date_text = _date_text(trigger, pred, sent, text, date_ents)
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
        for child in trigger.children:
            if child.dep_ in ("poss", "amod", "compound", "nmod"):
                spans = _resolve(child, index)
                if spans:
                    return spans
        if pred is trigger:
            return []
        if trigger.dep_ == "pobj" and trigger.head.lower_ not in ("in", "during", "at", "after", "before"):
            return []
    passive = any(c.dep_ in _PASS_SUBJ for c in pred.children)
    if passive:
        for child in pred.children:
            if child.dep_ == "agent":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        return _resolve(obj, index)
        return []
    node = pred
    for _ in range(4):
        subjects = [child for child in node.children if child.dep_ in _SUBJ]
        if subjects:
            return [span for child in subjects for span in _resolve(child, index)]
        if node.dep_ not in _CLIMB_DEPS or node.head is node:
            break
        node = node.head
    return []


def _actor2(
    trigger: Token, pred: Token, is_noun: bool, index: _MentionIndex, exclude: set[int]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    heads = [trigger] if pred is trigger else [trigger, pred]
    for head in heads:
        for child in head.children:
            if head is pred and (child.dep_ in _OBJ or child.dep_ in _PASS_SUBJ) and child is not trigger:
                spans += _resolve(child, index) or _first_mention(child, index, exclude)
            elif child.dep_ in ("prep", "agent") and child.lower_ in _ACTOR2_PREPS:
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        spans += [s for s in _resolve(obj, index) if _label_at(index, s[0]) in _ACTOR_LABELS]
    out, seen = [], set(exclude)
    for span in spans:
        if span[0] not in seen:
            seen.add(span[0])
            out.append(span)
    return out


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
        return (row["start_char"], row["end_char"]) if row["label"] in _ACTOR_LABELS else None
    if token.lower_ in _PERSONAL_PRONOUNS:
        return _antecedent(token, index)
    # "the leader of China, Xi Jinping", "the Russian military", "Moscow's suggestions"
    for dep in ("appos", "poss", "compound", "amod", "nmod"):
        for child in token.children:
            if child.dep_ == dep:
                row = index.at(child.idx)
                if row is not None and row["label"] in _ACTOR_LABELS:
                    return row["start_char"], row["end_char"]
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                row = index.at(obj.idx)
                if obj.dep_ == "pobj" and row is not None and row["label"] in _ACTOR_LABELS:
                    return row["start_char"], row["end_char"]
    return None


def _antecedent(pronoun: Token, index: _MentionIndex) -> tuple[int, int] | None:
    """The person a "he"/"his" most likely means: the person subject of the closest earlier sentence.

    News prose keeps its protagonist as the subject; a same-sentence person before the pronoun wins.
    """
    doc = pronoun.doc
    for tok in reversed(doc[pronoun.sent.start : pronoun.i]):
        row = index.at(tok.idx)
        if row is not None and row["label"] == "PERSON" and tok.dep_ in _SUBJ:
            return row["start_char"], row["end_char"]
    sent_start = pronoun.sent.start
    for _ in range(2):
        if sent_start == 0:
            break
        previous = doc[sent_start - 1].sent
        for tok in previous:
            row = index.at(tok.idx)
            if row is not None and row["label"] == "PERSON" and tok.dep_ in _SUBJ:
                return row["start_char"], row["end_char"]
        sent_start = previous.start
    return None


def _first_mention(token: Token, index: _MentionIndex, exclude: set[int]) -> list[tuple[int, int]]:
    """First actor mention inside a short object phrase ("what they saw as the United States' actions")."""
    subtree = list(token.subtree)
    if len(subtree) > 14:
        return []
    for tok in subtree:
        row = index.at(tok.idx)
        if row is not None and row["label"] in _ACTOR_LABELS and row["start_char"] not in exclude:
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
