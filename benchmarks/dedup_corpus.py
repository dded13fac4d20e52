"""The synthetic corpus of ``benchmarks.dedup``: real articles plus injected exact and edited near copies
(paragraphs cut or swapped, words changed, boilerplate and wire datelines added), with the group each
copy belongs to, so precision and recall of deduplication can be counted.
"""

import datetime as dt
import json
import random

EXACT_SHARE = 0.10
NEAR_SHARE = 0.10
BOILERPLATE = [
    "ADVERTISEMENT",
    "0",
    "820",
    "Leave a Reply",
    "View all comments",
    "Share this: Pocket",
    "Story Continued Below",
    "Sign up for Daily Newsletters",
    "Loading...",
]
WIRE_DATELINES = ["WASHINGTON (AP) — ", "NEW YORK (Reuters) - ", "LONDON — ", "BEIJING (AFP) — "]
CLOSERS = [
    "Additional reporting by Ann Smith.",
    "This story has been updated.",
    "Contributing: The Associated Press.",
    "Editing by Mark Heinrich.",
]



def near_copy(body: str, rng: random.Random) -> str:
    """Two or three seeded edits of the kinds republished news shows."""
    paragraphs = body.split("\n\n")
    edits = rng.sample(["cut", "sentence", "words", "dateline", "closer"], k=rng.choice([2, 3]))
    if "cut" in edits and len(paragraphs) >= 4:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    if "sentence" in edits:
        i = rng.randrange(len(paragraphs))
        sentences = paragraphs[i].split(". ")
        if len(sentences) > 1:
            del sentences[rng.randrange(len(sentences))]
            paragraphs[i] = ". ".join(sentences)
    if "dateline" in edits:
        paragraphs[0] = rng.choice(WIRE_DATELINES) + paragraphs[0]
    if "closer" in edits:
        paragraphs.append(rng.choice(CLOSERS))
    text = "\n\n".join(paragraphs)
    if "words" in edits:
        words = text.split(" ")
        for _ in range(max(1, int(len(words) * rng.uniform(0.01, 0.05)))):
            words[rng.randrange(len(words))] = rng.choice(["said", "reported", "officials", "the", "new"])
        text = " ".join(words)
    return text


def with_boilerplate(body: str, rng: random.Random) -> str:
    lines = body.split("\n\n")
    for _ in range(rng.randint(1, 4)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(BOILERPLATE))
    return "\n\n".join(lines)


def _cycle(items: list[str], rng: random.Random):
    """Endless draws that use every item once per shuffled pass, so no paragraph is drawn much more than others."""
    while True:
        shuffled = items[:]
        rng.shuffle(shuffled)
        yield from shuffled


def build_corpus(
    size: int, articles: list[dict], paragraphs: list[str], seed: int
) -> tuple[bytes, dict[str, int], dict[str, str]]:
    """JSONL bytes of ``size`` records; record id → true group (base index); id → injected kind."""
    rng = random.Random(seed)
    n_exact, n_near = int(size * EXACT_SHARE), int(size * NEAR_SHARE)
    n_base = size - n_exact - n_near
    draw = _cycle(paragraphs, rng)
    order = list(range(len(articles)))
    rng.shuffle(order)
    bases = []
    for i in range(n_base):
        if i < len(order):
            bases.append(articles[order[i]])
        else:
            picked = [next(draw) for _ in range(rng.randint(12, 30))]
            day = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(730))
            bases.append({"title": f"Synthetic article {i}", "body": "\n\n".join(picked), "published": day})
    records, group, kind = [], {}, {}
    for i, base in enumerate(bases):
        records.append(
            {"id": f"b{i}", "title": base["title"], "text": base["body"], "published": str(base["published"])}
        )
        group[f"b{i}"], kind[f"b{i}"] = i, "base"
    for j in range(n_exact + n_near):
        i = rng.randrange(n_base)
        base = bases[i]
        is_exact = j < n_exact
        body = base["body"] if is_exact else near_copy(base["body"], rng)
        published = base["published"] + dt.timedelta(days=rng.randint(-1, 5))
        cid = f"{'e' if is_exact else 'n'}{j}"
        records.append(
            {
                "id": cid,
                "title": f"{base['title']} | reprint",
                "text": with_boilerplate(body, rng),
                "published": str(published),
                "source": "copycat",
            }
        )
        group[cid], kind[cid] = i, "exact" if is_exact else "near"
    rng.shuffle(records)
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    return data, group, kind
