"""What an argument token stands for: the entity mentions a word, pronoun or role noun refers to.

``resolve`` turns an argument token (and its conjuncts: "Putin and Xi") into entity-mention spans:
a mention under the token itself, else the first of an ordered table of references (relative
pronoun, personal or group pronoun, definite role noun), else a named modifier ("Moscow's
suggestions", "the leader of China"). ``verb_doers`` / ``clause_doers`` give who does what a clause
says; a pronoun reported by a speech verb is resolved as that verb's doer ("X said it would").
"""

from collections.abc import Callable
from contextvars import ContextVar

from dateline.transforms.event_mentions import (
    CLIMB_DEPS,
    NOUN_TAGS,
    OBJ,
    PASS_SUBJ,
    SUBJ,
    CharSpan,
    MentionIndex,
    determiner,
    is_actor,
    span,
)
from dateline.transforms.event_roles import (
    ROLE_NOUNS,
    preceding_sentences,
    role_antecedent,
    role_words,
    titled_person,
)
from spacy.tokens import Token

_PERSONAL_PRONOUNS = {"he", "she", "his", "her", "him"}
# Resolved only as the speaker of their clause ("Russia said it would ..."), never by distance.
_GROUP_PRONOUNS = {"it", "its", "they", "their", "them"}
# Resolved only as the speaker of their quote ('"We will", X said'), whoever speaks.
_SPEAKER_PRONOUNS = {"i", "we", "my", "our", "me", "us"}
_SINGULAR_SPEAKER = {"i", "my", "me"}
# Resolved, when no speaker is, to the one plural subject (a group, a plural name) just before them.
_PLURAL_PRONOUNS = {"they", "them"}
_QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})
_RELATIVE_PRONOUNS = {"who", "whom", "that", "which"}
# The words an object pronoun hangs on: "urged him", "spoke to him".
_OBJECT_DEPS = OBJ | {"pobj"}
# "urged Congress to act": the object does what the infinitive says.
_OBJECT_CONTROL = frozenset({
    "urge", "ask", "call", "press", "pressure", "force", "tell", "order", "encourage", "persuade",
    "push", "invite", "direct", "instruct", "allow", "authorize", "require", "compel", "advise",
    "implore", "beg", "convince", "lead", "prompt", "warn",
})
SPEECH_VERBS = frozenset({
    "say", "tell", "announce", "claim", "state", "add", "insist", "warn", "argue", "write", "tweet",
    "declare", "confirm", "vow", "suggest", "indicate", "signal", "note", "explain", "acknowledge",
    "contend", "predict", "promise", "pledge", "threaten", "admit", "repeat", "reiterate",
})
# "a spokesman for the Kremlin", "a lawyer for Cohen": who speaks for someone stands for them.
_SPOKESPEOPLE = frozenset({
    "spokesman", "spokeswoman", "spokesperson", "representative", "lawyer", "attorney", "envoy",
})
# "she is open to supporting": an adjectival complement's subject does what it is ready to do.
_ACTOR_CLIMB_DEPS = CLIMB_DEPS | {"acomp"}

DoerRule = Callable[[Token, MentionIndex], list[CharSpan] | None]
# Set while a quoted sentence's speaker is looked for in its neighbours (``_neighbour_speaker``).
_NEIGHBOUR_SEARCH: ContextVar[bool] = ContextVar("neighbour_speaker_search", default=False)


def resolve(token: Token, index: MentionIndex) -> list[CharSpan]:
    """Entity-mention spans an argument token stands for, its conjuncts included ("Putin and Xi")."""
    spans: list[CharSpan] = []
    for tok in (token, *token.conjuncts):
        found = _span_of(tok, index)
        if found is not None and found not in spans:
            spans.append(found)
    return spans


