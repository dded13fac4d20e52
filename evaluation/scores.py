"""Scores of a clustering against gold chains: B³ and pairwise links (used by the event and entity evaluations)."""

from collections import defaultdict


def b_cubed(gold_of: dict[str, str], system_of: dict[str, str]) -> float:
    """B³ F1 of a system clustering against gold chains, over the same mention ids."""
    return b_cubed_scores(gold_of, system_of)[2]


def b_cubed_scores(gold_of: dict[str, str], system_of: dict[str, str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of B³: per mention, the share of its system cluster in its gold chain and back."""
    gold_members, system_members = defaultdict(set), defaultdict(set)
    for mention, chain in gold_of.items():
        gold_members[chain].add(mention)
    for mention, cluster in system_of.items():
        system_members[cluster].add(mention)
    precision = recall = 0.0
    for mention in gold_of:
        g = gold_members[gold_of[mention]]
        s = system_members[system_of[mention]]
        overlap = len(g & s)
        precision += overlap / len(s)
        recall += overlap / len(g)
    n = len(gold_of)
    if not n:
        return 0.0, 0.0, 0.0
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pairwise_links(
    gold_of: dict[str, str], system_of: dict[str, str], document_of: dict[str, str] | None = None
) -> dict:
    """Link precision and recall: mention pairs the system merged vs. pairs gold puts in one chain.

    A pair counts once; ``system_links`` are the merges made, ``correct_links`` those gold agrees with,
    ``gold_links`` the merges gold asks for. Precision is None when the system merged nothing. With
    ``document_of`` (mention → document), only pairs from two different documents count.
    """
    def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for mention in sorted(assignment):
            members[assignment[mention]].append(mention)
        found = {(a, b) for group in members.values() for i, a in enumerate(group) for b in group[i + 1:]}
        if document_of is None:
            return found
        return {(a, b) for a, b in found if document_of[a] != document_of[b]}

    system = pairs({m: system_of[m] for m in gold_of})
    gold = pairs(gold_of)
    correct = len(system & gold)
    return {
        "system_links": len(system),
        "correct_links": correct,
        "gold_links": len(gold),
        "link_precision": round(correct / len(system), 3) if system else None,
        "link_recall": round(correct / len(gold), 3) if gold else 0.0,
    }


def wrong_links(gold_of: dict[str, str], system_of: dict[str, str]) -> list[tuple[str, str]]:
    """The mention pairs the system merged that gold keeps in two chains (sorted), over gold's mentions."""
    members: dict[str, list[str]] = defaultdict(list)
    for mention in sorted(gold_of):
        members[system_of[mention]].append(mention)
    return sorted(
        (a, b)
        for group in members.values()
        for i, a in enumerate(group)
        for b in group[i + 1:]
        if gold_of[a] != gold_of[b]
    )
