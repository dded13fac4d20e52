"""An event mention's participants and place, read from the dependency parse around its trigger.

``actor1`` (who does it) is the first answer of an ordered rule table: for a noun trigger the doer
named on the noun ("criticism from Trump", "Moscow's demands"), else its clause's; for a verb, its
clause's (``event_references.verb_doers``). ``actor2`` (to whom) gathers what each of its rules
finds, in order. A noun trigger's arguments are those of the verb whose clause carries it
(``predicate``: "have a call", "impose sanctions").
"""

from dateline.transforms.event_mentions import (
    ACTOR_LABELS,
    DENY,
    NOUN_TAGS,
    OBJ,
    PASS_SUBJ,
    PLACE_LABELS,
    SUBJ,
    CharSpan,
    MentionIndex,
    first_mention,
    span,
)
from dateline.transforms.event_modality import deontic
from dateline.transforms.event_references import (
    SPEECH_VERBS,
    clause_doers,
    closing_speech_verb,
    first_found,
    in_quotes,
    prep_objects,
    resolve,
    subject_doer,
    verb_doers,
)
from spacy.tokens import Token

_ACTOR2_PREPS = {"with", "against", "on", "to", "between", "of", "for", "from", "at", "toward", "towards",
                 "into"}
_PLACE_PREPS = {"in", "at", "near", "around", "along", "to", "into", "across", "inside", "within"}
# "in a call", "during his visit": a noun trigger in these frames shares its clause's participants.
_FRAME_PREPS = frozenset({"in", "during", "at", "after", "before"})
# "for" frames only gatherings one goes to ("head to Helsinki for a meeting"); "blamed Ukraine for the
# buildup" gives a reason, not a frame.
_GATHERING_NOUNS = frozenset({
    "meeting", "visit", "trip", "summit", "talk", "call", "conversation", "negotiation", "discussion",
    "consultation",
})
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
# What one is arrested, charged, convicted or jailed for is the offence, never the one it is done to: the
# object of these prepositions on such a word is no actor ("arrested for DUI", "jailed on drug charges",
# "charged with murder").
_OFFENCE_PREPS = {
    **dict.fromkeys((
        "arrest", "detain", "detention", "jail", "jailing", "imprison", "imprisonment", "convict", "conviction",
        "sentence", "sentencing", "prosecute", "prosecution", "apprehend", "extradite", "extradition", "deport",
        "deportation", "cite",
    ), ("for", "on")),
    **dict.fromkeys(("charge", "indict", "indictment", "book"), ("for", "on", "with")),
}
# Offences named before such a noun ("a previous DUI arrest", "his fraud conviction"): the recognizer may
# take an acronym for a name, but the one arrested is a person.
_OFFENCE_WORDS = frozenset({
    "dui", "dwi", "owi", "ovi", "oui", "murder", "manslaughter", "homicide", "fraud", "assault", "battery",
    "theft", "robbery", "burglary", "rape", "drug", "drugs", "weapons", "gun", "firearms", "trafficking",
    "smuggling", "marijuana", "corruption", "bribery", "espionage", "terrorism", "terror", "treason", "perjury", "evasion",
    "felony", "misdemeanor", "arson", "kidnapping", "larceny", "shoplifting", "trespassing", "harassment",
    "stalking", "embezzlement", "laundering", "extortion", "racketeering", "tax", "sex", "drunk-driving",
})


def is_noun(trigger: Token) -> bool:
    return trigger.pos_ in NOUN_TAGS


def predicate(noun: Token) -> Token:
    """The verb whose clause carries a noun trigger's arguments ("have a call", "impose sanctions")."""
    head = noun.head
    if noun.dep_ in ("dobj", "obj", "nsubjpass", "attr", "nsubj", "oprd") and head.pos_ in ("VERB", "AUX"):
        return head
    if noun.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        return head.head
    return noun


def actor1(
    trigger: Token, pred: Token, index: MentionIndex, reacted_to: bool = False, code: str | None = None
) -> list[CharSpan]:
    """Who does it: the first answer of ``NOUN_DOER_RULES`` for a noun trigger, of the verb's clause else.

    A noun trigger ``reacted_to`` by its verb (the object of a trigger of another type: "Biden rejected
    that demand", "slammed the sanctions") is someone else's act: only a doer named on the noun itself
    ("Moscow's demand", "sanctions imposed by Washington") is its actor1, never the verb's subject.
    ``code`` (the event type) tells what a name modifying a noun trigger is (``modifier_role``)."""
    if is_noun(trigger):
        rules = REACTED_TO_DOER_RULES if reacted_to else NOUN_DOER_RULES
        return first_found(rules, trigger, pred, index, code)
    return verb_doers(pred, index)


