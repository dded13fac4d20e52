"""What a place or group name does in its sentence: a capital acting as its government, a team in a
results line, a demonym used as a language, a sentence whose case says nothing about names.

The ``dateline_canonical`` component (``transforms.canonicalizer``) reads an alias-table name by these.
"""

import re
from collections.abc import Callable

from dateline.transforms.entity_names import capitalized_neighbour, line_words
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Span, Token


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What a government does, as the lemma of the verb whose subject (or passive agent) a capital is:
# speaking and taking positions, coercion and policy, diplomacy, force. "Washington imposed",
# "Beijing said", "criticized by Moscow". Verbs a city, a state or a team does as well ("host", "see",
# "beat", "have", "meet", "reach") are left out: there the capital is the place.
GOVERNMENT_ACTS = _words(
    "say tell announce state declare insist claim allege argue assert maintain deny confirm acknowledge "
    "admit "
    "warn threaten accuse blame condemn criticize criticise denounce rebuke protest complain object "
    "urge demand ask request call press pressure push lobby persuade appeal "
    "vow pledge promise signal respond reply react retaliate reciprocate forecast predict "
    "welcome praise hail applaud endorse support back oppose reject dismiss refuse decline rebuff veto "
    "agree disagree accept approve authorize recognize recognise designate label blacklist "
    "impose sanction levy slap ban bar block restrict embargo freeze seize expel recall summon suspend "
    "halt withdraw lift ease extend renew tighten toughen "
    "negotiate mediate broker consult sign ratify quit propose offer seek want consider weigh plan intend "
    "decide "
    "believe fear suspect worry view regard "
    "deploy station arm fund finance supply sponsor spur encourage incite instigate "
    "invade annex occupy attack bomb strike retake recapture capture intervene interfere meddle "
    "indict charge prosecute extradite"
)


# What is done to a government, as the verb of which a capital is the object or passive subject:
# "sanction Moscow", "Beijing warned Washington", "Washington was accused of".
GOVERNMENT_TARGETS = _words(
    "sanction punish accuse blame criticize criticise condemn rebuke warn threaten urge pressure press "
    "lobby persuade convince court woo reassure assure placate appease provoke antagonize defy challenge "
    "confront oppose support back trust distrust tell inform notify ask thank praise snub betray "
    "deceive mislead join destabilize destabilise undermine weaken isolate contain deter coerce "
    "intimidate bully"
)


# Verbs that pass their subject on to the act they govern: "Washington has been trying to persuade",
# "Beijing continues to press", "Washington will keep imposing".
CONTROL_VERBS = _words(
    "try attempt continue keep stop begin start seem appear plan intend hope want need have go fail refuse "
    "decide agree threaten vow promise seek aim move prepare expect wish prefer choose struggle scramble "
    "rush hesitate"
)


# Adjectives that make "CAPITAL is ..." a government's position ("Washington is ready to talk").
GOVERNMENT_STANCES = _words(
    "ready willing prepared determined concerned worried opposed committed unwilling reluctant eager keen "
    "wary skeptical sceptical critical adamant unhappy angry furious open"
)


# Nouns of a government's acts, positions and relations: the capital as their owner ("Washington's
# policy", "Moscow's buildup"), or after "of", "from", "with", "against", "on", "between" … ("pressure
# from Washington", "talks with Beijing", "tensions between Washington and Moscow"). "Washington's
# traffic", "a trip to Washington", "flights from Washington" keep the place.
GOVERNMENT_NOUNS = _words(
    "policy position stance posture approach strategy doctrine agenda response reaction decision move "
    "demand request proposal offer plan initiative sanction tariff measure restriction ban embargo "
    "pressure threat warning ultimatum accusation allegation claim criticism condemnation objection "
    "protest refusal insistence veto recognition retaliation crackdown support backing aid assistance "
    "commitment pledge promise assurance guarantee approval blessing consent endorsement "
    "ally alliance partner partnership adversary enemy rival rivalry foe opponent "
    "relation relationship tie talk negotiation negotiator dialogue diplomacy engagement cooperation "
    "deal agreement accord treaty pact dispute tension conflict war standoff confrontation feud spat "
    "diplomat envoy ambassador embassy delegation emissary "
    "government administration leadership regime military troop force army navy intelligence "
    "aggression aggressiveness hostility intention objective goal aim priority interest influence role "
    "involvement intervention interference meddling buildup effort bid attempt message statement signal "
    "announcement view assessment concern suggestion invasion annexation offensive incursion occupation "
    "accession jab swipe rebuke action overreach meeting summit"
)


