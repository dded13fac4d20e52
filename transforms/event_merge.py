"""Which event a keyed event mention belongs to: the merge rules of ``resolve_events``.

The merge rule (GDELT's event/mention split without counting reports as events): two mentions are
one event only on evidence that they report the same happening. Always required: the same category,
the same actor set (order-free for CONSULT, AGREE and COOPERATE), compatible CONSULT modes (a call is
not a visit; a "meeting" is either) and the same polarity (asserted and planned reports of a meeting
merge; negated and hypothetical ones stay apart). Then:

* two dated mentions merge when their dates agree at the coarser of their two precisions (day or
  week); agreeing only on a month, they also need the same trigger word, the same document, or
  documents published within ``SAME_STORY_DAYS`` of each other;
* an undated mention (no date, or one at year precision, which says little about which event it is)
  needs a matching counterpart: a report of the event in its own document with the same trigger word
  (the nearest), or else a dated event (day, week or month) that another document published within
  ``SAME_STORY_DAYS`` of its own reports — the same story in the news of those days — and whose date
  lies within ``NEWS_DAYS`` of its publication, when the report names both sides or shares a word of
  that event's reports (one side alone, "Hoyt has been critical", fits any of the actor's acts), or else an undated event another document of those
  days reports with the same word and the whole who-did-what-to-whom (both sides named: "Xi supported
  Putin", not "Nadler was arrested" or "Hoyt warned against it", which an article tells of many
  happenings, background included). Never merely "the one compatible event": when two qualify, it
  joins neither. A CONSULT / AGREE / COOPERATE report with one known participant never merges undated;
* reports without any actor only merge within their sentence.

Keys come from the founding mention's content, so a rerun gives the same keys, and a later run
attaches its reports to the events already in the warehouse (passed in as ``existing``).
"""

import datetime as dt
from dataclasses import dataclass, field

from dateline.transforms.dates import PRECISION_RANK, period_bounds
from dateline.transforms.events import SYMMETRIC_CODES
from dateline.transforms.keys import make_key

# Two documents published this many days apart (or fewer) can carry the same story.
SAME_STORY_DAYS = 3

# An undated report is news of its days: the dated event it joins lies this close to its publication.
NEWS_DAYS = 7

# Dates that tell one event from another of the same actors; a year does not.
DISTINCTIVE_PRECISIONS = ("day", "week", "month")

_NEVER = (dt.date.max, dt.date.min)  # the period of an unknown publication date: near no other


def participants(code: str, actor1: list[str], actor2: list[str]) -> str:
    """The actor-set signature two mentions must share to be one event ("" when no actor is known)."""
    if code in SYMMETRIC_CODES:
        return "|".join(sorted(set(actor1) | set(actor2)))
    if not actor1 and not actor2:
        return ""
    return "|".join(sorted(set(actor1))) + ">" + "|".join(sorted(set(actor2) - set(actor1)))


def dates_compatible(a: dt.date | None, a_precision: str, b: dt.date | None, b_precision: str) -> bool:
    """Whether two anchored dates can be the same day, compared at the coarser precision."""
    if a is None or b is None or a_precision == "unknown" or b_precision == "unknown":
        return True
    coarse = max(a_precision, b_precision, key=PRECISION_RANK.__getitem__)
    if coarse == "day":
        return a == b
    if coarse == "week":
        return a.isocalendar()[:2] == b.isocalendar()[:2]
    if coarse == "month":
        return (a.year, a.month) == (b.year, b.month)
    return a.year == b.year


def modes_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or "meet" in (a, b)


