"""Event mentions from spaCy Docs: who did what to whom, where, how many, and how sure the text is.

A trigger (``transforms.event_triggers``: the trained detector's or the lexicon's) opens an event
mention. Its arguments come from the dependency parse of the same Doc the entity step used
(``event_actors``, ``event_references``, ``event_modality``, ``event_details``), and actors are the
entity mentions of that document (matched by character offsets), so the events and the entities
share one ``nlp.pipe`` pass. Dates are kept as text here and anchored later (``transforms.dates``)
because anchoring needs the document's publication date.
"""

import re
from dataclasses import dataclass
from importlib import resources

import polars as pl
from dateline.transforms.demonym_people import demonym_people, replace_stand_ins
from dateline.transforms.event_actors import (
    actor1,
    actor2,
    is_noun,
    judged_subject,
    location,
    predicate,
    spoken_act,
)
from dateline.transforms.event_anaphora import event_anaphora
from dateline.transforms.event_context_actors import fill_context_actors
from dateline.transforms.event_details import date_text, quantity
from dateline.transforms.event_detector import mention_token_labels
from dateline.transforms.event_groups import GROUP_LABEL, group_mentions
from dateline.transforms.event_mentions import PLACE_LABELS, CharSpan, MentionIndex
from dateline.transforms.event_modality import modality, tense
from dateline.transforms.event_references import SPEECH_VERBS
from dateline.transforms.event_triggers import (
    TRIGGER_SCHEMA,
    FoundTrigger,
    Lexicon,
    TriggerEntry,
    build_lexicon,
    find_triggers,
    governed_by_trigger,
    load_triggers,
    one_event_per_object,
)
from dateline.transforms.keys import make_key
from dateline.transforms.modality_model import revise_modalities
from spacy.tokens import Doc, Span, Token

__all__ = [
    "CONSULT_MODES", "EVENT_MENTION_SCHEMA", "EVENT_TYPE_SCHEMA", "MODALITIES", "QUAD_CLASSES", "QUANTITY_CODES",
    "SYMMETRIC_CODES", "TRIGGER_SCHEMA", "EventMention", "Lexicon", "TriggerEntry", "build_lexicon", "doc_events",
    "load_event_types", "load_triggers",
]

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
        # The unnamed groups among the actors ("protesters", "the police"; event_groups): their mention's
        # start (one of the actor starts), name and text as written; keyed per document when resolved.
        "group_starts": _SPANS,
        "group_names": pl.List(pl.String),
        "group_texts": pl.List(pl.String),
    }
)



def load_event_types() -> pl.DataFrame:
    """The shipped event categories (``data/event_types.csv``) as EVENT_TYPE_SCHEMA rows."""
    source = resources.files("dateline.transforms") / "data" / "event_types.csv"
    with resources.as_file(source) as path:
        frame = pl.read_csv(path, schema_overrides={c: pl.String for c in ("code", "name", "quad_class")})
    return frame.select(
        event_type_key=pl.col("code").map_elements(make_key, return_dtype=pl.String),
        code="code",
        name="name",
        quad_class="quad_class",
        description="description",
    ).cast(EVENT_TYPE_SCHEMA)


_CALL_MODIFIERS = {"video", "phone", "telephone", "virtual", "online"}
_JOINT = {"joint", "combined", "bilateral", "trilateral"}


@dataclass
class EventMention:
    """One EVENT_MENTION_SCHEMA row: the fields in the schema's order."""

    document_key: str
    sentence_index: int
    sentence_start: int  # offsets into the stored body
    sentence: str
    trigger_start: int
    trigger_end: int
    trigger: str  # exactly body[trigger_start:trigger_end]
    trigger_lemma: str
    event_code: str  # dim_event_type.code
    mode: str | None  # CONSULT only: call / visit / meet
    modality: str  # asserted / negated / hypothetical / planned
    confidence: float
    actor1_starts: list[int]
    actor1_ends: list[int]
    actor2_starts: list[int]
    actor2_ends: list[int]
    location_start: int | None
    location_end: int | None
    quantity: float | None
    quantity_unit: str | None
    quantity_text: str | None
    date_text: str | None  # the date expression attached to the trigger, unanchored
    tense: str  # past / future: which way a bare weekday or month points
    group_starts: list[int]
    group_names: list[str]
    group_texts: list[str]

    @property
    def participants(self) -> set[int]:
        return set(self.actor1_starts) | set(self.actor2_starts)


