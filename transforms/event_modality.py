"""How sure the text is of an event (asserted / negated / hypothetical / planned) and which way it points in time.

``modality`` is the result of the first rule of ``MODALITY_RULES`` that holds for the trigger's clause
chain, "asserted" when none does; ``tense`` says whether a bare weekday or month of the event looks
back or ahead from the publication date.
"""

from collections.abc import Callable
from dataclasses import dataclass

from dateline.transforms.event_mentions import CLIMB_DEPS, DENY
from spacy.tokens import Token

_TIME_PREPS = frozenset({"during", "after", "before", "since", "following", "amid", "throughout"})
_COMPLEMENT_DEPS = {"xcomp", "ccomp", "dobj", "obj", "acl", "pcomp", "nsubjpass"}
_HYPOTHETICAL_AUX = {"might", "may", "could", "would", "can", "should"}
_HYPOTHETICAL_HEADS = {"fear", "possibility", "prospect", "risk", "threat", "if", "suggestion",
                       "feared", "worry", "signal", "pretext", "potential", "wonder", "whether",
                       # "would be willing to negotiate", "open to supporting", "stands ready to cooperate"
                       "willing", "open", "ready", "unlikely", "likely"}
# Words that turn what they govern down: "refused to negotiate", "declined to bring charges", "cancelled a visit".
_NEGATING_HEADS = frozenset(DENY | {"refuse", "decline", "fail", "cancel", "scrap", "spurn", "abandon"})
# Of those, the ones that call off a planned event named by a noun ("cancelled the visit", "scrapped a trip");
# the others answer an event that is there: "denied the allegations", "refused the request", "declined to
# hear the appeal" leave the allegations, the request and the appeal asserted.
_CALLING_OFF_HEADS = frozenset({"cancel", "scrap", "abandon"})
# Words that reject by themselves; a REJECT typed on another word is made by its negation ("doesn't believe
# in", "never engaged in", "did not consider it spying", "not going to do that"), which asserts the rejection.
_REJECTING_WORDS = frozenset({
    "reject", "deny", "refuse", "oppose", "veto", "block", "dismiss", "decline", "refute", "rebuff", "spurn",
    "rejection", "opposition", "refusal", "denial", "vote", "resist", "object", "boycott",
})
# Words that ask for what they govern, which has not happened: "urged X to denounce", "called for impeachment".
_REQUEST_HEADS = frozenset({
    "urge", "ask", "call", "demand", "press", "push", "request", "appeal", "implore", "beg", "encourage", "need",
    "pressure", "petition",
})
# Verbs whose object event noun is asked for or threatened, not done: "demanded talks", "threatened a veto".
_ASKED_OBJECT_HEADS = frozenset({"demand", "request", "seek", "threaten"})
# Verbs whose infinitive is only threatened or weighed, not done: "threatened to sue", "is considering using".
_THREAT_HEADS = frozenset({"threaten", "consider"})
# Verbs that report speech: "would" under them is the future of the speaker's time ("said it would expel").
_SPEECH_HEADS = frozenset({
    "say", "tell", "announce", "confirm", "state", "add", "insist", "declare", "write", "tweet", "report",
    "indicate", "signal", "suggest", "vow", "pledge", "promise",
})
_HYPOTHETICAL_MODS = {"possible", "potential", "imminent", "eventual", "hypothetical", "likely"}
_PLAN_HEADS = {"plan", "schedule", "intend", "prepare", "expect", "vow", "promise", "pledge", "aim", "decision",
               "agree", "decide", "go", "want", "seek", "hope", "scheduled"}
_PLANNED_MODS = ("upcoming", "planned", "scheduled", "future", "forthcoming")
# "should stop", "must conduct", "ought to", "needs to explain", "has to go": what someone is told to do.
_DEONTIC_AUX = frozenset({"should", "must", "ought"})
_DEONTIC_VERBS = frozenset({"need", "have"})
# Acts done by telling someone what they should do: '"Republicans should stop," Trump tweeted' is Trump's
# DEMAND, made when he says it; "Perhaps Intelligence should go back to school!" is a criticism made.
_TOLD_CODES = frozenset({"DEMAND", "DISAPPROVE"})
# "'ll" / "'d" typed with a straight or a curly quote: "He’ll meet".
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll", "wo", "would", "could", "might", "may", "'d", "’d"})
_WILL = frozenset({"will", "shall", "'ll", "’ll"})
# Verbs and adjectives whose complement has not happened yet: "plans to", "is expected to", "is set to".
_LOOKS_AHEAD = frozenset({
    "plan", "expect", "hope", "aim", "schedule", "set", "intend", "want", "seek", "prepare", "due", "poise",
    "vow", "promise", "agree", "propose", "wish", "need", "pledge", "threaten", "likely", "slate", "await",
})


def looks_ahead(head: Token) -> bool:
    """Whether a governing word puts its complement in the future ("plans to", "is going to")."""
    return head.lemma_.lower() in _LOOKS_AHEAD or head.lower_ == "going"