def publication_period(published: dt.date | None, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day a document can have been published on (None when its date is unknown)."""
    return None if published is None else period_bounds(published, precision)


def _within(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date], days: int) -> bool:
    """Whether two periods come within ``days`` of each other."""
    gap = dt.timedelta(days=days)
    return a[0] - gap <= b[1] and b[0] - gap <= a[1]


@dataclass
class Cluster:
    event_key: str
    code: str
    mode: str | None
    polarity: str
    participants: str
    date: dt.date | None
    precision: str
    document_key: str | None  # for an undated event founded in this run: the document it was founded in
    existing: bool
    members: list[dict] = field(default_factory=list)
    # (document, publication period) of its reports (for a loaded event: None, first to last reported).
    reported: list[tuple[str | None, tuple[dt.date, dt.date]]] = field(default_factory=list)
    # The trigger lemmas of its reports (a loaded event's come from the warehouse).
    lemmas: set[str] = field(default_factory=set)

    def add(self, row: dict) -> None:
        self.members.append(row)
        self.lemmas.add(row["trigger_lemma"])
        period = publication_period(row["published_date"], row.get("published_precision"))
        if period is not None:
            self.reported.append((row["document_key"], period))


def choose_cluster(clusters: list[Cluster], row: dict, signature: str, polarity: str) -> Cluster | None:
    date, precision = row["event_date"], row["date_precision"]
    candidates = [
        c
        for c in clusters
        if c.code == row["event_code"]
        and c.polarity == polarity
        and c.participants == signature
        and modes_compatible(c.mode, row["mode"])
        and dates_compatible(c.date, c.precision, date, precision)
    ]
    if not signature:
        # Without actors there is no evidence two reports are one event, except inside one sentence.
        candidates = [c for c in candidates if any(
            m["document_key"] == row["document_key"] and m["sentence_index"] == row["sentence_index"]
            for m in c.members)]
    if precision in DISTINCTIVE_PRECISIONS:
        # Dates that agree are the evidence; an undated event is only this document's own. Agreeing on
        # a month only, two reports also need the same word or the same days of news.
        candidates = [
            c for c in candidates
            if (c.precision != "unknown" or c.document_key == row["document_key"])
            and (max(PRECISION_RANK[c.precision], PRECISION_RANK[precision]) <= PRECISION_RANK["week"]
                 or _same_word_or_story(c, row))
        ]
        candidates.sort(key=lambda c: (PRECISION_RANK[c.precision], c.event_key))
        return candidates[0] if candidates else None
    if row["event_code"] in SYMMETRIC_CODES and len(signature.split("|")) < 2:
        # "LaRue was at the meeting": a meeting is told from another by who met; one side says too little.
        return None
    return _counterpart(candidates, row)


def _same_word_or_story(cluster: Cluster, row: dict) -> bool:
    """Whether a report shares the event's trigger word, document, or days of news (another document's)."""
    if any(m["trigger_lemma"] == row["trigger_lemma"] or m["document_key"] == row["document_key"]
           for m in cluster.members):
        return True
    own = publication_period(row["published_date"], row.get("published_precision"))
    return own is not None and any(
        doc != row["document_key"] and _within(period, own, SAME_STORY_DAYS) for doc, period in cluster.reported
    )


def _counterpart(candidates: list[Cluster], row: dict) -> Cluster | None:
    """The event an undated (or only year-dated) report belongs to, when something says which one.

    The same document's report of that event (the same trigger word first, then the nearest report
    before it) is the best evidence; else a dated event that another document of the same days
    reports, and that happened in those days, if the report names both sides or shares a word of the
    event's reports; else an undated event another document of those days reports with the same word,
    if the report names both sides. Two such events, and the report joins neither.
    """
    # In its own document: a report of the same event with the same word.
    same_doc = [c for c in candidates if any(
        m["document_key"] == row["document_key"] and m["trigger_lemma"] == row["trigger_lemma"] for m in c.members
    )]
    if same_doc:
        def distance(c: Cluster) -> tuple[int, str]:
            starts = [m["trigger_start"] for m in c.members if m["document_key"] == row["document_key"]]
            return min(abs(row["trigger_start"] - start) for start in starts), c.event_key

        return min(same_doc, key=distance)
    own = publication_period(row["published_date"], row.get("published_precision"))
    if own is None:
        return None
    if row["date_precision"] == "year":
        candidates = [c for c in candidates if c.precision != "year"]
    dated = [
        c for c in candidates
        if c.precision in DISTINCTIVE_PRECISIONS
        and c.mode == row["mode"]  # an undated call joins a call, not a "meeting"
        and _within(_event_period(c), own, NEWS_DAYS)
        and (_both_sides(row) or row["trigger_lemma"] in c.lemmas)
        and any(doc != row["document_key"] and _within(period, own, SAME_STORY_DAYS) for doc, period in c.reported)
    ]
    if dated:
        return dated[0] if len(dated) == 1 else None
    # The same words about the same actors in another document of the same days: the same story, when
    # both sides are named. One side alone ("Nadler was arrested") fits many happenings.
    if not _both_sides(row):
        return None
    undated = [
        c for c in candidates
        if c.precision == "unknown" and c.mode == row["mode"]
        and any(m["trigger_lemma"] == row["trigger_lemma"] and m["document_key"] != row["document_key"]
                and _within(publication_period(m["published_date"], m.get("published_precision")) or _NEVER, own,
                            SAME_STORY_DAYS)
                for m in c.members)
    ]
    return undated[0] if len(undated) == 1 else None


def _both_sides(row: dict) -> bool:
    """Whether a report names who acted and on whom (for CONSULT / AGREE / COOPERATE: two participants)."""
    if row["event_code"] in SYMMETRIC_CODES:
        return len(set(row["actor1_entity_keys"]) | set(row["actor2_entity_keys"])) >= 2
    return bool(row["actor1_entity_keys"]) and bool(set(row["actor2_entity_keys"]) - set(row["actor1_entity_keys"]))


def _event_period(cluster: Cluster) -> tuple[dt.date, dt.date]:
    """First and last day the event's date can be, at its precision."""
    if cluster.precision == "week":
        start = cluster.date - dt.timedelta(days=cluster.date.weekday())
        return start, start + dt.timedelta(days=6)
    return publication_period(cluster.date, cluster.precision)


def natural_key(row: dict, signature: str, polarity: str) -> str:
    """The key an event founded by this report takes unless it is taken (then ``key_sequence``'s next)."""
    date, precision = row["event_date"], row["date_precision"]
    if precision == "unknown" or date is None or not signature:
        anchor = f"doc:{row['document_key']}:{row['sentence_index'] if not signature else ''}"
    else:
        anchor = f"{precision}:{date.isoformat()}"
    mode_family = "visit" if row["mode"] == "visit" else "call" if row["mode"] == "call" else ""
    return make_key("event", row["event_code"], polarity, signature, anchor, mode_family)


def key_sequence(base: str, n: int) -> str:
    """The ``n``-th key after a natural key ``base`` (n = 0: ``base`` itself)."""
    return base if n == 0 else make_key(base, n)


def found_cluster(row: dict, signature: str, polarity: str, used_keys: set[str]) -> Cluster:
    date, precision = row["event_date"], row["date_precision"]
    home = row["document_key"] if precision == "unknown" or date is None or not signature else None
    base = natural_key(row, signature, polarity)
    # Two clusters the merge rules keep apart (e.g. modes "meet" and "call" on one day) can share the
    # natural key; the later one in the deterministic order gets the next key of the sequence.
    key, n = base, 0
    while key in used_keys:
        n += 1
        key = key_sequence(base, n)
    used_keys.add(key)
    return Cluster(key, row["event_code"], row["mode"], polarity, signature, date, precision, home,
                    existing=False)