@dataclass(frozen=True)
class _Document:
    """What every event row of one Doc reads: its key, text, DATE entities and entity mentions."""

    key: str
    text: str
    date_ents: list[Span]
    index: MentionIndex
    stand_ins: dict[int, CharSpan]  # a demonym used as a person ("the Russian") → that person's mention
    lexicon: Lexicon


def doc_events(
    document_key: str, doc: Doc, mentions: list[dict], lexicon: Lexicon, text: str | None = None
) -> list[dict]:
    """One EVENT_MENTION_SCHEMA row (as a dict) per trigger found in ``doc``.

    ``mentions`` are this document's entity-mention rows (entities.doc_mentions); an actor is kept only
    when its token falls inside one of them, so every actor resolves to a canonical entity later, or
    inside an unnamed group phrase ("protesters", "the police") headed by one of ``lexicon.group_nouns``
    (``event_groups.group_mentions``), which the row carries in its ``group_*`` columns.
    Same-type words of one event in a sentence ("imposed new sanctions") give one row (``_merge_sentence_rows``);
    without the trained detector a noun trigger governed by a verb trigger is that verb's event. ``text`` is the Doc's own text when the caller has it (``Doc.text`` rebuilds it).
    The lexicon's ``modality_model`` (``build_lexicon``: the shipped one with the trained detector) revises the
    rules' modality of the finished rows.
    """
    if not doc.has_annotation("DEP"):
        return []
    # Doc.text joins every token on each call: read it once per Doc, not once per trigger or group.
    text = doc.text if text is None else text
    document = _Document(
        key=document_key,
        text=text,
        # Span.ents re-reads Doc.ents on every call: the DATE entities are read once per Doc.
        date_ents=[ent for ent in doc.ents if ent.label_ == "DATE"],
        index=argument_index(doc, mentions, lexicon.group_nouns, text),
        stand_ins=demonym_people(doc, mentions),
        lexicon=lexicon,
    )
    labels = mention_token_labels(doc, mentions) if lexicon.detector is not None else {}
    # the detector scores every sentence's candidates in one pass over the Doc
    detections = lexicon.detector.detect_doc(doc, labels) if lexicon.detector is not None else {}
    rows: list[EventMention] = []
    for sent_index, sent in enumerate(doc.sents):
        found = find_triggers(sent, lexicon, labels, detections.get(sent.start, []))
        if not found:
            continue
        if lexicon.detector is None:  # the lexicon cannot tell a verb's object event from the verb's own
            codes_at = {token.i: entry.code for token, entry, _ in found}
            confidence_at = {token.i: confidence or 0.0 for token, _, confidence in found}
            found = one_event_per_object(found, codes_at, confidence_at)
            found = [trigger for trigger in found if not governed_by_trigger(trigger.token, codes_at)]
        # The trained detector judges an object noun itself ("slammed Trump's sanctions": a DISAPPROVE,
        # and a SANCTION only where annotators would mark one); same-type rows of one event merge below.
        codes_at = {token.i: entry.code for token, entry, _ in found}
        sentence_rows = [_event_row(document, sent_index, sent, trigger, codes_at) for trigger in found]
        rows.extend(_merge_sentence_rows(sentence_rows))
    # "the talks" with no party in its sentence: the parties of the talks an earlier sentence told of
    event_anaphora(rows, doc, document.index)
    # an actor1, then an actor2, still empty: the trained fillers' pick from the context, when it is likely right
    if lexicon.context_actors:
        fill_context_actors(rows, doc, document.index, *lexicon.context_actors)
    # last, the trained classifier revises the rules' modality where it is sure; the rows were merged, their
    # tense set and their actors filled on the rules' modality, as the detector's and fillers' training saw them
    if lexicon.modality_model is not None:
        revise_modalities(rows, doc, lexicon.modality_model)
    # vars, not dataclasses.asdict: the rows' lists are their own, so asdict's deep copy of each is not needed
    return [dict(vars(row)) for row in rows]


# A dateline opening a paragraph: "WASHINGTON (Reuters) - ", "KABUL, Afghanistan (AP) — ", "LAS VEGAS — " (a
# place in capitals, its state or country, the agency) or "Washington (CNN) - ". The parser often makes its
# place the subject of the sentence it opens ("MOSCOW (AP) — Russian President Vladimir Putin warned" gave
# Moscow as the one warning), but it only says where the report was written.
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?:[A-Z][A-Z.'’\- ]*[A-Z.](?:,[ \t]*[A-Z][A-Za-z.\- ]{1,25}?)?[ \t]*(?:\([^()\n]{2,40}\))?"
    r"|[A-Z][A-Za-z.'’\- ]{1,30}?(?:,[ \t]*[A-Z][A-Za-z.\- ]{1,25}?)?[ \t]*\([^()\n]{2,40}\))[ \t]*[—–-]{1,2}[ \t]"
)