@dataclass(frozen=True)
class _Clause:
    """A trigger and the words that govern it: ``chain`` = (token, link from the one before), trigger first.

    Governing words count only through complement links ("denied plans to invade", "plans to meet"),
    never through adjuncts ("in a conversation last week, Biden rejected ...").
    """

    trigger: Token
    pred: Token
    chain: tuple[tuple[Token, str], ...]
    code: str | None = None

    @property
    def local(self) -> list[Token]:
        """The trigger and its predicate."""
        return [tok for tok, _ in self.chain[:2]]

    @property
    def governing(self) -> list[Token]:
        return [tok for tok, _ in self.chain[1:]]

    @property
    def governed(self) -> list[Token]:
        """Governing words reached through complement links."""
        return [tok for tok, via in self.chain[1:] if via in _COMPLEMENT_DEPS]


def _clause(trigger: Token, pred: Token, code: str | None = None) -> _Clause:
    if pred is not trigger and trigger.dep_ in ("dobj", "obj") and pred.lemma_.lower() in _ABOUT_VERBS:
        # "did not mention the annexation", "will never recognize the annexation": what is said or known of an
        # event does not make it more or less real; the noun keeps only its own words ("no talks", "planned talks")
        return _Clause(trigger, trigger, ((trigger, ""),), code)
    if pred is not trigger and trigger.dep_ == "pobj" and trigger.head.lower_ in _TIME_PREPS:
        # "he would brief Xi during his visit": the visit takes place whatever is said of the briefing
        pred = trigger
    chain: list[tuple[Token, str]] = [(trigger, "")]
    if pred is not trigger:
        chain.append((pred, trigger.dep_))
    node = pred
    for _ in range(4):
        if node.head is node or node.dep_ not in CLIMB_DEPS:
            break
        chain.append((node.head, node.dep_))
        node = node.head
    return _Clause(trigger, pred, tuple(chain), code)


def _has_child(tokens: list[Token], test: Callable[[Token], bool]) -> bool:
    return any(test(child) for tok in tokens for child in tok.children)


def _rejects_by_negation(clause: _Clause) -> bool:
    """A REJECT on a word that does not reject by itself: its negation is the act ("I did not praise
    racists", "he doesn't believe in the plan"), so the rejection is asserted."""
    return clause.code == "REJECT" and clause.trigger.lemma_.lower() not in _REJECTING_WORDS


# Verbs that speak or know of an event without doing it: "did not mention the annexation", "never discussed
# the sanctions" leave the annexation and the sanctions as they are; "did not hold talks" negates the talks.
_ABOUT_VERBS = frozenset({
    "mention", "discuss", "address", "raise", "cite", "acknowledge", "recognize", "know", "remember", "recall",
    "forget", "report", "reflect", "notice", "realize", "understand", "explain", "describe", "dispute",
})


