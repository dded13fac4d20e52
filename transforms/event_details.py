"""The circumstances of an event mention in its own sentence: how many ("100,000 troops") and when (a date text).

Dates are kept as text here and anchored later (``transforms.dates``), because anchoring needs the
document's publication date; a date belongs to the event only when the parse attaches it to the
trigger's clause (``_attached``).
"""

import re

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
    """No verb between the date and the common head but the trigger, its predicate or a clause of the trigger."""
    node = date_path[0]
    return not any(
        token is not node and token.pos_ in ("VERB", "AUX") and token.i not in (trigger.i, pred.i)
        and not (token.dep_ in ("relcl", "acl") and token.head.i == trigger.i)
        for token in _below(date_path, common)
    )


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
    """The token and its heads up to the sentence root."""
    path = [token]
    while path[-1].head is not path[-1] and len(path) < 40:
        path.append(path[-1].head)
    return path


def date_text(trigger: Token, pred: Token, sent: Span, doc_text: str, date_ents: list[Span]) -> str | None:
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