def argument_index(doc: Doc, mentions: list[dict], group_nouns: frozenset[str], text: str) -> MentionIndex:
    """The spans the argument rules may take as actors: the entity mentions outside datelines, and the unnamed
    group phrases headed by one of ``group_nouns`` (``event_groups.group_mentions``)."""
    arguments = without_datelines(mentions, text)
    return MentionIndex([*arguments, *group_mentions(doc, arguments, group_nouns, text)])


def without_datelines(mentions: list[dict], text: str) -> list[dict]:
    """The entity mentions that can be an event's argument: none inside a dateline (``_DATELINE``), whose place
    the recognizer often tags as an organization ("MOSCOW", "KABUL") and whose agency ("AP") is no party."""
    spans = [match.span() for match in _DATELINE.finditer(text)]
    if not spans:
        return mentions
    return [m for m in mentions if not any(start <= m["start_char"] < end for start, end in spans)]


# Types of a verb whose object event is someone else's act: "rejected that demand", "denied the
# allegations", "condemn the attacks", "supporting an impeachment inquiry", "protested the ban" (a verb that
# performs its object — "threatened a 45% tariff", "pledged more tariffs", "seeking negotiations" — is not one).
REACTION_CODES = frozenset({"REJECT", "DISAPPROVE", "SUPPORT", "PROTEST"})
_OBJECT_DEPS = frozenset({"dobj", "obj", "nsubjpass"})
# Types whose object is the thing moved or given (troops deployed, weapons sent), never actor2 as a group.
THEME_OBJECT_CODES = frozenset({"MOBILIZE", "AID"})


def _event_row(
    document: _Document, sent_index: int, sent: Span, found: FoundTrigger, codes_at: dict[int, str]
) -> EventMention:
    trigger = found.token
    index = document.index
    pred = predicate(trigger) if is_noun(trigger) else trigger
    reacted_to = (
        trigger.dep_ in _OBJECT_DEPS and pred.i == trigger.head.i and codes_at.get(pred.i) in REACTION_CODES
        and codes_at[pred.i] != found.entry.code
    )
    code, mode = _category(trigger, found.entry)
    first = _not_the_trigger(actor1(trigger, pred, index, reacted_to, code), trigger, index)
    second = _not_the_trigger(actor2(trigger, pred, index, {s for s, _ in first}, code), trigger, index)
    if document.stand_ins:
        first = replace_stand_ins(first, document.stand_ins)
        second = [s for s in replace_stand_ins(second, document.stand_ins) if s not in first]
    if code != "DISAPPROVE" or not _own_word(trigger, code, document.lexicon):
        first, second = spoken_act(trigger, pred, code, (first, second), index)
    first, second = judged_subject(trigger, code, (first, second), index)
    first, second = _counterparts(code, first, second)
    if code in THEME_OBJECT_CODES:  # "deployed 100,000 troops": the troops are what is moved, not a target
        second = [span for span in second if not _group_object(span, trigger, pred, index)]
    place = location(trigger, pred, index, exclude={s for s, _ in first + second})
    if place is None and mode == "visit":
        place = next((span for span in second if index.label_at(span[0]) in PLACE_LABELS), None)
    how_sure = modality(trigger, pred, code)
    amount = quantity(trigger, pred, document.text) if code in QUANTITY_CODES else None
    when = date_text(trigger, pred, document.text, document.date_ents, code)
    if when is not None and when.statement is not None:
        # a date taken from the statement that makes a spoken act points the way that statement does
        when_tense = tense(when.statement, when.statement, "asserted")
    else:
        when_tense = tense(trigger, pred, how_sure)
    if found.confidence is not None:
        confidence = found.confidence
    else:  # lexicon only: how much of the event the sentence attests
        confidence = 0.4 + (0.3 if first else 0.0) + (0.2 if second else 0.0) + (0.1 if when is not None else 0.0)
    number, unit, amount_text = amount or (None, None, None)
    groups = [row for row in (index.at(start) for start, _ in first + second) if row["label"] == GROUP_LABEL]
    return EventMention(
        document_key=document.key,
        sentence_index=sent_index,
        sentence_start=sent.start_char,
        sentence=sent.text,
        trigger_start=trigger.idx,
        trigger_end=trigger.idx + len(trigger.text),
        trigger=trigger.text,
        trigger_lemma=trigger.lemma_.lower(),
        event_code=code,
        mode=mode if code == "CONSULT" else None,
        modality=how_sure,
        confidence=round(confidence, 2),
        actor1_starts=[s for s, _ in first],
        actor1_ends=[e for _, e in first],
        actor2_starts=[s for s, _ in second],
        actor2_ends=[e for _, e in second],
        location_start=place[0] if place else None,
        location_end=place[1] if place else None,
        quantity=number,
        quantity_unit=unit,
        quantity_text=amount_text,
        date_text=when.text if when is not None else None,
        tense=when_tense,
        group_starts=[row["start_char"] for row in groups],
        group_names=[row["canonical_name"] for row in groups],
        group_texts=[row["mention_text"] for row in groups],
    )


