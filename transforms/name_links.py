"""Which fuller name a short entity name stands for, over all mentions of the warehouse and the batch.

Spellings of one name that differ only by a hyphen inside a word against a space ("Kim Jong-un", "Kim
Jong Un") are first one name, the most written spelling (``variant_targets``). Then a one-word person
name takes the full person name it is the last (or first) word of, a full name without its middle names
the one longer name with the same ends (or that longer name the shorter, the one written far more
often), and a short organization name the "PLACE + name" organization, when that target is unambiguous
or ``DOMINANCE`` times as mentioned as the next, and attested often enough beside the short name
(``NAME_SHARE``, ``PLACE_NAME_SHARE``); ``resolve_entities`` applies them.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

# A one-word person name links to the most-mentioned full name ending in it when that name has at least
# this many times the mentions of the next one ("Trump": Donald Trump over Ivanka Trump).
DOMINANCE = 3


# A person name links to a fuller one only when the fuller name has at least one mention for every NAME_SHARE of
# the shorter name's: a rare spelling does not take over a well-attested name ("Kevin" is not "Follow Kevin",
# "Bloomberg" not "Bloomberg Businessweek"). Between a full name and the one longer name with the same ends the
# more written one names the person: "Donald J. Trump" (149 mentions) goes by "Donald Trump" (4,178).
NAME_SHARE = 10


# A short organization name links to "PLACE + name" only when that full name has at least one mention for
# every PLACE_NAME_SHARE of the short name's (a generic short name is its own entity).
PLACE_NAME_SHARE = 10


# A hyphen inside a word ("Jong-un", "al-Assad"), not a dash between spaced words.
_JOINING_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def variant_form(folded: str) -> str:
    """The form spellings of one name share: case-folded, a hyphen inside a word read as a space ("kim jong-un",
    "kim-jong-un" and "kim jong un" are all "kim jong un")."""
    return _JOINING_HYPHEN.sub(" ", folded)


def hyphen_spellings(form: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every spelling of ``form`` (``variant_form``) written in one word, all its spaces hyphens, and the
    (first word, last word) pairs of those written in more words: a prefix and a suffix of its words, each
    hyphen-joined ("kim jong un": "kim-jong-un"; ("kim", "un"), ("kim", "jong-un"), ("kim-jong", "un"))."""
    words = form.split()
    if len(words) < 2:
        return [form], []
    ends = [("-".join(words[:i]), "-".join(words[j:])) for i in range(1, len(words)) for j in range(i, len(words))]
    return ["-".join(words)], ends


