"""What an argument token stands for: the entity mentions a word, pronoun or role noun refers to.

``resolve`` turns an argument token (and its conjuncts: "Putin and Xi") into entity-mention spans:
a mention under the token itself, else the first of an ordered table of references (relative
pronoun, personal or group pronoun, definite role noun), else a named modifier ("Moscow's
suggestions", "the leader of China"). ``verb_doers`` / ``clause_doers`` give who does what a clause
says; a pronoun reported by a speech verb is resolved as that verb's doer ("X said it would").
"""

from collections.abc import Callable

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
from spacy.tokens import Span, Token

_PERSONAL_PRONOUNS = {"he", "she", "his", "her", "him"}
# Resolved only as the speaker of their clause ("Russia said it would ..."), never by distance.
_GROUP_PRONOUNS = {"it", "its", "they", "their", "them"}
_RELATIVE_PRONOUNS = {"who", "whom", "that", "which"}
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
# "she is open to supporting": an adjectival complement's subject does what it is ready to do.
_ACTOR_CLIMB_DEPS = CLIMB_DEPS | {"acomp"}

DoerRule = Callable[[Token, MentionIndex], list[CharSpan] | None]


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
    return lower in _PERSONAL_PRONOUNS or lower in _GROUP_PRONOUNS or lower == "i"


def _is_role_noun(token: Token) -> bool:
    return token.lemma_.lower() in _ROLE_NOUNS and _role_words(token) is not None


def _role_reference(token: Token, index: MentionIndex) -> CharSpan | None:
    return role_antecedent(token, index, _role_words(token))


def _named_modifier(token: Token, index: MentionIndex) -> CharSpan | None:
    """"the leader of China, Xi Jinping", "the Russian military", "Moscow's suggestions"."""
    for dep in ("appos", "poss", "compound", "amod", "nmod"):
        for child in token.children:
            if child.dep_ == dep:
                row = index.at(child.idx)
                if row is not None and is_actor(row, child):
                    return span(row)
    for obj in prep_objects(token, ("of",), deps=("prep",)):
        row = index.at(obj.idx)
        if row is not None and is_actor(row, obj):
            return span(row)
    return None


def antecedent(pronoun: Token, index: MentionIndex, depth: int = 0) -> CharSpan | None:
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
        if speaker is not None and (index.label_at(speaker[0]) == "PERSON") == personal:
            return speaker
        return None
    if not personal or pronoun.lower_ == "i":
        # "I" is only ever the speaker of its quote ('"I did not", he said')
        return None
    doc = pronoun.doc
    for tok in reversed(doc[pronoun.sent.start : pronoun.i]):
        row = index.at(tok.idx)
        if row is not None and row["label"] == "PERSON" and tok.dep_ in SUBJ | PASS_SUBJ | {"poss"}:
            return span(row)
    return _earlier_subject(pronoun, index, depth)


def _earlier_subject(pronoun: Token, index: MentionIndex, depth: int) -> CharSpan | None:
    """The person subject of one of the two sentences before ``pronoun``'s."""
    for previous in _preceding_sentences(pronoun, 2):
        for tok in previous:
            if tok.dep_ not in SUBJ:
                continue
            row = index.at(tok.idx)
            if row is not None and row["label"] == "PERSON":
                return span(row)
            # "The president ... . He said": a subject that itself refers back to a titled person
            words = _role_words(tok) if tok.lemma_.lower() in _ROLE_NOUNS else None
            if words is not None and _ROLE_NOUNS[tok.lemma_.lower()][0] == "PERSON":
                return role_antecedent(tok, index, words)
            if tok.lower_ in ("he", "she") and depth < 3:
                # "Trump ... . He said ... . He added": the chain of subjects goes back to the name
                return antecedent(tok, index, depth + 1)
    return None


def _preceding_sentences(token: Token, count: int) -> list[Span]:
    """Up to ``count`` sentences before ``token``'s, the closest first."""
    doc = token.doc
    sentences: list[Span] = []
    start = token.sent.start
    while start > 0 and len(sentences) < count:
        sentences.append(doc[start - 1].sent)
        start = sentences[-1].start
    return sentences