def _own_word(trigger: Token, code: str, lexicon: Lexicon) -> bool:
    """Whether the trigger's word does its type's act by itself: a speech verb ("warned", "said") or a word
    the lexicon lists for that type ("criticized", "accused"), unlike "Trump is dragging the GOP down"."""
    lemma = trigger.lemma_.lower()
    if lemma in SPEECH_VERBS:
        return True
    pos = "NOUN" if is_noun(trigger) else "VERB"
    return any(entry.code == code for entry in lexicon.entries.get((lemma, pos), ()))


def _not_the_trigger(spans: list[CharSpan], trigger: Token, index: MentionIndex) -> list[CharSpan]:
    """Without a group phrase that is the trigger itself ("critics of term limits", "opposition from X")."""
    return [
        (start, end) for start, end in spans
        if not (start <= trigger.idx < end and index.label_at(start) == GROUP_LABEL)
    ]


def _category(trigger: Token, entry: TriggerEntry) -> tuple[str, str | None]:
    """(code, mode) of a trigger: a "video" meeting is a call; joint exercises cooperate, others mobilize."""
    code, mode = entry.code, entry.mode
    mods = {c.lemma_.lower() for c in trigger.children if c.dep_ in ("compound", "amod", "nmod")}
    if code == "CONSULT" and mods & _CALL_MODIFIERS:
        mode = "call"
    if trigger.lemma_.lower() in ("exercise", "patrol", "drill") and code in ("COOPERATE", "MOBILIZE"):
        code = "COOPERATE" if mods & _JOINT else "MOBILIZE"
    return code, mode


def _group_object(span: CharSpan, trigger: Token, pred: Token, index: MentionIndex) -> bool:
    """An unnamed group that is the object (or passive subject) of the trigger or its verb."""
    if index.label_at(span[0]) != GROUP_LABEL:
        return False
    words = trigger.doc.char_span(span[0], span[1], alignment_mode="expand")
    if words is None:
        return False
    root = words.root
    return root.dep_ in _OBJECT_DEPS and root.head.i in (trigger.i, pred.i)


def _counterparts(
    code: str, first: list[CharSpan], second: list[CharSpan]
) -> tuple[list[CharSpan], list[CharSpan]]:
    """In a symmetric event, one of several participants on one side is the others' counterpart."""
    if code in SYMMETRIC_CODES and not first and len(second) >= 2:
        first, second = second[:1], second[1:]
    if code in SYMMETRIC_CODES and not second and len(first) >= 2:
        # "Macron and Merkel met": one is the other's counterpart
        first, second = first[:1], first[1:]
    return first, second


def _merge_sentence_rows(rows: list[EventMention]) -> list[EventMention]:
    """One row per event within a sentence: "a video conversation ..., Biden spoke with Putin" is one CONSULT.

    Two rows of the same category and modality merge when one's participants contain the other's; the
    better-attested row (higher confidence, then earlier) is kept and fills its gaps from the other (a date
    with the tense that anchors it).
    """
    kept: list[EventMention] = []
    for row in sorted(rows, key=lambda r: (-r.confidence, r.trigger_start)):
        mine = row.participants
        other = next(
            (
                other for other in kept
                if other.event_code == row.event_code and other.modality == row.modality
                and (mine <= other.participants or other.participants <= mine)
            ),
            None,
        )
        if other is None:
            kept.append(row)
            continue
        if other.date_text is None and row.date_text is not None:
            # the date comes with the tense it is anchored by: "will meet ... the talks on Friday"
            other.date_text, other.tense = row.date_text, row.tense
        for column in ("quantity", "quantity_unit", "quantity_text", "location_start", "location_end"):
            if getattr(other, column) is None:
                setattr(other, column, getattr(row, column))
        if row.mode == "call":
            other.mode = "call"
    return sorted(kept, key=lambda r: r.trigger_start)
