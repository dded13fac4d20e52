"""The circumstances of an event mention in its own sentence: how many ("100,000 troops") and when (a date text).

Dates are kept as text here and anchored later (``transforms.dates``), because anchoring needs the
document's publication date; a date belongs to the event only when the parse attaches it to the
trigger's clause (``_attached``).
"""

import re
from typing import NamedTuple

from dateline.transforms.dates import is_duration, is_named_event
from dateline.transforms.event_modality import looks_ahead
from spacy.tokens import Span, Token

_NON_UNITS = {"year", "month", "week", "day", "hour", "minute", "time", "percent", "%", "per", "of"}
_QUANTITY = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s(?:thousand|million|billion))?|tens of thousands|"
    r"hundreds of thousands|thousands|hundreds|dozens)\s+(?:of\s+)?(?:[A-Za-z-]+\s+){0,2}?"
    r"(?P<unit>aircraft|personnel|[a-z]+s)\b"
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_DAY_IN_PARENS = re.compile(r"^\s*\(\d{1,2}\)")
# Acts done by saying: the day of the statement that makes them is their day ("Khan said on Friday the
# policies are the opposite of our values": a DISAPPROVE of Friday).
SPOKEN_CODES = frozenset({"DISAPPROVE", "SUPPORT", "DEMAND", "REJECT", "THREATEN", "AGREE"})
_SPEECH_VERBS = frozenset({
    "say", "tell", "tweet", "write", "state", "add", "insist", "declare", "announce", "argue", "assert", "claim",
    "warn", "respond", "reply", "explain",
})
_WEEKDAY_NAMES = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"})
# A date that modifies another noun dates that noun ("his 2016 campaign plea", "the 2015 nuclear deal"); it
# dates the event only when that noun is the event, or an occasion the event happens at ("during a 2015 interview").
_NOUN_MODIFIER_DEPS = frozenset({"compound", "nmod", "amod", "poss", "nummod"})
_OCCASION_PREPS = frozenset({
    "during", "at", "in", "on", "after", "before", "following", "since", "until", "amid", "throughout", "ahead",
    "from",
})
_TOPIC_PREPS = frozenset({"in", "on", "from"})
_TIME_MARKS = frozenset({"when", "as", "while"})
_RELATIVE_WORDS = frozenset({"this", "last", "next", "past", "coming", "previous"})
_PARTS_OF_DAY = frozenset({"morning", "afternoon", "evening", "night"})
# A person's age the recognizer reads as a DATE: "Williams, 32, was arrested", "Mary Jones, aged 51,".
_BARE_NUMBER = re.compile(r"^\d{1,3}$")
_AGE_WORDS = frozenset({"aged", "age", "ages"})


def quantity(trigger: Token, pred: Token, doc_text: str) -> tuple[float | None, str, str] | None:
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
    return _date_side_shares_clause(date_path, common, trigger, pred) and _trigger_side_shares_time(
        trigger_path, common, trigger, pred
    )


def _below(path: list[Token], common: Token) -> list[Token]:
    """The tokens of a path up to (without) the common head."""
    return path[: next(i for i, t in enumerate(path) if t.i == common.i)]


def _date_side_shares_clause(date_path: list[Token], common: Token, trigger: Token, pred: Token) -> bool:
    """No verb between the date and the common head but the trigger, its predicate, a clause of the trigger,
    or an adverbial clause that sets the time of the trigger's clause ("Pressed by senators at his January
    hearing, Barr pledged"; "When families arrived in 2014, the administration detained them")."""
    node = date_path[0]
    if not _modifies_the_event(node, trigger, pred):
        return False
    return not any(
        token is not node and token.pos_ in ("VERB", "AUX") and token.i not in (trigger.i, pred.i)
        and not (token.dep_ in ("relcl", "acl") and token.head.i == trigger.i)
        and not _sets_the_time(token)
        for token in _below(date_path, common)
    )


def _sets_the_time(verb: Token) -> bool:
    """An adverbial clause of the same time: a participle without its own subject, or "when / as / while"."""
    if verb.dep_ != "advcl":
        return False
    children = list(verb.children)
    if any(c.dep_ in ("mark", "advmod") and c.lower_ in _TIME_MARKS for c in children):
        return True
    return verb.tag_ in ("VBN", "VBG") and not any(
        c.dep_ in ("nsubj", "nsubjpass", "mark") for c in children
    )