# The objects that make any verb a government's act: its means and dealings, not other actors
# ("Moscow gathered troops", "Washington faces pressure"; "Washington sued the administration" is the
# state).
GOVERNMENT_MEANS = _words(
    "sanction tariff measure restriction ban embargo troop force military army navy missile pressure "
    "threat warning ultimatum demand proposal offer plan policy talk negotiation tension deal agreement "
    "accord treaty pact war conflict standoff dispute odds aid assistance assurance guarantee exercise "
    "drill"
)


# Prepositions after which a capital may be a government, when the word they attach to is a
# government's act or noun. "to", "from" and "at" only after a noun ("a warning to Moscow", "a jab at
# Washington"; "sent troops to Washington" is the place). "in", "near", "across" … always keep the place.
GOVERNMENT_PREPOSITIONS = _words("with against by on of between toward towards for over")


NOUN_ONLY_PREPOSITIONS = _words("to from at")


# Verbs with a government on the other side ("negotiate with Beijing", "clash with Moscow").
INTERACTION_VERBS = _words(
    "negotiate talk cooperate clash side align ally deal engage reconcile break trade spar feud wrangle "
    "coordinate consult confer communicate"
)


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _government_act(verb: Token, acts: frozenset[str]) -> bool:
    """``verb`` is one of ``acts``, or a control verb whose complement is ("trying to persuade")."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    if _lemma(verb) in acts:
        return True
    # an act whose object is a government's ("Moscow gathered troops", "Moscow is facing tensions")
    for obj in verb.children:
        if obj.dep_ == "dobj":
            objects = [obj] + [p for c in obj.children if c.lower_ == "of" for p in c.children]
            if any(_lemma(o) in GOVERNMENT_MEANS for o in objects):
                return True
    if _lemma(verb) in ("be", "remain", "stay"):
        # "is ready to", "is Kyiv's main backer", "remains at war / at odds / in talks with"
        return any(
            (c.dep_ == "acomp" and _lemma(c) in GOVERNMENT_STANCES)
            or (c.dep_ == "attr" and _lemma(c) in GOVERNMENT_NOUNS)
            or (c.dep_ == "prep" and any({_lemma(p), p.lower_} & GOVERNMENT_MEANS for p in c.children))
            for c in verb.children
        )
    if _lemma(verb) in CONTROL_VERBS:
        return any(c.dep_ == "xcomp" and _government_act(c, acts) for c in verb.children)
    return False


def acting(ent: Span) -> bool:
    """The capital stands for its government in a political act: as the subject or agent of a
    government's verb ("Washington imposed", "Beijing said", "criticized by Moscow", "Washington is
    ready to talk"), as the owner of a government's noun ("Moscow's buildup", "Washington's policy"), or
    on the receiving end ("sanction Moscow", "talks with Beijing", "sanctions against Moscow", "pressure
    from Washington"). Anywhere else — "Washington hosted the parade", "Washington's traffic", "visits
    Beijing", "in Moscow", "Tourists love Beijing" — it is the place."""
    root = ent.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head
    rule = _ROLE_RULES.get(root.dep_)
    return rule is not None and rule(root.head)


def _pobj_acting(prep: Token) -> bool:
    """After a preposition: the agent of a government's act, the object of a government's noun, or the
    other side of a government's act ("retaliated against Washington", "call on Moscow")."""
    governor = prep.head
    if prep.dep_ == "agent":  # "criticized by Moscow"
        return _government_act(governor, GOVERNMENT_ACTS)
    if governor.pos_ in ("NOUN", "PROPN"):
        nominal = prep.lower_ in GOVERNMENT_PREPOSITIONS or prep.lower_ in NOUN_ONLY_PREPOSITIONS
        return nominal and _lemma(governor) in GOVERNMENT_NOUNS
    if prep.lower_ in GOVERNMENT_PREPOSITIONS and governor.pos_ in ("VERB", "AUX"):
        # "retaliated against Washington", "call on Moscow", "negotiate with Beijing"
        return _lemma(governor) in INTERACTION_VERBS or _government_act(governor, GOVERNMENT_ACTS)
    return False


# The capital's dependency → whether its head makes it the government (a capital in any other role is the place).
_ROLE_RULES: dict[str, Callable[[Token], bool]] = {
    "nsubj": lambda head: _government_act(head, GOVERNMENT_ACTS),
    "nsubjpass": lambda head: _government_act(head, GOVERNMENT_TARGETS),
    "dobj": lambda head: _government_act(head, GOVERNMENT_TARGETS),
    "iobj": lambda head: _government_act(head, GOVERNMENT_TARGETS),
    "dative": lambda head: _government_act(head, GOVERNMENT_TARGETS),
    "poss": lambda head: _lemma(head) in GOVERNMENT_NOUNS,
    "pobj": _pobj_acting,
}


_DATE_AFTER = re.compile(r"\s*\d{4}\s*-\s*\d{1,2}\s*-\s*\d{1,2}\b|\s*\d{1,2}\s*[-/]\s*\d{1,2}\s*[-/]\s*\d{2,4}\b")


def scoreline_team(ent: Span) -> bool:
    """A place followed by a score in a results or standings line ("Pohang 3 Ulsan 2 ( halftime 1-0 )",
    "CHICAGO 74 60 .552"): in such a line a place names its team. A results line is a line of its own
    with at least two numbers, where numbers and punctuation make up at least a third of the tokens.
    """
    doc = ent.doc
    if ent.end >= len(doc) or not any(c.isdigit() for c in doc[ent.end].text):
        return False
    start = ent.start
    while start > 0 and not (doc[start - 1].is_space and "\n" in doc[start - 1].text):
        start -= 1
    end = ent.end
    while end < len(doc) and not (doc[end].is_space and "\n" in doc[end].text):
        end += 1
    if _DATE_AFTER.match(doc[ent.end : end].text):
        return False  # a dateline: "SEOUL 1996-08-30"
    line = [t for t in doc[start:end] if not t.is_space]
    numbers = sum(1 for t in line if any(c.isdigit() for c in t.text))
    other = sum(1 for t in line if t.is_punct or any(c.isdigit() for c in t.text))
    return numbers >= 2 and 3 * other >= len(line) and len(line) <= 40


# Words before a capital that make it a region or a part of the city ("eastern Washington").
PLACE_MODIFIERS = _words(
    "eastern western northern southern central northeastern northwestern southeastern southwestern "
    "rural downtown suburban greater upstate coastal"
)


# Words after a capital that make it a state or a city ("Washington state", "Washington, D.C."), and a
# dateline's dash or parenthesis.
STATE_AFTER = _words("state state's county city d.c. dc")


DATELINE_MARKS = frozenset({"—", "–", "-", "("})


def a_state(ent: Span) -> bool:
    """The capital is a place or part of another name, whatever its role in the sentence.

    "Washington state", "the state of Washington", "eastern Washington", "Washington, D.C.", a dateline
    ("WASHINGTON —", "Washington (CNN)"), a name in capitals (datelines again), and a capitalized word
    before it ("George Washington", "Lake Washington"). Teams ("Washington Redskins") and titles
    ("Washington Gov. Jay Inslee") are the model's longer names or compounds, never acting.
    """
    doc = ent.doc
    after = doc[ent.end : ent.end + 3]
    if len(after) and (after[0].lower_ in STATE_AFTER or after[0].text in DATELINE_MARKS):
        return True
    if len(after) > 1 and after[0].text == "," and after[1].lower_ in ("d.c.", "dc", "d.c"):
        return True
    if len(ent.text) > 4 and ent.text.isupper():
        return True
    before = [t for t in doc[max(ent.start - 2, 0) : ent.start]]
    if [t.lower_ for t in before[-2:]] == ["state", "of"]:
        return True
    if before and before[-1].lower_ in PLACE_MODIFIERS:
        return True
    return bool(before) and capitalized_neighbour(doc, ent.start - 1) and not before[-1].is_sent_start


# Verbs whose object or "in" phrase is a language ("speaks Russian", "translated into English").
LANGUAGE_VERBS = frozenset("speak say write read learn teach translate dub subtitle publish broadcast".split())


def language_use(ent: Span) -> bool:
    """A demonym used as a language: "in Spanish", "into English" (no noun follows), "speaks Russian"."""
    if len(ent) != 1:
        return False
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start > 0 else None
    after = doc[ent.end] if ent.end < len(doc) else None
    if before is not None and before.lower_ in ("in", "into"):
        return after is None or after.is_punct or after.is_space or after.lower_ in STOP_WORDS
    root = ent.root
    return root.dep_ == "dobj" and root.head.lemma_ in LANGUAGE_VERBS and not root.n_lefts


def flat_case(ent: Span, cache: dict[int, bool]) -> bool:
    """The entity's sentence is written all in lower case or all in capitals (a name's case says nothing): of
    its words of two letters or more (``LineWords.CASED``), nine in ten or more in lower case or in capitals."""
    sent = ent.sent if ent.doc.has_annotation("SENT_START") else ent.doc[:]
    if sent.start not in cache:
        words = line_words(ent.doc)
        counts = words.count(sent.start, sent.end)
        cased = counts[words.CASED]
        cache[sent.start] = cased >= 3 and max(counts[words.LOWER_CASE], counts[words.CAPITALS]) >= 0.9 * cased
    return cache[sent.start]