def _negated_locally(clause: _Clause) -> bool:
    if _rejects_by_negation(clause):
        return False
    return _has_child(clause.local, lambda c: c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no"))


def _denied(clause: _Clause) -> bool:
    """"denied any plans to invade", "refused to negotiate": the refusal is its own event; what it turns
    down did not happen. An event noun it answers is there ("denied the allegations", "refused the
    request"); only a called-off one is not ("cancelled the visit")."""
    if _rejects_by_negation(clause):
        return False
    noun = clause.trigger.pos_ in ("NOUN", "PROPN")
    return any(
        (tok.lemma_.lower() in (_CALLING_OFF_HEADS if noun else _NEGATING_HEADS))
        or (not noun and any(c.dep_ == "neg" for c in tok.children))
        for tok in clause.governed
    )


def _modal_scope(clause: _Clause) -> list[Token]:
    """The words whose modals speak of the trigger: not the predicate of a noun that is its subject
    ("the deal would leave Britain beholden", "these talks can produce results": the deal and the talks are)."""
    trigger = clause.trigger
    local = [trigger] if trigger.dep_ == "nsubj" and clause.pred is not trigger else clause.local
    return local + clause.governed


def deontic(pred: Token) -> bool:
    """"should stop", "must conduct", "needs to explain", "has to go": ``pred`` is what someone is told to do."""
    if any(child.dep_ == "aux" and child.lower_ in _DEONTIC_AUX for child in pred.children):
        return True
    if pred.lemma_.lower() in _DEONTIC_VERBS and any(child.dep_ == "xcomp" for child in pred.children):
        return True
    head = pred.head
    return pred.dep_ == "xcomp" and head.lemma_.lower() in _DEONTIC_VERBS and head.i < pred.i


def _told_to(clause: _Clause) -> bool:
    """A demand or a criticism made by saying what someone should or must do ("Northam should resign",
    "the White House must issue an apology") is made when it is said: asserted, not hypothetical. Not in a
    condition ("if he should resign") nor under a word that governs it ("fears that it should ...")."""
    if clause.code not in _TOLD_CODES or not deontic(clause.pred):
        return False
    if _has_child(clause.local, lambda c: c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless")):
        return False
    return not any(tok.lemma_.lower() in _HYPOTHETICAL_HEADS for tok in clause.governing)


def _said_would(clause: _Clause) -> bool:
    """"Lithuania said it would expel three diplomats": a reported plan, not a condition (no "if" beside it)."""
    pred = clause.pred
    if clause.trigger.dep_ == "nsubj" or not any(c.dep_ == "aux" and c.lower_ == "would" for c in pred.children):
        return False
    if pred.dep_ != "ccomp" or pred.head.lemma_.lower() not in _SPEECH_HEADS:
        return False
    return not any(
        c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether")
        for tok in (pred, *[c for c in pred.children if c.dep_ == "advcl"])
        for c in tok.children
    )


def _requested(clause: _Clause) -> bool:
    """"urged them to denounce", "asked the court to halt", "called for impeachment", "demanded impeachment
    proceedings", "threatened a veto", "threatened to sue": asked for or threatened, not done."""
    # the trigger's predicate and the infinitives above it: "threatened to withhold", "considering using";
    # not a clause that only hangs on one ("the move threatened to push tensions higher after X withdrew")
    start = 0 if clause.pred is clause.trigger else 1
    infinitives = start + next(
        (n for n, (_, via) in enumerate(clause.chain[start + 1 :]) if via != "xcomp"), len(clause.chain) - start - 1
    )
    for position, (tok, via) in enumerate(clause.chain[1:], start=1):
        below = clause.chain[position - 1][0]
        lemma = tok.lemma_.lower()
        if via in ("dobj", "obj") and below is clause.trigger and lemma in _ASKED_OBJECT_HEADS:
            return True
        if lemma in _THREAT_HEADS and start < position <= infinitives:
            return True
        if lemma not in _REQUEST_HEADS:
            continue
        if via == "xcomp" or (via == "pobj" and below.head.lower_ in ("for",)):
            return True
    return False


def _conditional(clause: _Clause) -> bool:
    """A hypothetical modal ("might", "could") or an "if / whether / unless" clause."""
    return _has_child(
        _modal_scope(clause),
        lambda c: (c.dep_ in ("aux", "auxpass") and c.lower_ in _HYPOTHETICAL_AUX)
        or (c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless")),
    )


def _possible(clause: _Clause) -> bool:
    return any(c.dep_ == "amod" and c.lemma_.lower() in _HYPOTHETICAL_MODS for c in clause.trigger.children)


def _feared(clause: _Clause) -> bool:
    return any(tok.lemma_.lower() in _HYPOTHETICAL_HEADS for tok in clause.governing)


def _will(clause: _Clause) -> bool:
    return _has_child(clause.local + clause.governed, lambda c: c.dep_ == "aux" and c.lower_ in _WILL)


def _planned_by_head(clause: _Clause) -> bool:
    return any(tok.lemma_.lower() in _PLAN_HEADS for tok in clause.governed)


def _scheduled(clause: _Clause) -> bool:
    """"the upcoming summit", "a planned meeting" (the word as written: "planned" has the lemma "plan")."""
    return any(c.lower_ in _PLANNED_MODS or c.lemma_.lower() in _PLANNED_MODS for c in clause.trigger.children)


def _is_to(clause: _Clause) -> bool:
    """"Ukraine is to expel 13 diplomats", "the leaders are to meet in June": "be to" is a plan."""
    return any(
        tok.lemma_.lower() == "be" and via == "xcomp"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.chain[i][0].children)
        for i, (tok, via) in enumerate(clause.chain[1:])
    )


# In order: the first rule that holds gives the modality; none holds: "asserted".
MODALITY_RULES: tuple[tuple[Callable[[_Clause], bool], str], ...] = (
    (_negated_locally, "negated"),
    (_denied, "negated"),
    (_told_to, "asserted"),
    (_said_would, "planned"),
    (_conditional, "hypothetical"),
    (_possible, "hypothetical"),
    (_feared, "hypothetical"),
    (_requested, "hypothetical"),
    (_will, "planned"),
    (_planned_by_head, "planned"),
    (_scheduled, "planned"),
    (_is_to, "planned"),
)


def modality(trigger: Token, pred: Token, code: str | None = None) -> str:
    """asserted / negated / hypothetical / planned, from negation, modals and the governing words (and the
    event's ``code``: a REJECT made by a negation is asserted)."""
    clause = _clause(trigger, pred, code)
    return next((result for holds, result in MODALITY_RULES if holds(clause)), "asserted")


def tense(trigger: Token, pred: Token, modality: str) -> str:
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
        if node is not pred and looks_ahead(node):
            return True
        if node.dep_ != "xcomp" or node.head is node:
            break
        node = node.head
    return node is not pred and looks_ahead(node)