def _modifies_the_event(node: Token, trigger: Token, pred: Token) -> bool:
    """A date inside a noun phrase ("the 2016 election") dates that noun: the event only when the noun is
    the trigger or the occasion of its clause ("at his January hearing", "during a 2015 interview")."""
    if node.dep_ not in _NOUN_MODIFIER_DEPS or node.head is node:
        return True
    noun = node.head
    while noun.dep_ == "compound" and noun.head is not noun:  # "a 2015 CNN interview"
        noun = noun.head
    if noun.i in (trigger.i, pred.i):
        return True
    if noun.pos_ != "NOUN" or noun.lemma_.lower() in _PARTS_OF_DAY:  # not "On Friday Justin Trudeau" misread
        return True
    prep = noun.head
    if noun.dep_ != "pobj" or prep.lower_ not in _OCCASION_PREPS:
        return False
    # "in" / "on" / "from" also give a topic ("interference in the 2016 election"): an occasion only on a verb
    return prep.lower_ not in _TOPIC_PREPS or prep.head.pos_ in ("VERB", "AUX")


def _trigger_side_shares_time(trigger_path: list[Token], common: Token, trigger: Token, pred: Token) -> bool:
    """The trigger climbs to the common head only through phrases and clauses that share its time."""
    return not any(_starts_own_time(token, common, trigger, pred) for token in _below(trigger_path, common))


def _starts_own_time(token: Token, common: Token, trigger: Token, pred: Token) -> bool:
    if token.dep_ in ("ccomp", "parataxis", "csubj"):
        return True
    if token.dep_ == "xcomp" and looks_ahead(token.head):
        # "promised on Thursday to strengthen", "agreed on Monday to meet": that day is the promise's
        return True
    buried = token.i not in (trigger.i, pred.i) and token.pos_ in ("VERB", "AUX") and token.dep_ != "xcomp"
    if (buried or token.dep_ in ("relcl", "acl", "advcl")) and token.head.i != common.i:
        # the trigger's clause hangs on something else than the date's head: "the suspect, whom
        # police arrested, appeared in court on Wednesday" does not date the arrest
        return True
    return token.dep_ == "conj" and token.pos_ in ("VERB", "AUX") and any(
        c.dep_ in ("nsubj", "nsubjpass") for c in token.children
    )


def _path_up(token: Token) -> list[Token]:
    """The token and its heads up to the sentence root (at most 40 tokens)."""
    path = [token]
    # by index: ``head is not token`` always holds (spaCy makes a new Token per access), which padded the
    # path to 40 with the root; its readers stop at the first common head, so they read the same
    while path[-1].head.i != path[-1].i and len(path) < 40:
        path.append(path[-1].head)
    return path


class EventDate(NamedTuple):
    """A mention's date text and, when it is the date of the statement that makes a spoken act, that
    statement's verb: the date is anchored with the statement's tense ("announced on Sept. 5 that it will
    ask" is the past Sept. 5, though the asking is ahead)."""

    text: str
    statement: Token | None = None