def prep_objects(head: Token, preps: tuple[str, ...], deps: tuple[str, ...] = ("prep", "agent")) -> list[Token]:
    return [
        obj
        for child in head.children
        if child.dep_ in deps and child.lower_ in preps
        for obj in child.children
        if obj.dep_ == "pobj"
    ]


def _span_of(token: Token, index: MentionIndex) -> CharSpan | None:
    """The mention under ``token``, else what the first reference rule that applies to it says."""
    row = index.at(token.idx)
    if row is not None:
        return _mention_span(token, row, index)
    for applies, refers_to in _REFERENCE_RULES:
        if applies(token):
            return refers_to(token, index)
    return _named_modifier(token, index)


def _mention_span(token: Token, row: dict, index: MentionIndex) -> CharSpan | None:
    if not is_actor(row, token):
        return None
    if row["label"] == "NORP" and determiner(token) == "the" and token.tag_ in ("NNP", "NN", "JJ"):
        # "the Russian": the person introduced as "Russian President Putin", else (as before) the group
        return titled_person(token, index, (token.lower_,)) or span(row)
    return span(row)


def _relative_antecedent(token: Token, index: MentionIndex) -> CharSpan | None:
    """"Trump, who denies collusion": the relative pronoun is the noun its clause modifies."""
    clause = token.head
    if clause.dep_ != "relcl" or token.dep_ not in SUBJ | PASS_SUBJ | OBJ:
        return None
    noun = clause.head
    if noun.dep_ == "appos" and index.at(noun.idx) is None:
        noun = noun.head  # "Jerome Corsi, an ally of Stone who said": the ally is Corsi
    # the noun itself or its name-like modifier ("Chinese companies that supply"), never what it is of
    for tok in (noun, *(c for c in noun.children if c.dep_ in ("compound", "amod"))):
        row = index.at(tok.idx)
        if row is not None:
            return span(row) if is_actor(row, tok) else None
    return None


def _is_pronoun(token: Token) -> bool:
    lower = token.lower_
    return lower in _PERSONAL_PRONOUNS or lower in _GROUP_PRONOUNS or lower in _SPEAKER_PRONOUNS


def _is_role_noun(token: Token) -> bool:
    return token.lemma_.lower() in ROLE_NOUNS and role_words(token) is not None


def _role_reference(token: Token, index: MentionIndex) -> CharSpan | None:
    return role_antecedent(token, index, role_words(token))


def names_entity(token: Token, index: MentionIndex) -> bool:
    """Whether a noun that is no mention itself stands for a named actor through its modifiers ("Russian
    troops", "Trump's lawyers", "members of Congress")."""
    return _named_modifier(token, index) is not None


def _named_modifier(token: Token, index: MentionIndex) -> CharSpan | None:
    """"the leader of China, Xi Jinping", "the Russian military", "Moscow's suggestions"."""
    for dep in ("appos", "poss", "compound", "amod", "nmod"):
        for child in token.children:
            if child.dep_ == dep:
                row = index.at(child.idx)
                if row is not None and is_actor(row, child):
                    return span(row)
    preps = ("of", "for") if token.lemma_.lower() in _SPOKESPEOPLE else ("of",)
    for obj in prep_objects(token, preps, deps=("prep",)):
        row = index.at(obj.idx)
        if row is not None and is_actor(row, obj):
            return span(row)
    # "denied his request", "her critics": the one a possessive pronoun means
    owner = next((c for c in token.children if c.dep_ == "poss" and _is_pronoun(c)), None)
    return antecedent(owner, index) if owner is not None else None


