"""Entity mentions as event arguments: a document's mentions looked up by offset, and which of them can act.

An event's actors and place are entity mentions of the same document (``entities.doc_mentions`` rows),
found by the character offset of an argument token. The dependency labels the argument rules share
live here too.
"""

from bisect import bisect_right

from spacy.tokens import Token

CharSpan = tuple[int, int]  # (start_char, end_char) of an entity mention

# GROUP: an unnamed group in an argument slot ("protesters", "the police"; ``event_groups``).
ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "GROUP"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
NOUN_TAGS = ("NOUN", "PROPN")
SUBJ = {"nsubj", "csubj"}
PASS_SUBJ = {"nsubjpass", "csubjpass"}
OBJ = {"dobj", "obj", "dative", "attr", "oprd"}
# Links a clause climbs through to the clause it belongs to ("plans to invade", "his decision to withdraw").
CLIMB_DEPS = {"xcomp", "acl", "advcl", "conj", "ccomp", "relcl", "pcomp", "dobj", "pobj", "prep"}
DENY = {"deny", "refute", "dismiss"}


class MentionIndex:
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

    def label_at(self, char: int) -> str | None:
        row = self.at(char)
        return row["label"] if row else None


def span(row: dict) -> CharSpan:
    return row["start_char"], row["end_char"]


def is_actor(row: dict, token: Token) -> bool:
    """Whether an entity mention can be a doer or target: "pro-Israel", "anti-Semitic" are attitudes, and
    "a Democrat" one unnamed person, not the group. An unnamed group ("anti-government protesters") acts."""
    if row["label"] == "GROUP":
        return True
    if row["label"] not in ACTOR_LABELS or row["mention_text"].lower().startswith(("anti-", "pro-")):
        return False
    # "a Republican", "an American": one unnamed member, whether the mention reads as the group (NORP) or
    # as the party it resolves to (ORG)
    one_word = " " not in row["mention_text"].strip()
    return not (row["label"] != "PERSON" and one_word and determiner(token) in ("a", "an"))


def determiner(token: Token) -> str | None:
    return next((c.lower_ for c in token.children if c.dep_ == "det"), None)


# Links inside an object phrase that keep to its participants: "a deal with Mueller's team", "pressure on
# Pelosi", "the Trump administration's request" — not a clause ("his nomination to head the Justice
# Department"), a place ("priests in the US") or what a thing is made of ("purchases of aircraft from Boeing").
_OBJECT_LINKS = frozenset({"poss", "compound", "amod", "nmod", "appos", "conj"})
_OBJECT_PREPS = frozenset({"with", "against", "on", "to", "from", "for", "of", "toward", "towards", "between", "by", "at"})


def first_mention(token: Token, index: MentionIndex, exclude: set[int]) -> list[CharSpan]:
    """First actor mention of a short object phrase, on the links that name its participants: its own
    modifiers and appositions, and the objects of its participant prepositions ("the request of Congress",
    "a deal with Mueller's team"), one preposition deep."""
    if token.right_edge.i - token.left_edge.i >= 14:
        return []
    found = []
    stack = [(token, 0)]
    while stack:
        tok, crossed = stack.pop()
        found.append(tok)
        for child in tok.children:
            if child.dep_ in _OBJECT_LINKS:
                stack.append((child, crossed))
            elif child.dep_ == "prep" and crossed < 2 and child.lower_ in _OBJECT_PREPS:
                stack.extend((obj, crossed + 1) for obj in child.children if obj.dep_ == "pobj")
    for tok in sorted(found, key=lambda t: t.i):
        row = index.at(tok.idx)
        if row is not None and is_actor(row, tok) and row["start_char"] not in exclude:
            return [span(row)]
    return []