def date_text(
    trigger: Token, pred: Token, doc_text: str, date_ents: list[Span], code: str | None = None
) -> EventDate | None:
    """The date expression syntactically attached to this trigger (its clause), or None.

    A date of another clause is not this event's ("results were released Wednesday" does not date an
    arrest "when he was arrested"), not even as the sentence's only date; neither is a length of time
    ("a two-day visit"), the name of an event ("Super Tuesday", "the March for Life"), nor a year that
    names another noun ("the 2016 election"). An act done by saying (``code`` in ``SPOKEN_CODES``) with
    no date of its own takes the date of the statement that makes it ("said on Friday that he supports").
    """
    sent = trigger.sent
    dates = [ent for ent in date_ents if ent.start >= sent.start and ent.end <= sent.end]
    dates += _bare_weekdays(sent, dates, doc_text)
    usable = [
        ent for ent in dates
        if not is_duration(ent.text) and not is_named_event(_date_phrase(ent)) and not _is_age(ent)
    ]
    own = [ent for ent in usable if _attached(ent.root, trigger, pred)]
    statement = None
    if not own and code in SPOKEN_CODES:
        speech = _speech_verb(pred)
        if speech is not None:
            trigger = pred = statement = speech
            own = [ent for ent in usable if _attached(ent.root, speech, speech)]
    if not own:
        return None
    # the trigger's own dependents first ("agreed on Monday to meet Xi in June": the meeting is in June)
    inside = {t.i for t in pred.subtree} if pred is trigger else {t.i for t in trigger.subtree}
    pick = min(own, key=lambda e: (e.root.i not in inside, abs(e.root.i - trigger.i)))
    start = pick.start
    while start > sent.start and pick.doc[start - 1].lower_ in _RELATIVE_WORDS:
        start -= 1  # "this month's": the recognizer may leave the word that anchors it out
    text = pick.doc[start : pick.end].text
    rest = doc_text[pick.end_char : pick.end_char + 6]
    day = _DAY_IN_PARENS.match(rest)
    if day:
        text += day.group(0).rstrip()
    return EventDate(text, statement)


def _is_age(ent: Span) -> bool:
    """A bare number that is someone's age, never a date: in apposition to a noun ("Williams, 32, was
    arrested": appos or npadvmod of the name), counted by "aged" ("Jones, aged 51,") or what someone is
    ("when she was 15": the complement of "be"). A number the parse hangs on a date ("Feb. 1" split by the
    recognizer) stays a date. ("a 32-year-old", "32 years old" are
    lengths of time, which ``is_duration`` leaves out already.)"""
    if not _BARE_NUMBER.match(ent.text):
        return False
    root = ent.root
    head = root.head
    if head.lower_ in _AGE_WORDS:
        return True
    if root.dep_ in ("attr", "acomp") and head.lemma_ == "be":
        return True  # what someone "was" or "is" as a bare number: "when she was 15"
    return (
        root.dep_ in ("appos", "npadvmod") and head is not root and head.pos_ in ("PROPN", "NOUN")
        and head.ent_type_ != "DATE" and head.lemma_.lower() not in _PARTS_OF_DAY
    )


def _bare_weekdays(sent: Span, dates: list[Span], doc_text: str) -> list[Span]:
    """Weekday names the entity recognizer left out or read as a time ("voted late Saturday to endorse",
    "Tuesday morning"), as one-word dates. (A sentence whose text holds no weekday name has none: its tokens
    are not read.)"""
    words = doc_text[sent.start_char:sent.end_char]
    if not any(name in words for name in _WEEKDAY_NAMES):
        return []
    taken = {i for ent in dates for i in range(ent.start, ent.end)}
    return [
        sent.doc[t.i : t.i + 1] for t in sent
        if t.text in _WEEKDAY_NAMES and t.i not in taken and t.ent_type_ in ("", "TIME")
    ]


def _speech_verb(pred: Token) -> Token | None:
    """The verb reporting the statement whose words make a spoken act ("the mayor said on Friday that the
    policies are ..."), when the act is said in the present of that statement: not "said that X had
    criticized" or "said that X criticized", which happened before."""
    if pred.tag_ in ("VBD", "VBN") and pred.dep_ != "advcl":
        return None
    node = pred
    for _ in range(4):
        reporting = _reporting_child(node)
        if reporting is not None:  # the quote's verb heads the sentence: "“X deserves answers,” Healey tweeted"
            return reporting
        head = node.head
        if head is node:
            return None
        if _is_speech(head) and node.dep_ in ("ccomp", "parataxis"):
            return head
        if node.dep_ not in ("advcl", "conj", "xcomp", "ccomp", "acomp", "attr"):
            return None
        node = head
    return None


def _is_speech(token: Token) -> bool:
    return token.lemma_.lower() in _SPEECH_VERBS and token.pos_ == "VERB"


def _reporting_child(node: Token) -> Token | None:
    """A speech verb after a quotation that the parser hangs on the quotation's own verb."""
    return next(
        (c for c in node.rights if _is_speech(c) and c.dep_ in ("parataxis", "ccomp") and node.dep_ == "ROOT"),
        None,
    )


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