def _between(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"a call between Trump and Zelensky", "clashes between protesters and police": the first of the pair
    named on the noun does it with the second, whoever the clause's subject is."""
    pair = between_pair(trigger, index)
    return pair[:1] if pair else None


def between_pair(trigger: Token, index: MentionIndex) -> list[CharSpan]:
    """The two or more actors of "between X and Y" on a noun trigger (empty when fewer are named)."""
    if not is_noun(trigger):
        return []
    found = [span for obj in prep_objects(trigger, ("between",)) for span in _actors(obj, index)]
    return list(dict.fromkeys(found)) if len(set(found)) >= 2 else []


# A place named before a meeting noun is where it is held ("the Hanoi summit", "the Trump Tower meeting"); before
# an attack, a fight or a protest, a named site ("the Parkland shooting") is — a country there is often the
# doer ("the U.S. invasion"), so only sites count.
_PLACE_MODIFIER_LABELS = {
    "CONSULT": frozenset(PLACE_LABELS),
    "ASSAULT": frozenset({"LOC", "FAC"}),
    "FIGHT": frozenset({"LOC", "FAC"}),
    "PROTEST": frozenset({"LOC", "FAC"}),
}
# A person named before a meeting noun is the one met ("the Putin summit", "the Zelensky phone call"); the
# other side is the clause's or the text's — unless the noun names who is met ("the Mueller meeting with
# Trump") or is a journey, whose modifier is the traveller ("a Trump visit"). An organization there is
# often the forum ("the G-7 summit").
_COUNTERPART_CODES = frozenset({"CONSULT"})
# Buildings where leaders meet, which the recognizer tags as the institution they house: "a White House meeting
# with county officials", "an Oval Office meeting", "a White House visit for Zelensky" are held there, by whoever
# the clause or the text names (on the first 900 train-split articles 32 meetings, visits, calls and talks had
# the White House or the Oval Office as their doer from such a modifier).
_VENUES = frozenset({
    "white house", "oval office", "downing street", "camp david", "mar-a-lago", "capitol", "capitol hill",
    "blue house", "elysee palace", "élysée palace",
})


def _venue(row: dict | None) -> bool:
    return row is not None and row["mention_text"].lower().removeprefix("the ").strip() in _VENUES
_JOURNEY_NOUNS = frozenset({"visit", "trip", "tour", "journey", "travel"})


def modifier_role(trigger: Token, child: Token, index: MentionIndex, code: str | None) -> str:
    """What a name modifying a noun trigger is: "doer" ("Moscow's demands", "Russian sanctions"),
    "counterpart" (a person compound on a meeting noun: "the Putin summit") or "place" ("the Hanoi summit",
    "the Parkland shooting")."""
    if child.dep_ != "compound" or code is None:
        return "doer"
    row = index.at(child.idx)
    label = row["label"] if row is not None else None
    if label in _PLACE_MODIFIER_LABELS.get(code, ()) or (code in _COUNTERPART_CODES and _venue(row)):
        return "place"
    if (
        code in _COUNTERPART_CODES and label == "PERSON" and trigger.lemma_.lower() not in _JOURNEY_NOUNS
        and not prep_objects(trigger, ("with", "between"))
    ):
        return "counterpart"
    return "doer"


def _named_on_noun(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"criticism from Trump", "a travel request by Tlaib", "sanctions imposed by Washington": the doer is
    named on the noun itself or on the participle that modifies it."""
    objects = prep_objects(trigger, _noun_agent_preps(trigger))
    objects += [obj for participle in _participles(trigger) for obj in prep_objects(participle, ("by",))]
    for obj in objects:
        spans = _actors(obj, index)
        if spans:
            return spans
    return None


# Verbs whose object is an act their subject performs: "the tariffs that Trump proposed", "the sanctions Washington
# imposed", "the call he made" (not "the deal Trump rejected": the one who rejects it is not its doer).
_PERFORM_VERBS = frozenset({
    "propose", "impose", "announce", "make", "issue", "levy", "launch", "sign", "conduct", "order", "file", "hold",
    "plan", "threaten", "offer", "pledge", "deliver", "level", "lodge", "unveil", "carry", "stage", "mount",
    "introduce", "bring", "place", "slap",
})


def _relative_doer(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"the tariffs that Trump has proposed", "the sanctions Washington imposed": the subject of a relative clause
    on the noun whose verb performs it."""
    for clause in trigger.children:
        if clause.dep_ != "relcl" or clause.lemma_.lower() not in _PERFORM_VERBS:
            continue
        if any(c.dep_ in ("dobj", "obj") and c.lower_ not in ("that", "which", "whom") for c in clause.children):
            continue  # the clause has an object of its own: the noun is not what it performs
        spans = [found for child in clause.children if child.dep_ in SUBJ for found in _actors(child, index)]
        if spans:
            return spans
    return None


def _participles(noun: Token) -> list[Token]:
    """"charges levied against him", "tariffs imposed on China": past participles modifying a noun."""
    # not a clause with a subject of its own ("suggestions that Trump was compromised by Russia")
    return [
        child for child in noun.children if child.dep_ == "acl" and child.tag_ == "VBN"
        and not any(c.dep_ in SUBJ | PASS_SUBJ for c in child.children)
    ]


def _noun_modifier(trigger: Token, pred: Token, index: MentionIndex, code: str | None = None) -> list[CharSpan] | None:
    """"Moscow's demands", "Russian sanctions" — not on a noun whose possessor undergoes it ("Cohen's
    arrest"), nor a modifier that is the one met or the place (``modifier_role``)."""
    if trigger.lemma_.lower() in _PATIENT_NOUNS:
        return None
    pair = _hyphen_pair(trigger, index)
    if pair:
        return pair[:1]
    led = _leader(trigger, index)
    if led:
        return led
    for child in trigger.children:
        if child.dep_ in ("poss", "amod", "compound", "nmod") and modifier_role(trigger, child, index, code) == "doer":
            spans = resolve(child, index)
            if spans:
                return spans
    return None


def _leader(trigger: Token, index: MentionIndex) -> list[CharSpan]:
    """"the Saudi-led campaign", "a U.S.-led offensive": the one who leads it does it."""
    return [
        found for child in trigger.children if child.dep_ == "amod" and child.lower_ == "led"
        for mod in child.children if mod.dep_ in ("npadvmod", "compound", "nmod") and mod.i < child.i
        for found in _actors(mod, index)
    ]


def _hyphen_pair(trigger: Token, index: MentionIndex) -> list[CharSpan] | None:
    """"the Trump-Kim summit", "the EU-UK talks": two actors joined by a hyphen before a noun trigger, the
    first doing it with the second."""
    if not is_noun(trigger) or trigger.lemma_.lower() in _PATIENT_NOUNS:
        return None
    doc = trigger.doc
    for child in trigger.children:
        if child.dep_ not in ("compound", "amod", "nmod") or child.i < 2 or child.i >= trigger.i:
            continue
        hyphen, first = doc[child.i - 1], doc[child.i - 2]
        if hyphen.text != "-" or first.whitespace_ or hyphen.whitespace_:
            continue
        pair = [found for tok in (first, child) for found in _actors(tok, index)]
        if len(pair) == 2 and pair[0] != pair[1]:
            return pair
    return None


def _without_clause(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    return [] if pred is trigger else None


def _giver(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"drew criticism from Merkel": the giver is named on the verb."""
    if not _received(trigger, pred):
        return None
    for obj in prep_objects(pred, ("from", "by")):
        spans = _actors(obj, index)
        if spans:
            return spans
    return []


def _penalty_instrument(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"Canada hit Peru with tariffs", "targeting Russia with sanctions": who hits someone with a penalty imposes
    it (only a SANCTION: "charged him with assault" is no assault by the prosecutor)."""
    if code != "SANCTION" or trigger.dep_ != "pobj" or trigger.head.lower_ != "with" or pred is trigger:
        return None
    return clause_doers(pred, index)


def _outside_frame(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"interviewed about the calls": a prepositional object that is no frame has no doer of its clause."""
    return [] if trigger.dep_ == "pobj" and not _in_frame(trigger) else None


def _subject_itself(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"The Putin summit was a success": the clause's subject is the noun itself, whose own modifiers the
    rules before have read; they are not named again as its clause's doer. A noun whose modifier undergoes
    it ("His DUI arrest occurred") keeps that modifier as its clause's doer too: without it, two arrests of
    one man in one document look like one event to the merge (an ECB+ document lost to this two links)."""
    if trigger.lemma_.lower() in _PATIENT_NOUNS:
        return None
    return [] if pred is not trigger and trigger.dep_ in SUBJ else None


def _clause_of_noun(trigger: Token, pred: Token, index: MentionIndex, code: str | None = None) -> list[CharSpan]:
    return clause_doers(pred, index)


def _responsible(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"Iran was responsible for the attack", "the group claimed responsibility for the bombing": whoever is
    responsible for an act did it."""
    if trigger.dep_ != "pobj" or trigger.head.lower_ != "for":
        return None
    word = trigger.head.head
    if word.lemma_.lower() == "responsible" and word.dep_ == "acomp":
        return [found for child in word.head.children if child.dep_ in SUBJ for found in _actors(child, index)] or None
    if word.lemma_.lower() == "responsibility" and word.dep_ in ("dobj", "obj"):
        return verb_doers(word.head, index) or None
    return None


def _comes_from(
    trigger: Token, pred: Token, index: MentionIndex, code: str | None = None
) -> list[CharSpan] | None:
    """"The remark came from an aide", "the decisive vote came from Flake": where an act comes from is its doer."""
    if trigger.dep_ not in SUBJ or pred is trigger or pred.lemma_.lower() != "come":
        return None
    for obj in prep_objects(pred, ("from",)):
        spans = _actors(obj, index)
        if spans:
            return spans
    return None


NOUN_DOER_RULES = (
    _between, _named_on_noun, _relative_doer, _noun_modifier, _responsible, _without_clause, _giver, _penalty_instrument,
    _outside_frame, _comes_from,
    _subject_itself, _clause_of_noun,
)
REACTED_TO_DOER_RULES = (_between, _named_on_noun, _noun_modifier)


def actor2(
    trigger: Token, pred: Token, index: MentionIndex, exclude: set[int], code: str | None = None
) -> list[CharSpan]:
    """To whom: what every rule of ``TARGET_RULES`` finds, in order, without ``exclude`` and repeats.

    A deployment or build-up of forces (MOBILIZE) is aimed only at whom it is "against": the forces sent, where
    they go and what they have are no target ("deployed National Guard troops to the border", "sent a destroyer
    to the drills")."""
    if code == "MOBILIZE":
        heads = [trigger] if pred is trigger else [trigger, pred]
        aimed = [found for head in heads for obj in prep_objects(head, ("against",)) for found in _actors(obj, index)]
        return _new_spans(aimed, exclude)
    spans = [found for rule in TARGET_RULES for found in rule(trigger, pred, index, exclude)]
    if is_noun(trigger):
        spans = [*between_pair(trigger, index), *_counterpart(trigger, index, code), *spans]
    places = _place_modifiers(trigger, index, code)
    spans = [found for found in spans if found not in places]
    out = _new_spans(spans, exclude)
    if not out and code is not None:
        fallback = [found for rule in LAST_TARGET_RULES for found in rule(trigger, pred, index, code)]
        out = _new_spans(fallback, exclude)
    return out


def _new_spans(spans: list[CharSpan], exclude: set[int]) -> list[CharSpan]:
    out, seen = [], set(exclude)
    for found in spans:
        if found[0] not in seen:
            seen.add(found[0])
            out.append(found)
    return out


# Verb types whose reported clause names the one they are aimed at: "Ford claimed that Kavanaugh pinned her
# down" (DISAPPROVE), "Horowitz recommended that the Justice Department act" (DEMAND), "Israel decided to
# allow Tlaib to visit" (CONCEDE).
_CLAUSE_TARGET_CODES = frozenset({"DISAPPROVE", "DEMAND", "CONCEDE"})


def _clause_subject(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """The subject of the clause a verb of ``_CLAUSE_TARGET_CODES`` reports, when it names no other target."""
    if is_noun(trigger):
        return _content_clause_subject(trigger, index) if code == "DISAPPROVE" else []
    if code not in _CLAUSE_TARGET_CODES or pred.lemma_.lower() in DENY:
        return []
    # a criticism's reported passive names whom it is aimed at too ("claimed that the council was bribed"; not its
    # "by" doer: "alleged that the clerk was paid by a builder" is aimed at the clerk)
    deps = SUBJ | PASS_SUBJ if code == "DISAPPROVE" else SUBJ
    return [
        found for clause in pred.children if clause.dep_ == "ccomp"
        for child in clause.children if child.dep_ in deps for found in _actors(child, index)
    ]


def _content_clause_subject(trigger: Token, index: MentionIndex) -> list[CharSpan]:
    """"accusations that the mayor took bribes", "the claim that Google hides news": the subject of the "that"
    clause a criticism noun reports (not a relative clause: "the charges that it could bring")."""
    return [
        found for clause in trigger.children if clause.dep_ in ("acl", "ccomp")
        and any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)
        for child in clause.children if child.dep_ in SUBJ | PASS_SUBJ for found in _actors(child, index)
    ]


# Types of act aimed at someone: what one side does to the other, not what two do together or one does alone.
_AIMED_CODES = frozenset({"DISAPPROVE", "DEMAND", "THREATEN", "SANCTION", "REJECT", "COERCE"})


def _reacting_subject(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """"Biden rejected Moscow's demand", "China retaliated against Trump's tariffs", "Pelosi responded to
    criticism from Trump": a noun trigger of an act aimed at someone (``_AIMED_CODES``) whose doer is named
    on it, as the object of its clause's verb, is aimed at that verb's subject ("the French leader used the
    G-7 summit" is no meeting with the leader)."""
    if not is_noun(trigger) or pred is trigger or code not in _AIMED_CODES:
        return []
    if trigger.dep_ not in ("dobj", "obj") and not (
        trigger.dep_ == "pobj" and trigger.head.head == pred and not _in_frame(trigger)
    ):
        return []
    if not first_found(REACTED_TO_DOER_RULES, trigger, pred, index, code):
        return []
    return [found for child in pred.children if child.dep_ in SUBJ for found in _actors(child, index)]


def _asked_to_act(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """"called for Brown to resign", "it is time for Congress to act": a demand's "for X to ..." clause names
    the one asked to act."""
    if code != "DEMAND":
        return []
    heads = [trigger] if pred is trigger else [trigger, pred]
    return [
        found for head in heads for clause in head.children
        if clause.dep_ in _FOR_CLAUSE_DEPS and any(c.dep_ == "mark" and c.lower_ == "for" for c in clause.children)
        for child in clause.children if child.dep_ in SUBJ for found in _actors(child, index)
    ]


_FOR_CLAUSE_DEPS = frozenset({"advcl", "relcl", "acl", "ccomp"})


# What someone asks of others: the one who asks is whom hearing, granting or refusing it answers ("declined to hear
# Exxon's appeal", "agreed to grant the union's request").
_PETITION_NOUNS = frozenset({
    "appeal", "request", "demand", "petition", "motion", "application", "bid", "offer", "proposal", "plea",
    "claim", "complaint", "lawsuit", "suit", "challenge", "call", "invitation", "nomination",
})


def _infinitive_targets(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """"threatened to sue the agency", "agreed to send aid to Ukraine": a verb that names no target of its own
    is aimed at the objects of the infinitive that says what it threatens, agrees or refuses to do.

    Not the owner of what that act handles ("declined to release the shooter's identity", "refused to release his
    tax returns") unless it is something the owner asks for (``_PETITION_NOUNS``: "declined to hear Exxon's
    appeal"), nor the place an intransitive infinitive goes to ("allowed to come to the United States")."""
    if is_noun(trigger):
        return []
    spans: list[CharSpan] = []
    for clause in trigger.children:
        if clause.dep_ != "xcomp" or clause.pos_ != "VERB" or not any(c.lower_ == "to" for c in clause.children):
            continue
        objects = [child for child in clause.children if child.dep_ in ("dobj", "obj", "dative")]
        for child in objects:
            if child.lemma_.lower() in _PETITION_NOUNS or not any(c.dep_ == "poss" for c in child.children):
                spans += resolve(child, index) or first_mention(child, index, set())
        offence = _OFFENCE_PREPS.get(clause.lemma_.lower(), ())
        for child in clause.children:
            if child.dep_ != "prep" or child.lower_ not in _ACTOR2_PREPS or child.lower_ in offence:
                continue
            for obj in child.children:
                if obj.dep_ != "pobj" or (
                    not objects and child.lower_ in _PLACE_PREPS and index.label_at(obj.idx) in PLACE_LABELS
                ):
                    continue
                spans += _actors(obj, index)
    return spans


# Types whose "about" names the one spoken of: "false accusations about Democrats", "complained about the
# senator's remarks", "kind words about Muslims".
_ABOUT_CODES = frozenset({"DISAPPROVE", "SUPPORT"})


def _spoken_about(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """The one a criticism or praise is about, when it names no other target."""
    if code not in _ABOUT_CODES:
        return []
    return [
        found for obj in prep_objects(trigger, ("about",)) for found in first_mention(obj, index, set())
    ]


def _condition_subject(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """"threatened to cut the gas if Ukraine does not pay", "pledged to end it unless Congress acts": a threat is
    aimed at whoever must meet its condition."""
    if code != "THREATEN" or is_noun(trigger):
        return []
    verbs = [trigger, *(c for c in trigger.children if c.dep_ == "xcomp")]
    return [
        found for verb in verbs for clause in verb.children
        if clause.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in clause.children)
        for child in clause.children if child.dep_ in SUBJ for found in _actors(child, index)
    ]


_AIMING_VERBS = frozenset({"target", "hit", "punish", "pressure", "penalize", "squeeze", "cripple", "cover"})


def _sanction_objects(trigger: Token, pred: Token, index: MentionIndex, code: str) -> list[CharSpan]:
    """"the tariffs would pressure China", "sanctions punishing Turkey", "hit Iran with sanctions": a penalty hits
    the object of the participle on it, of the verb it is the "with" instrument of, or of a verb of aiming whose
    subject it is (not "the tariffs would raise the cost of U.S. operations": an effect, no target)."""
    if code != "SANCTION" or not is_noun(trigger):
        return []
    heads = [child for child in trigger.children if child.dep_ == "acl" and child.tag_ == "VBG"]
    if pred is not trigger and (
        trigger.dep_ == "nsubj" and pred.lemma_.lower() in _AIMING_VERBS
        or trigger.dep_ == "pobj" and trigger.head.lower_ == "with"
    ):
        heads.append(pred)
    return [
        found for head in heads for child in head.children if child.dep_ in ("dobj", "obj")
        for found in resolve(child, index) or first_mention(child, index, set())
    ]


LAST_TARGET_RULES = (
    _clause_subject, _reacting_subject, _asked_to_act, _condition_subject, _infinitive_targets, _spoken_about,
    _sanction_objects,
)


def _counterpart(trigger: Token, index: MentionIndex, code: str | None) -> list[CharSpan]:
    """"the Putin summit", "the Zelensky phone call": the one met, named before a meeting noun."""
    return [
        found for child in trigger.children
        if modifier_role(trigger, child, index, code) == "counterpart" for found in _actors(child, index)
    ]


def _place_modifiers(trigger: Token, index: MentionIndex, code: str | None) -> list[CharSpan]:
    """"the Hanoi summit": a place modifier of a noun trigger, never its participant."""
    if not is_noun(trigger):
        return []
    return [
        found for child in trigger.children
        if modifier_role(trigger, child, index, code) == "place" for found in resolve(child, index)
    ]


def _receiver(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"Nauert faced criticism", "Ukraine got the aid": the subject is on the receiving end."""
    return verb_doers(pred, index) if is_noun(trigger) and _received(trigger, pred) else []


def _patient(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"Khashoggi's killing", "the Cohen indictment" — not the offence of "a DUI arrest"."""
    if not is_noun(trigger) or trigger.lemma_.lower() not in _PATIENT_NOUNS:
        return []
    return [
        found for child in trigger.children
        if child.dep_ in ("poss", "compound") and not _names_offence(child) for found in _actors(child, index)
    ]


def _names_offence(token: Token) -> bool:
    return token.lower_ in _OFFENCE_WORDS or token.lemma_.lower() in _OFFENCE_WORDS


def _participle_noun(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"a Russian lawyer detained in Moscow": the noun a past participle modifies undergoes it."""
    if pred.dep_ == "acl" and pred.tag_ == "VBN" and not is_noun(trigger):
        return resolve(pred.head, index)
    return []


def _passive_conjunct(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"Page, who was never charged or accused": a passive conjunct shares its head's subject."""
    if (
        not is_noun(trigger) and pred.dep_ == "conj" and pred.tag_ == "VBN"
        and not any(c.dep_ in SUBJ | PASS_SUBJ | OBJ for c in pred.children)
    ):
        return [found for c in pred.head.children if c.dep_ in PASS_SUBJ for found in resolve(c, index)]
    return []


def _subjectless_passive(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"fled Chile after being tortured by soldiers": a passive without a subject of its own is done to the
    subject it would borrow (``_passive_conjunct`` reads a passive conjunct's) — only an adjunct's: a reported clause
    ("Putin said the submarine will be commissioned") would borrow its speaker."""
    if is_noun(trigger) or not any(c.dep_ == "auxpass" for c in pred.children) or pred.dep_ not in ("pcomp", "advcl"):
        return []
    if any(c.dep_ in SUBJ | PASS_SUBJ | OBJ for c in pred.children):
        return []
    return subject_doer(pred, index)


def _paired_with(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"the Trump-Kim summit": the second of two hyphen-joined actors on a noun trigger."""
    pair = _hyphen_pair(trigger, index)
    return pair[1:] if pair else []


def _objects(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """The objects and prepositional targets of the trigger, and of its clause's verb when that carries it.

    The clause's verb carries a noun trigger's objects only when the noun is its own object
    ("imposed sanctions on Russia") or the frame of its act ("briefed Xi during his visit");
    "interviewed about the calls with Cohen" is about the interview.
    """
    carries = pred is not trigger and (
        trigger.dep_ in ("dobj", "obj", "attr", "oprd", "nsubjpass")
        or trigger.dep_ == "pobj" and _in_frame(trigger)
    )
    agent_preps = _noun_agent_preps(trigger) if is_noun(trigger) else ()
    # "made an arrest for DUI": the noun's offence may hang on its clause's verb
    offence_preps = _OFFENCE_PREPS.get(trigger.lemma_.lower(), ())
    spans: list[CharSpan] = []
    heads = [trigger, pred] if carries else [trigger]
    if is_noun(trigger):
        heads += _participles(trigger)
    # "withdrew the U.S. from the Iran deal", "withdraw troops from Iraq": what is withdrawn is the doer's own; the
    # one it is aimed at is what it is withdrawn from, read like a short object phrase ("the Iran nuclear deal")
    # ("pulled Warren's ads" is no withdrawal: "pull" is one only with "out" or "from")
    leaving = not is_noun(trigger) and (
        trigger.lemma_.lower() == "withdraw"
        or trigger.lemma_.lower() == "pull" and any(c.lower_ in ("out", "from") for c in trigger.children)
    )
    for head in heads:
        for child in head.children:
            if leaving and head is trigger and child.dep_ in OBJ:
                continue
            if leaving and head is trigger and child.dep_ == "prep" and child.lower_ == "from":
                objects = [obj for obj in child.children if obj.dep_ == "pobj"]
                spans += [found for obj in objects for found in _actors(obj, index) or first_mention(obj, index, exclude)]
                continue
            if head is pred and (child.dep_ in OBJ or child.dep_ in PASS_SUBJ):
                if child.i == trigger.i and trigger.lemma_.lower() in _PATIENT_NOUNS:
                    # the participants of a patient noun ("had a previous DUI arrest") are read by
                    # ``_patient`` and its own prepositions, not from its other modifiers (the offence)
                    continue
                # "denied collusion between his campaign and Moscow": a denied claim has no target
                deep = [] if pred.lemma_.lower() in DENY else (
                    first_mention(child, index, exclude) or _object_doer(child, index)
                )
                if child.dep_ == "dative" and child.pos_ == "ADP":
                    # "sent a letter to the editor": the parser may hang the "to" phrase as a dative
                    deep = [found for obj in child.children if obj.dep_ == "pobj" for found in _actors(obj, index)]
                spans += resolve(child, index) or deep
            elif child.dep_ in ("prep", "agent") and child.lower_ in _ACTOR2_PREPS:
                if (head is trigger or head.dep_ == "acl") and child.lower_ in agent_preps:
                    continue
                if child.lower_ in offence_preps or child.lower_ in _OFFENCE_PREPS.get(head.lemma_.lower(), ()):
                    continue  # "arrested for DUI": the offence
                spans += [found for obj in child.children if obj.dep_ == "pobj" for found in _actors(obj, index)]
    return spans


def _object_doer(noun: Token, index: MentionIndex) -> list[CharSpan]:
    """"reversed a decision by the Labor Department to cut ...", "denounced the inquiry headed by Mueller": the
    doer named with "by" on an object noun, however long the phrase it heads (``first_mention`` reads short
    phrases only)."""
    if noun.pos_ not in NOUN_TAGS:
        return []
    heads = [noun, *_participles(noun)]
    for head in heads:
        for obj in prep_objects(head, ("by",), deps=("prep", "agent")):
            spans = _actors(obj, index)
            if spans:
                return spans
    return []


def _judged_object(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """"called the senator dishonest": the object of the verb whose predicate adjective the trigger is."""
    if is_noun(trigger) or trigger.dep_ != "oprd":
        return []
    return [found for child in trigger.head.children if child.dep_ in ("dobj", "obj") for found in resolve(child, index)]


TARGET_RULES = (
    _receiver, _patient, _participle_noun, _passive_conjunct, _subjectless_passive, _paired_with, _judged_object, _objects,
)


def location(trigger: Token, pred: Token, index: MentionIndex, exclude: set[int]) -> CharSpan | None:
    """The first place mention in a place phrase ("in Beijing", "near the border of Ukraine") of the trigger or its verb."""
    for head in (trigger, pred):
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in _PLACE_PREPS:
                for obj in child.children:
                    # "in the Ukraine crisis" is no place: a name modifying another noun is not where it was
                    for tok in (obj, *(c for c in obj.children if c.dep_ not in ("compound", "amod"))):
                        row = index.at(tok.idx)
                        if row is not None and row["label"] in PLACE_LABELS and row["start_char"] not in exclude:
                            return span(row)
    return None


# Acts a speaker performs by saying something of someone else: '"The Russian government should go away,"
# Williamson said' is Williamson's DISAPPROVE of Russia, '"Republicans should stop wasting their time,"
# Trump tweeted' Trump's DEMAND of the Republicans.
SPOKEN_CODES = frozenset({"DISAPPROVE", "DEMAND"})
# A noun trigger is the speaker's judgement only as its clause's object, subject or attribute ("Buzzfeed has
# shown a consistent bias", "Trump's actions were a violation"), not in a frame ("in support of").
_SPOKEN_NOUN_DEPS = frozenset({"dobj", "obj", "attr", "nsubj", "nsubjpass"})


def spoken_act(
    trigger: Token, pred: Token, code: str, actors: tuple[list[CharSpan], list[CharSpan]], index: MentionIndex
) -> tuple[list[CharSpan], list[CharSpan]]:
    """(actor1, actor2) of a criticism or a demand a speaker makes by saying something of someone else.

    A DISAPPROVE whose word is no word of criticism or speech itself (the caller passes only those: "Trump
    is dragging the GOP down", Raskin said) or a DEMAND told with "should" / "must" / "needs to" ("Republicans should
    stop", Trump tweeted), in the clause a speech verb reports, is the speaker's act: the named speaker is
    actor1 and the clause's subject becomes actor2. A DEMAND told with "should" whose speaker is not named
    ("Northam should resign") has no actor1: the one told is its actor2. Otherwise unchanged when the
    speaker is not named, when the clause's subject is the speaker ("he said he was disturbed"), when the
    word itself criticizes ("X said Y accused Z": Y accuses) or when a noun names its own doer ("his
    request").
    """
    first, second = actors
    if code not in SPOKEN_CODES or (code == "DEMAND" and not deontic(pred)):
        return first, second
    if is_noun(trigger) and (
        pred is trigger or trigger.dep_ not in _SPOKEN_NOUN_DEPS
        or first_found(REACTED_TO_DOER_RULES, trigger, pred, index)
    ):
        return first, second
    speakers = reporting_speaker(pred, index)
    if not speakers and code == "DEMAND" and not is_noun(trigger) and _told_by_name(pred):
        # "Northam should resign", "Europe should first pay its fair share": whoever says it is not named
        # here, and the one told what to do is no doer of the demand but its target
        return [], list(dict.fromkeys(first + second))
    if not speakers or speakers[0] in first:
        return first, second
    # "Subryan was charged with manslaughter, police said": a passive tells what someone else did to its
    # subject, and is the speaker's own act only when the speaker is that subject and no one else is named
    # as its doer ("she was disturbed", not "he has been insulted by people around Trump, he said")
    if not is_noun(trigger) and any(c.dep_ in PASS_SUBJ for c in pred.children):
        passive = [found for c in pred.children if c.dep_ in PASS_SUBJ for found in resolve(c, index)]
        if speakers[0] not in passive or _passive_agent(pred, index):
            return first, second
    spoken_of = [found for found in first + second if found != speakers[0]]
    return speakers[:1], list(dict.fromkeys(spoken_of))


# An adjective that judges the subject of "be" ("the comments were vile", "Moscow's involvement was not welcome"):
# the subject is what is judged, and the judge is whoever says so. Not one with a complement of its own
# ("critical of Trump", "harsh at the hearing", "sure it was him") nor a participle ("outraged",
# "disappointed"): those tell what the subject feels or does.
_JUDGED_CODES = frozenset({"DISAPPROVE", "SUPPORT"})
_ADJECTIVE_COMPLEMENTS = frozenset({"prep", "ccomp", "xcomp", "advcl", "acl", "pcomp"})
_RELATIVE_WORDS = frozenset({"which", "that", "who", "what"})


def judged_subject(
    trigger: Token, code: str, actors: tuple[list[CharSpan], list[CharSpan]], index: MentionIndex
) -> tuple[list[CharSpan], list[CharSpan]]:
    """(actor1, actor2) of a judgement told by an adjective complement of "be": the speaker (or no one) judges
    the subject ("Will Hurd said the tweets were racist": Hurd, the tweets; "The crowd is tiny": no judge
    named, the crowd judged). Unchanged for other words and when the subject is the speaker ("she said she
    was grateful": what she feels)."""
    first, second = actors
    copula = trigger.head
    if (
        code not in _JUDGED_CODES or trigger.pos_ != "ADJ" or trigger.dep_ != "acomp" or copula.lemma_ != "be"
        or trigger.lower_.endswith("ed") or any(c.dep_ in _ADJECTIVE_COMPLEMENTS for c in trigger.children)
    ):
        return first, second
    # the subject as a noun phrase: not a clause ("To deny your own country is irrational") nor a relative
    # pronoun standing for a clause ("some chose violence in Portland, which is unacceptable")
    judged = [
        found for child in copula.children if child.dep_ == "nsubj" and child.lower_ not in _RELATIVE_WORDS
        for found in _actors(child, index)
    ]
    speakers = reporting_speaker(copula, index)[:1]
    if speakers and speakers[0] in judged:
        return first, second
    return speakers, _new_spans([*judged, *second], {start for start, _ in speakers})


def _told_by_name(pred: Token) -> bool:
    """Whether the one told what to do ("Northam should resign", "YouTube needs to explain") is written as
    a noun phrase: "we need to", "he should apologize" may be the speaker's own resolve, or a pronoun
    resolved to the speaker of the quote it is in."""
    verbs = [pred, pred.head] if pred.dep_ == "xcomp" else [pred]
    subjects = [c for verb in verbs for c in verb.children if c.dep_ in SUBJ | PASS_SUBJ]
    return bool(subjects) and not any(c.pos_ == "PRON" for c in subjects)


def _passive_agent(pred: Token, index: MentionIndex) -> bool:
    """Whether a passive verb names an actor as its doer with "by", on itself or on a verb it is joined with
    ("was insulted and called names by his rivals"; not "was troubled by the budget")."""
    verbs = [pred, *(c for c in pred.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))]
    return any(
        _actors(obj, index) for verb in verbs for agent in verb.children if agent.dep_ == "agent"
        for obj in agent.children if obj.dep_ == "pobj"
    )


def reporting_speaker(pred: Token, index: MentionIndex) -> list[CharSpan]:
    """The named doer of the speech verb whose reported clause ``pred`` heads, or is a conjunct or
    infinitive of ("said Trump 'helped create the hate'", "said he should go and apologize"); else, for a
    word inside a quotation, its speaker (``_quotation_speaker``)."""
    node = pred
    for _ in range(3):
        if node.dep_ == "ccomp" and node.head.pos_ == "VERB" and node.head.lemma_.lower() in SPEECH_VERBS:
            return verb_doers(node.head, index)[:1]
        if node.dep_ not in ("conj", "xcomp") or node.head is node:
            break
        node = node.head
    return _quotation_speaker(pred, index)


def _quotation_speaker(token: Token, index: MentionIndex) -> list[CharSpan]:
    """'"It's corrupt and a disgrace," Schiff said': who speaks a quotation ``token`` is inside — the doer
    of a speech verb of its sentence outside the quotation marks, or of the one right after the mark that
    closes a quotation this sentence opens and leaves open (``closing_speech_verb``). A quotation whose
    speaker is named only in a sentence it is no part of is left alone: taking the neighbouring sentences'
    speaker named the wrong one about a third of the time on the training labels."""
    verb = closing_speech_verb(token)
    if verb is not None:
        # a quotation this sentence leaves open, closed by "…," X said in one of the next
        return verb_doers(verb, index)[:1]
    # inside: a quotation opened before it, or the tail of one opened in an earlier sentence (``in_quotes``, the
    # same test the pronoun rules use: a first mark that opens a quotation starts none before it)
    if not in_quotes(token):
        return []
    for tok in token.sent:
        if tok.pos_ == "VERB" and tok.lemma_.lower() in SPEECH_VERBS and not in_quotes(tok):
            return verb_doers(tok, index)[:1]
    return []


def _in_frame(noun: Token) -> bool:
    prep = noun.head.lower_
    lemma = noun.lemma_.lower()
    return prep in _FRAME_PREPS or prep == "for" and lemma in _GATHERING_NOUNS or prep == "on" and lemma in _ON_NOUNS


# "got on a conference call with X", "have been on strike": frames one is "on" (not "commented on the talks")
_ON_NOUNS = frozenset({"call", "strike"})


def _noun_agent_preps(noun: Token) -> tuple[str, ...]:
    """Prepositions that name a noun trigger's doer: "by" always, "from" except on a withdrawal *from* a place."""
    return ("by",) if noun.lemma_.lower() in _FROM_PLACE_NOUNS else ("by", "from")


def _actors(token: Token, index: MentionIndex) -> list[CharSpan]:
    return [s for s in resolve(token, index) if index.label_at(s[0]) in ACTOR_LABELS]


def _received(noun: Token, pred: Token) -> bool:
    """"faced criticism", and "came under criticism", "is under investigation": the subject undergoes the act."""
    if pred is noun:
        return False
    if noun.dep_ == "pobj" and noun.head.lower_ == "under" and noun.head.head.i == pred.i:
        return pred.lemma_.lower() in _UNDER_VERBS
    return noun.dep_ in ("dobj", "obj") and pred.lemma_.lower() in _RECEIVE_VERBS


# "came under fire", "is under investigation", "fell under scrutiny", "remains under sanctions"
_UNDER_VERBS = frozenset({"be", "come", "fall", "remain", "stay", "go"})