def antecedent(pronoun: Token, index: MentionIndex, depth: int = 0) -> CharSpan | None:
    """The named actor a pronoun most likely means, or None when the text does not make it clear.

    "X said it would ...", "X said he would ...", '"I will", X said': the speaker. Otherwise "he"/"his"
    is the person subject (or possessor) closest before it in its sentence, else the person subject of
    one of the two sentences before (following "he" and "the president" subjects back, ``depth`` steps);
    "it"/"I" are resolved only as a speaker, where news prose is unambiguous, and "they"/"them" else to
    the one plural subject just before them (``_plural_subject``).
    """
    lower = pronoun.lower_
    personal = lower in _PERSONAL_PRONOUNS or lower in _SINGULAR_SPEAKER
    if lower in _SPEAKER_PRONOUNS:
        return _first_person(pronoun, index)
    if _reported_subject(pronoun):
        # the speaker or no one: a reported clause's pronoun is not resolved by distance
        # '"He either did it or he knew," Mueller said': a third person quoted is not the one quoting
        speaker = None if quoted_apart(pronoun, pronoun.head.head) else _speaker(pronoun, index)
        if speaker is not None and (lower == "we" or (index.label_at(speaker[0]) == "PERSON") == personal):
            return speaker
        return None
    if not personal:
        return _plural_subject(pronoun, index) if lower in _PLURAL_PRONOUNS else None
    doc = pronoun.doc
    # "Ellen urged him": an object pronoun is not the subject of its own clause
    own = {start for start, _ in verb_doers(_clause_verb(pronoun), index)} if pronoun.dep_ in _OBJECT_DEPS else set()
    for tok in reversed(doc[pronoun.sent.start : pronoun.i]):
        row = index.at(tok.idx)
        if (
            row is not None and row["label"] == "PERSON" and tok.dep_ in SUBJ | PASS_SUBJ | {"poss"}
            and row["start_char"] not in own
        ):
            return span(row)
    return _earlier_subject(pronoun, index, depth)


