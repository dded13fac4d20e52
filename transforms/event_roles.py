"""Role nouns as references: "the president", "the senator", "the company" and the named actor they mean.

A definite role noun whose only modifiers are plain words refers back to the closest earlier person
introduced with that title (and those words: "the special counsel" → "Special Counsel Robert
Mueller"), or for an organization role to a recent organization subject.
"""

from dateline.transforms.event_mentions import PASS_SUBJ, SUBJ, CharSpan, MentionIndex, span
from spacy.tokens import Span, Token

# "the president" → the closest earlier "President ..." person; "the company" → a recent organization subject.
ROLE_NOUNS: dict[str, tuple[str, tuple[str, ...]]] = {
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
    "speaker": ("PERSON", ("speaker",)),
    "secretary": ("PERSON", ("secretary",)),
    "minister": ("PERSON", ("minister",)),
    "premier": ("PERSON", ("premier",)),
    "chairman": ("PERSON", ("chairman",)),
    "chairwoman": ("PERSON", ("chairwoman",)),
    "director": ("PERSON", ("director",)),
    "judge": ("PERSON", ("judge",)),
    "justice": ("PERSON", ("justice",)),
    "general": ("PERSON", ("gen.", "general")),
    "king": ("PERSON", ("king",)),
    "prince": ("PERSON", ("prince",)),
    "company": ("ORG", ()),
    "firm": ("ORG", ()),
}


def preceding_sentences(token: Token, count: int) -> list[Span]:
    """Up to ``count`` sentences before ``token``'s, the closest first."""
    doc = token.doc
    sentences: list[Span] = []
    start = token.sent.start
    while start > 0 and len(sentences) < count:
        sentences.append(doc[start - 1].sent)
        start = sentences[-1].start
    return sentences


def role_words(token: Token) -> list[str] | None:
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
    # "the President" is written capitalized too
    return words if token.tag_ in ("NN", "NNP") and has_the else None


def role_antecedent(token: Token, index: MentionIndex, words: list[str]) -> CharSpan | None:
    """The named actor "the president" / "the senator" / "the company" refers back to.

    A person role goes to the closest earlier person mention carrying that title ("President Donald
    Trump", "Sen. Warren") and introduced with its modifiers too ("the special counsel": "Special
    Counsel Robert Mueller"); an organization role to the closest organization subject of its sentence
    or the two before.
    """
    label, titles = ROLE_NOUNS[token.lemma_.lower()]
    doc = token.doc
    if label == "PERSON":
        return titled_person(token, index, titles, words)
    if words:
        return None
    first = ([token.sent] + preceding_sentences(token, 2))[-1].start
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