def variant_targets(chosen: Mapping[str, str], mentions_of: Mapping[str, int]) -> dict[str, str]:
    """Case-folded name → the spelling of the same name and coarse type that names it, for every spelling
    that is not that one: spellings that differ only by a hyphen inside a word against a space ("Kim
    Jong-un", "Kim Jong Un") are one entity, named by the most written (ties: the first in alphabetical
    order), so a rare spelling never takes a well-attested one over."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folded, coarse in chosen.items():
        if "-" in folded or " " in folded:
            groups[(variant_form(folded), coarse)].append(folded)
    targets: dict[str, str] = {}
    for spellings in groups.values():
        if len(spellings) > 1:
            named = min(spellings, key=lambda f: (-mentions_of[f], f))
            targets.update((f, named) for f in spellings if f != named)
    return targets


def merge_variants(
    chosen: Mapping[str, str], mentions_of: Mapping[str, int], variant_target: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, int]]:
    """(coarse type, mentions) per case-folded name once the spellings ``variant_targets`` links are counted
    under the spelling that names them (the links between names read those)."""
    merged_chosen = {folded: coarse for folded, coarse in chosen.items() if folded not in variant_target}
    merged_mentions = {folded: n for folded, n in mentions_of.items() if folded not in variant_target}
    for folded, target in variant_target.items():
        merged_mentions[target] += mentions_of[folded]
    return merged_chosen, merged_mentions


def person_targets(chosen: Mapping[str, str], mentions_of: Mapping[str, int]) -> dict[str, str]:
    """Case-folded person name → the fuller (or, for a rare middle name, the shorter) person name it stands for."""
    person_target = _middle_name_targets(chosen, mentions_of)
    # One-word person names → the full person name they end (or begin), counting the mentions of the
    # names linked into each full name.
    resolved_mentions: Counter = Counter()
    for folded, coarse in chosen.items():
        if coarse == "person" and " " in folded:
            resolved_mentions[person_target.get(folded, folded)] += mentions_of[folded]
    full_by_word: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folded in resolved_mentions:
        words = folded.split()
        full_by_word[("last", words[-1])].append(folded)
        full_by_word[("first", words[0])].append(folded)
    for folded, coarse in chosen.items():
        if coarse != "person" or " " in folded:
            continue
        ending = full_by_word.get(("last", folded), ())
        target = _dominant(ending, resolved_mentions)
        if not ending:
            # a first name only when no full name ends in the word and one alone begins with it: "Johnson"
            # beside Boris and Ron Johnson is neither, whatever "Johnson Eddie" a misread line gave
            first = full_by_word.get(("first", folded), ())
            target = first[0] if len(first) == 1 else None
        if target is not None and resolved_mentions[target] * NAME_SHARE >= mentions_of[folded]:
            person_target[folded] = target
    return person_target


def _middle_name_targets(chosen: Mapping[str, str], mentions_of: Mapping[str, int]) -> dict[str, str]:
    """A full name without its middle names and the one (or dominant) longer name with the same first and
    last words are one person ("Mark Heller", "Mark Jay Heller"), named by the longer one unless the
    shorter has more than ``NAME_SHARE`` times its mentions ("Donald Trump" for a rare "Donald J. Trump");
    that longer name then links to the shorter when it is the only shorter name sharing its ends and no
    other name links into it, else the two stay apart ("George W. Bush" is not a rare "George H. W. Bush")."""
    persons = sorted(f for f, c in chosen.items() if c == "person" and " " in f)
    by_ends: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folded in persons:
        words = folded.split()
        by_ends[(words[0], words[-1])].append(folded)
    targets: dict[str, str] = {}
    rare_longer: dict[str, list[str]] = defaultdict(list)
    for folded in persons:
        words = folded.split()
        longer = [f for f in by_ends[(words[0], words[-1])] if len(f.split()) > len(words)]
        target = _dominant(longer, mentions_of)
        if target is None:
            continue
        if mentions_of[target] * NAME_SHARE >= mentions_of[folded]:
            targets[folded] = target
        else:
            rare_longer[target].append(folded)
    for longer, (shorter, *others) in rare_longer.items():
        words = longer.split()
        shorter_forms = [f for f in by_ends[(words[0], words[-1])] if len(f.split()) < len(words)]
        if not others and shorter_forms == [shorter] and longer not in targets and longer not in targets.values():
            targets[longer] = shorter
    return targets


def place_named_targets(chosen: Mapping[str, str], mentions_of: Mapping[str, int]) -> dict[str, str]:
    """Short organization name → the "PLACE + name" organization it stands for."""
    # An organization named after its place goes by the rest of its name ("Indianapolis Colts" →
    # "Colts", "Boston Red Sox" → "Red Sox"): that short name links to the one (or dominant) such name.
    by_rest: dict[str, list[str]] = defaultdict(list)
    for folded, coarse in chosen.items():
        words = folded.split()
        if coarse != "organization" or len(words) < 2:
            continue
        for cut in range(1, len(words)):
            if chosen.get(" ".join(words[:cut])) == "location":
                by_rest[" ".join(words[cut:])].append(folded)
    # Only when the full name is attested at least 1/PLACE_NAME_SHARE as often as the short one: "the
    # House" (hundreds of mentions) is not "the Florida House" (a few), nor "Democratic Party" the
    # "California Democratic Party"; "Colts" beside a well-attested "Indianapolis Colts" is.
    org_target: dict[str, str] = {}
    for folded, coarse in chosen.items():
        if coarse in ("organization", "group") and folded in by_rest:
            target = _dominant(by_rest[folded], mentions_of)
            if target is not None and mentions_of[target] * PLACE_NAME_SHARE >= mentions_of[folded]:
                org_target[folded] = target
    return org_target


def _dominant(candidates: Iterable[str], mentions_of: Mapping[str, int]) -> str | None:
    ranked = sorted(candidates, key=lambda c: (-mentions_of[c], c))
    if not ranked:
        return None
    if len(ranked) == 1 or mentions_of[ranked[0]] >= DOMINANCE * mentions_of[ranked[1]]:
        return ranked[0]
    return None