def _plural_subject(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """"While the activists support the law, they urged ...", "Students gathered. They demanded ...": "they"
    is the plural subject (an unnamed group, a plural name: "Democrats") before it in its sentence, else in
    the sentence before when its own has no subject before it; only when that sentence has exactly one.
    An object is never the subject of its own clause ("Police arrested them": not the police)."""
    doc = pronoun.doc
    own = _clause_verb(pronoun) if pronoun.dep_ in _OBJECT_DEPS else None
    for sentence in (doc[pronoun.sent.start : pronoun.i], *preceding_sentences(pronoun, 1)):
        subjects = [tok for tok in sentence if tok.dep_ in SUBJ and tok.head != own]
        if not subjects:
            continue
        found = []
        for tok in subjects:
            row = index.at(tok.idx)
            if tok.tag_ in ("NNS", "NNPS") and row is not None and is_actor(row, tok) and span(row) not in found:
                found.append(span(row))
        return found[0] if len(found) == 1 else None
    return None


def _clause_verb(token: Token) -> Token:
    """The verb whose clause holds an object ("urged him") or a prepositional object ("spoke to him")."""
    head = token.head
    return head.head if token.dep_ == "pobj" and head.dep_ == "prep" else head


def _earlier_subject(pronoun: Token, index: MentionIndex, depth: int) -> CharSpan | None:
    """The person subject of one of the two sentences before ``pronoun``'s."""
    for previous in preceding_sentences(pronoun, 2):
        for tok in previous:
            if tok.dep_ not in SUBJ:
                continue
            row = index.at(tok.idx)
            if row is not None and row["label"] == "PERSON":
                return span(row)
            # "The president ... . He said": a subject that itself refers back to a titled person
            words = role_words(tok) if tok.lemma_.lower() in ROLE_NOUNS else None
            if words is not None and ROLE_NOUNS[tok.lemma_.lower()][0] == "PERSON":
                return role_antecedent(tok, index, words)
            if tok.lower_ in ("he", "she") and depth < 3:
                # "Trump ... . He said ... . He added": the chain of subjects goes back to the name
                return antecedent(tok, index, depth + 1)
    return _only_person_before(pronoun, index) if depth == 0 else None


def _only_person_before(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """"FBI agents confronted Mr. Wolfe about the leaks. He denied ...": a "he" / "she" opening its sentence as
    its subject, with no person subject in the two sentences before, is the one person the sentence just
    before names (two or more, or none: nobody). Not a passive subject: "... released by Sheriff Arpaio's
    office. He was arrested again" is the one acted upon, rarely the person just named as the doer."""
    sent = pronoun.sent
    first = next((tok for tok in sent if not tok.is_punct and not tok.is_space), None)
    previous = preceding_sentences(pronoun, 1)
    if first is None or first.i != pronoun.i or pronoun.dep_ not in SUBJ or not previous:
        return None
    people = {
        span(row) for tok in previous[0] if (row := index.at(tok.idx)) is not None and row["label"] == "PERSON"
    }
    return people.pop() if len(people) == 1 else None


DOUBLE_QUOTES = frozenset({'"', "“", "”"})


def quoted_apart(token: Token, verb: Token) -> bool:
    """Whether ``token`` is inside quotation marks of its sentence and ``verb`` outside them ('"He knew,"
    Mueller said'; not 'X reported, "Mueller said he knew': both quoted)."""
    return in_quotes(token) and not in_quotes(verb)


def in_quotes(token: Token) -> bool:
    """Whether ``token`` lies inside quotation marks of its sentence: between an opening mark and its closing
    one, before the first mark when that one closes a quotation an earlier sentence opened, or after a last
    mark that opens one the sentence leaves open."""
    marks = [tok.i for tok in token.sent if tok.text in DOUBLE_QUOTES]
    if not marks:
        return False
    bounds = [token.sent.start - 1, *marks] if len(marks) % 2 == 1 and _closing(token.doc[marks[0]]) else marks
    if len(bounds) % 2 == 1:
        bounds = [*bounds, token.sent.end]
    return any(bounds[k] < token.i < bounds[k + 1] for k in range(0, len(bounds), 2))


def closing_speech_verb(token: Token, sentences: int = 3) -> Token | None:
    """'"We need a deal. It has to come this year," Gove said': for a token inside a quotation its own
    sentence opens and leaves open, the speech verb right after the mark that closes it in one of the next
    ``sentences`` sentences (those between hold no mark) — the quotation's own speaker, not a neighbour's."""
    marks = [tok.i for tok in token.sent if tok.text in DOUBLE_QUOTES]
    if not marks or marks[-1] > token.i or len(marks) % 2 == 0:
        return None
    doc = token.doc
    end = token.sent.end
    for _ in range(sentences):
        if end >= len(doc):
            return None
        sent = doc[end].sent
        marks = [tok.i for tok in sent if tok.text in DOUBLE_QUOTES]
        if marks:
            if not _closing(doc[marks[0]]):
                return None
            stop = marks[1] if len(marks) > 1 else sent.end
            return next(
                (tok for tok in doc[marks[0] + 1 : stop] if tok.pos_ == "VERB" and tok.lemma_.lower() in SPEECH_VERBS),
                None,
            )
        end = sent.end
    return None


def _closing(mark: Token) -> bool:
    """A closing quotation mark: a right curly one, or a straight one written against the word before it."""
    if mark.text == "”":
        return True
    return mark.text == '"' and mark.i > 0 and not mark.doc[mark.i - 1].whitespace_


def _reported_subject(pronoun: Token) -> bool:
    """Whether ``pronoun`` is the subject of a clause reported by a speech verb ("X said it would")."""
    clause = pronoun.head
    return (
        pronoun.dep_ in SUBJ | PASS_SUBJ
        and clause.dep_ == "ccomp"
        and clause.head.lemma_.lower() in SPEECH_VERBS
    )


def _first_person(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """'"My concern is ...," Graham said': the first person of a quote is its speaker, however deep;
    "I" / "my" / "me" only a person."""
    speaker = _quote_speaker(pronoun, index)
    if speaker is None and (verb := closing_speech_verb(pronoun)) is not None:
        speaker = next(iter(verb_doers(verb, index)), None)
    if speaker is None:
        speaker = _neighbour_speaker(pronoun, index)
    if speaker is None or (pronoun.lower_ in _SINGULAR_SPEAKER and index.label_at(speaker[0]) != "PERSON"):
        return None
    return speaker


def _neighbour_speaker(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """'"We need a deal. We will get it," Gove said.': a quoted sentence without its own speaker is spoken
    by the one a speech verb of the next quoted sentence (else of the sentence before) names.

    One step only: the neighbour's speaker is not itself looked for in its own neighbours. Two quoted
    sentences whose speakers are both pronouns ('"…," we said. "…," we added.') would otherwise send
    each to the other without end.
    """
    if _NEIGHBOUR_SEARCH.get():
        return None
    active = _NEIGHBOUR_SEARCH.set(True)
    try:
        return _neighbour_speaker_once(pronoun, index)
    finally:
        _NEIGHBOUR_SEARCH.reset(active)


def _neighbour_speaker_once(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    sent = pronoun.sent
    if not any(tok.text in _QUOTES for tok in sent):
        return None
    doc = pronoun.doc
    following = [doc[sent.end].sent] if sent.end < len(doc) else []
    for other in following + preceding_sentences(pronoun, 1):
        if not any(tok.text in _QUOTES for tok in other):
            continue
        for tok in other:
            if tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ == "VERB":
                speakers = verb_doers(tok, index)
                if speakers:
                    return speakers[0]
    return None


def _quote_speaker(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """The named subject of the speech verb whose reported clause holds ``pronoun`` at any depth."""
    node = pronoun
    while node.head.i != node.i:
        if node.dep_ == "ccomp" and node.head.lemma_.lower() in SPEECH_VERBS:
            speakers = verb_doers(node.head, index)
            return speakers[0] if speakers else None
        node = node.head
    return None


def _speaker(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """The named subject of the speech verb whose reported clause has ``pronoun`` as its subject."""
    verb = pronoun.head.head
    # "saying he would ...", "noting that he ...": a speech verb without a subject has its clause's speaker
    speakers = verb_doers(verb, index)
    return speakers[0] if speakers else None


# Reference rules for a token that is no mention itself, in order: (applies to the token, what it refers to).
_REFERENCE_RULES: tuple[tuple[Callable[[Token], bool], Callable[[Token, MentionIndex], CharSpan | None]], ...] = (
    (lambda token: token.lower_ in _RELATIVE_PRONOUNS, _relative_antecedent),
    (_is_pronoun, antecedent),
    (_is_role_noun, _role_reference),
)


def controller(verb: Token) -> Token | None:
    """The object that does what an object-control verb's infinitive says ("urged Congress to act")."""
    lemma = verb.lemma_.lower()
    if lemma not in _OBJECT_CONTROL:
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "obj"):
            return child
    if lemma == "call":
        objects = prep_objects(verb, ("on", "upon"), deps=("prep",))
        if objects:
            return objects[0]
    return None


def first_found(rules: tuple, *args) -> list[CharSpan]:
    """The answer of the first rule that has one (a rule answers None when it does not apply)."""
    for rule in rules:
        found = rule(*args)
        if found is not None:
            return found
    return []


def _by_agent(pred: Token, index: MentionIndex) -> list[CharSpan]:
    for obj in prep_objects(pred, ("by",), deps=("agent", "prep")):
        return resolve(obj, index)
    return []


def _participle_passive_doer(pred: Token, index: MentionIndex) -> list[CharSpan] | None:
    """"the towns seized by X": a past participle modifying a noun is passive."""
    return _by_agent(pred, index) if pred.dep_ == "acl" and pred.tag_ == "VBN" else None


def _passive_doer(pred: Token, index: MentionIndex) -> list[CharSpan] | None:
    # a passive without a subject of its own that names its doer too ("after being tortured by authorities", "was
    # arrested and separated by officials"): the subject it would borrow undergoes it. Not one that names none
    # ("after being arrested for DUI, he ..."): a headline the parser reads as active ("Jackson arrested on
    # suspicion of DUI") gives the same borrowed doer, and the two reports of one arrest stay one event (ECB+)
    passive = any(c.dep_ in PASS_SUBJ or c.dep_ == "agent" for c in pred.children)
    return _by_agent(pred, index) if passive else None


def _modified_noun_doer(pred: Token, index: MentionIndex) -> list[CharSpan] | None:
    """"Democrats demanding his resignation": the noun a present participle modifies does it."""
    if pred.dep_ == "acl" and pred.tag_ == "VBG":
        if index.at(pred.head.idx) is not None:
            return resolve(pred.head, index)
        if pred.head.dep_ == "appos" and index.at(pred.head.head.idx) is not None:
            # "Ted Olson, a lawyer challenging the rule": the name the noun stands beside does it
            return resolve(pred.head.head, index)
    return None


def subject_doer(pred: Token, index: MentionIndex) -> list[CharSpan]:
    """The subject of the clause, climbing complement links to the clause that has one (4 steps at most)."""
    node = pred
    for _ in range(4):
        subjects = [child for child in node.children if child.dep_ in SUBJ]
        if subjects:
            return [found for child in subjects for found in resolve(child, index)]
        # A relative or participle clause without its own subject does not borrow the main clause's.
        participle = node.dep_ == "acl" and node.tag_ == "VBN"
        # "Cohen called the remarks inaccurate": who calls a word so says it (not the doer of "called X a liar for
        # dismissing it": the one so called is)
        judged = node is pred and node.dep_ == "oprd"
        if (node.dep_ not in _ACTOR_CLIMB_DEPS and not judged) or node.dep_ == "relcl" or participle or node.head is node:
            break
        borrowed = _borrowed_doer(node, index)
        if borrowed is not None:
            return borrowed
        node = node.head
    return []


def _borrowed_doer(node: Token, index: MentionIndex) -> list[CharSpan] | None:
    """Who does a subjectless clause's act, named on the word it hangs on (None: climb further)."""
    head = node.head
    if node.dep_ == "acl" and head.pos_ in NOUN_TAGS:
        # "his decision to withdraw": the one who decides does it
        owners = [child for child in head.children if child.dep_ == "poss"]
        if owners:
            return resolve(owners[0], index)
        # "the decision by Germany to expel": the noun's "by" agent decides and does it
        for obj in prep_objects(head, ("by",)):
            agents = resolve(obj, index)
            if agents:
                return agents
    if node.dep_ == "xcomp":
        # "urged Congress to impeach": the object of a control verb does the infinitive's act;
        # "is expected to oust": a raised passive subject does it.
        doer = controller(head)
        if doer is not None:
            return resolve(doer, index)
        raised = [child for child in head.children if child.dep_ in PASS_SUBJ]
        if raised:
            return [found for child in raised for found in resolve(child, index)]
    return None


# Who does what a clause says, in order; the first rule that applies answers.
CLAUSE_DOER_RULES: tuple[DoerRule, ...] = (_passive_doer, _modified_noun_doer, subject_doer)
# A verb trigger's clause: a past participle modifying a noun is passive too.
VERB_DOER_RULES: tuple[DoerRule, ...] = (_participle_passive_doer, *CLAUSE_DOER_RULES)


def clause_doers(pred: Token, index: MentionIndex) -> list[CharSpan]:
    """Who does what the clause of ``pred`` (the verb carrying a noun trigger) says."""
    return first_found(CLAUSE_DOER_RULES, pred, index)


def verb_doers(verb: Token, index: MentionIndex) -> list[CharSpan]:
    """Who does what ``verb`` says: its passive agent, the noun it modifies, or its (inherited) subject."""
    return first_found(VERB_DOER_RULES, verb, index)