def _reported_subject(pronoun: Token) -> bool:
    """Whether ``pronoun`` is the subject of a clause reported by a speech verb ("X said it would")."""
    clause = pronoun.head
    return (
        pronoun.dep_ in SUBJ | PASS_SUBJ
        and clause.dep_ == "ccomp"
        and clause.head.lemma_.lower() in _SPEECH_VERBS
    )


def _speaker(pronoun: Token, index: MentionIndex) -> CharSpan | None:
    """The named subject of the speech verb whose reported clause has ``pronoun`` as its subject."""
    verb = pronoun.head.head
    # "saying he would ...", "noting that he ...": a speech verb without a subject has its clause's speaker
    speakers = verb_doers(verb, index)
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


def role_antecedent(token: Token, index: MentionIndex, words: list[str]) -> CharSpan | None:
    """The named actor "the president" / "the senator" / "the company" refers back to.

    A person role goes to the closest earlier person mention carrying that title ("President Donald
    Trump", "Sen. Warren") and introduced with its modifiers too ("the special counsel": "Special
    Counsel Robert Mueller"); an organization role to the closest organization subject of its sentence
    or the two before.
    """
    label, titles = _ROLE_NOUNS[token.lemma_.lower()]
    doc = token.doc
    if label == "PERSON":
        return titled_person(token, index, titles, words)
    if words:
        return None
    first = ([token.sent] + _preceding_sentences(token, 2))[-1].start
    for tok in reversed(doc[first : token.i]):
        row = index.at(tok.idx)
        if row is not None and row["label"] == label and tok.dep_ in SUBJ | PASS_SUBJ:
            return span(row)
    return None


def titled_person(
    token: Token, index: MentionIndex, titles: tuple[str, ...], words: list[str] = ()
) -> CharSpan | None:
    """The closest person mention before ``token`` introduced with one of ``titles`` ("President Macron")
    and with all of ``words`` ("former", "special")."""
    doc = token.doc
    for tok in reversed(doc[: token.i]):
        row = index.at(tok.idx)
        if row is None or row["label"] != "PERSON" or tok.idx != row["start_char"]:
            continue
        window = {t.lower_ for t in doc[max(tok.i - 3, 0) : tok.i + 4] if t.idx < row["end_char"]}
        if window & set(titles) and window.issuperset(words):
            return span(row)
    return None


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
    return _by_agent(pred, index) if any(c.dep_ in PASS_SUBJ for c in pred.children) else None


def _modified_noun_doer(pred: Token, index: MentionIndex) -> list[CharSpan] | None:
    """"Democrats demanding his resignation": the noun a present participle modifies does it."""
    if pred.dep_ == "acl" and pred.tag_ == "VBG" and index.at(pred.head.idx) is not None:
        return resolve(pred.head, index)
    return None


def _subject_doer(pred: Token, index: MentionIndex) -> list[CharSpan]:
    """The subject of the clause, climbing complement links to the clause that has one (4 steps at most)."""
    node = pred
    for _ in range(4):
        subjects = [child for child in node.children if child.dep_ in SUBJ]
        if subjects:
            return [found for child in subjects for found in resolve(child, index)]
        # A relative or participle clause without its own subject does not borrow the main clause's.
        participle = node.dep_ == "acl" and node.tag_ == "VBN"
        if node.dep_ not in _ACTOR_CLIMB_DEPS or node.dep_ == "relcl" or participle or node.head is node:
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
CLAUSE_DOER_RULES: tuple[DoerRule, ...] = (_passive_doer, _modified_noun_doer, _subject_doer)
# A verb trigger's clause: a past participle modifying a noun is passive too.
VERB_DOER_RULES: tuple[DoerRule, ...] = (_participle_passive_doer, *CLAUSE_DOER_RULES)


def clause_doers(pred: Token, index: MentionIndex) -> list[CharSpan]:
    """Who does what the clause of ``pred`` (the verb carrying a noun trigger) says."""
    return first_found(CLAUSE_DOER_RULES, pred, index)


def verb_doers(verb: Token, index: MentionIndex) -> list[CharSpan]:
    """Who does what ``verb`` says: its passive agent, the noun it modifies, or its (inherited) subject."""
    return first_found(VERB_DOER_RULES, verb, index)
