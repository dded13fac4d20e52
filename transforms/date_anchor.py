"""The date an event's date expression means, for a text published on a known (or unknown) date.

``anchor_date`` is the answer of the first rule of ``ANCHOR_RULES`` that has one: which year a bare
"December 8" is in, which Wednesday "on Wednesday" is, and how precise the answer is depends on the
publication date and the tense of the sentence, which ``dateparser`` does not see.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import dateparser
from dateline.transforms.dates import (
    DECADE,
    FULL_DATE,
    MONTH_DAY,
    MONTH_ONLY,
    MONTH_YEAR,
    PRECISION_RANK,
    PUBLICATION_PRECISIONS,
    WEEKDAY,
    WEEKDAYS,
    YEAR,
    Precision,
    is_duration,
    is_named_event,
    next_weekday,
    parse_date,
    period_bounds,
    previous_weekday,
)

Anchor = tuple[dt.date | None, Precision]
_UNKNOWN: Anchor = (None, Precision.UNKNOWN)
EARLIEST_EVENT = dt.date(1900, 1, 1)
# Planned events are reported ahead of time, but not by more than this (the warehouse accepts the same).
EVENT_HORIZON = dt.timedelta(days=2 * 365)
# A bare month-day read as past that lies more than _LONG_AGO days back while the same day ahead is within
# _SOON days is the one ahead.
_LONG_AGO = 183
_SOON = 150
_WEEKEND = re.compile(r"\b(?:(last|this|next|past|coming|the)\s+)?weekend\b")
_PAST_WEEK = re.compile(r"\b(?:the\s+)?(past|last|previous|coming|next)\s+(week|month|year)\b")
_NEW_YEAR = re.compile(r"\bnew year\b(?!'s|’s)")
_AGO = re.compile(r"\b(\d+|a|an|one|two|three|four|five|six|seven)\s+(day|week|month|year)s?\s+ago\b")


def anchor_date(
    text: str | None,
    published: dt.date | None,
    tense: str = "past",
    published_precision: str | None = Precision.DAY,
    *,
    today: dt.date,
) -> Anchor:
    """(date, precision) that a date expression means, for a text published on ``published``.

    ``tense`` ("past" or "future") decides which way a bare weekday, month or month-day points:
    "on Wednesday" in a report of a done deal is the last Wednesday, in an announcement the next one.
    Precision is day / week / month / year, or unknown with a null date when the expression is a
    duration ("two-day"), a decade, the name of an event ("Super Tuesday", "March for Life"), or
    relative to a publication date nobody knows.

    ``published_precision`` (day / month / year; ``published`` is then the first day of that month or
    year) bounds what an expression relative to the publication day can mean: with a month known,
    "on Thursday", "yesterday" or "last week" mean that month (month precision), never a guessed day;
    with a year known, that year. What fixes the day by itself still gives the day: "December 15"
    (its year from the publication's), or "Wednesday (15)" when the 15th of the publication month
    (else of the month before, or after for the future tense) is a Wednesday. ``today`` is the run's
    date, which bounds how far ahead a planned event can lie (``in_event_range``).
    """
    if not text or not text.strip() or is_named_event(text):
        return _UNKNOWN
    precision_of_published = (
        Precision(published_precision) if published_precision in PUBLICATION_PRECISIONS else Precision.DAY
    )
    date, precision = _anchor(" ".join(text.split()), published, tense, precision_of_published)
    if date is not None and not in_event_range(date, published, today=today):
        # "in 1820", "by 2049": history and forecasts are not the date of a reported event.
        return _UNKNOWN
    return date, precision


def in_event_range(date: dt.date, published: dt.date | None, *, today: dt.date) -> bool:
    """Whether an event date is plausible: not before 1900, not more than two years after publication
    (or after ``today``, the run's date, when that is earlier or the publication date is unknown)."""
    reference = min(published or dt.date.max, today)
    return EARLIEST_EVENT <= date <= reference + EVENT_HORIZON


@dataclass(frozen=True)
class _Expression:
    """A date expression with what anchoring it depends on."""

    text: str  # white space folded
    lower: str  # lower case, without a leading "on " / "the "
    published: dt.date | None
    tense: str
    published_precision: Precision


@lru_cache(maxsize=8192)
def _anchor(text: str, published: dt.date | None, tense: str, published_precision: Precision) -> Anchor:
    lower = text.lower().removeprefix("on ").removeprefix("the ")
    expression = _Expression(text, lower, published, tense, published_precision)
    return next((found for rule in ANCHOR_RULES if (found := rule(expression)) is not None), _UNKNOWN)


def _no_point_in_time(e: _Expression) -> Anchor | None:
    """"the 1990s", "a two-day visit": a decade or a length of time is no date."""
    return _UNKNOWN if DECADE.search(e.lower) or is_duration(e.lower) else None


def _full_date(e: _Expression) -> Anchor | None:
    full = FULL_DATE.search(e.text)
    if not full:
        return None
    parsed = parse_date(full.group(0))
    return (parsed, Precision.DAY) if parsed else _UNKNOWN


def _month_and_year(e: _Expression) -> Anchor | None:
    month_year = MONTH_YEAR.search(e.text)
    if not month_year:
        return None
    parsed = parse_date(month_year.group(0))
    return (parsed.replace(day=1), Precision.MONTH) if parsed else _UNKNOWN


def _month_day(e: _Expression) -> Anchor | None:
    """"December 8": that day of the year the tense points to from the publication."""
    month_day = MONTH_DAY.search(e.text)
    if not month_day or e.published is None:
        return None
    parsed = parse_date(month_day.group(0) + f" {e.published.year}")
    if not parsed:
        return None
    day = _roll_year(parsed, e.published, e.tense, e.published_precision)
    ahead = _roll_year(parsed, e.published, "future", e.published_precision)
    if e.tense != "future" and (e.published - day).days > _LONG_AGO and (ahead - e.published).days <= _SOON:
        # News writes the year of a date long past: a bare "December 15" in August is the coming one
        # (a deadline, a hearing), even when the clause reads as past.
        day = ahead
    return day, Precision.DAY


def _weekday(e: _Expression) -> Anchor | None:
    """"on Wednesday", "last Tuesday", "Wednesday (15)": counted from the publication day."""
    weekday = WEEKDAY.search(e.lower)
    if not weekday:
        return None
    if e.published is None:
        return _UNKNOWN
    target = WEEKDAYS.index(weekday.group(1).lower())
    if weekday.group(2):  # "Wednesday (15)": the Wednesday that is the 15th
        return _weekday_and_day(target, int(weekday.group(2)), e.published, e.tense, e.published_precision)
    if e.published_precision != Precision.DAY:
        return _period(e.published, e.published_precision)
    return _nearest_weekday(e, target), Precision.DAY


def _nearest_weekday(e: _Expression, weekday: int) -> dt.date:
    words = e.lower.split()
    if "last" in words:
        return previous_weekday(e.published, weekday, strict=True)
    if "next" in words or e.tense == "future":
        return next_weekday(e.published, weekday, strict="next" in words)
    return previous_weekday(e.published, weekday, strict=False)


def _bare_year(e: _Expression) -> Anchor | None:
    year = YEAR.search(e.lower)
    if year and not MONTH_ONLY.search(e.text):
        return dt.date(int(year.group(1)), 1, 1), Precision.YEAR
    return None


def _unknown_publication(e: _Expression) -> Anchor | None:
    """What is left is relative to the publication date: without one, nobody knows."""
    return _UNKNOWN if e.published is None else None


def _relative(e: _Expression) -> Anchor | None:
    """An expression relative to the publication day; finer than the publication's precision, its period."""
    return next((found for rule in RELATIVE_RULES if (found := rule(e)) is not None), None)


def _bare_month(e: _Expression) -> Anchor | None:
    month = MONTH_ONLY.search(e.text)
    if not month:
        return None
    parsed = parse_date(f"{month.group(0)} 1 {e.published.year}")
    if not parsed:
        return None
    return _roll_year(parsed, e.published, e.tense, e.published_precision, month_only=True), Precision.MONTH


def _today(e: _Expression) -> Anchor | None:
    words = e.lower.split()
    if "today" in words or "tonight" in words or e.lower.startswith("this morning"):
        return _period(e.published, e.published_precision)
    return None


def _next_to_today(e: _Expression) -> Anchor | None:
    """"yesterday", "tomorrow"."""
    words = e.lower.split()
    for word, days in (("yesterday", -1), ("tomorrow", 1)):
        if word in words:
            return _coarsen(e.published + dt.timedelta(days=days), Precision.DAY, e.published, e.published_precision)
    return None


def _this_last_next(e: _Expression) -> Anchor | None:
    """"last week", "this month", "next year"."""
    words = e.lower.split()
    published, precision = e.published, e.published_precision
    for step, unit in ((-1, "last"), (0, "this"), (1, "next")):
        if unit not in words:
            continue
        if "week" in words:
            monday = published - dt.timedelta(days=published.weekday())
            return _coarsen(monday + dt.timedelta(weeks=step), Precision.WEEK, published, precision)
        if "month" in words:
            month_index = published.year * 12 + published.month - 1 + step
            first = dt.date(month_index // 12, month_index % 12 + 1, 1)
            return _coarsen(first, Precision.MONTH, published, precision)
        if "year" in words:
            return dt.date(published.year + step, 1, 1), Precision.YEAR
    return None


def _weekend(e: _Expression) -> Anchor | None:
    """"over the weekend", "this weekend", "next weekend": its Saturday, week precision."""
    found = _WEEKEND.search(e.lower)
    if not found:
        return None
    word = found.group(1)
    ahead = word in ("next", "coming") or (word not in ("last", "past") and e.tense == "future")
    if ahead:
        saturday = next_weekday(e.published, 5, strict=word == "next")
    else:
        saturday = previous_weekday(e.published - dt.timedelta(days=1), 5, strict=word == "last")
    return _coarsen(saturday, Precision.WEEK, e.published, e.published_precision)


def _past_or_coming(e: _Expression) -> Anchor | None:
    """"the past week", "the coming month", "the new year": the period before or after publication."""
    if _NEW_YEAR.search(e.lower):
        return dt.date(e.published.year + (e.published.month >= 10), 1, 1), Precision.YEAR
    found = _PAST_WEEK.search(e.lower)
    if not found or found.group(1) not in ("past", "coming"):
        return None
    step = -1 if found.group(1) == "past" else 1
    if found.group(2) == "week":
        monday = e.published - dt.timedelta(days=e.published.weekday())
        return _coarsen(monday if step < 0 else monday + dt.timedelta(weeks=1), Precision.WEEK, e.published,
                        e.published_precision)
    if found.group(2) == "month":
        middle = e.published + dt.timedelta(days=15 * step)
        return _coarsen(middle.replace(day=1), Precision.MONTH, e.published, e.published_precision)
    return None  # "the past year": twelve months, no calendar year


def _ago(e: _Expression) -> Anchor | None:
    """"three days ago", "a month ago"."""
    ago = _AGO.search(e.lower)
    if not ago:
        return None
    base = dt.datetime.combine(e.published, dt.time())
    parsed = dateparser.parse(ago.group(0), languages=["en"], settings={"RELATIVE_BASE": base})
    if not parsed:
        return None
    unit = Precision(ago.group(2))
    if unit == Precision.MONTH:
        return _coarsen(parsed.date().replace(day=1), Precision.MONTH, e.published, e.published_precision)
    if unit == Precision.YEAR:
        return parsed.date(), Precision.YEAR
    return _coarsen(parsed.date(), unit, e.published, e.published_precision)


AnchorRule = Callable[[_Expression], Anchor | None]
# In order; the first rule with an answer anchors the expression, none: unknown.
ANCHOR_RULES: tuple[AnchorRule, ...] = (
    _no_point_in_time, _full_date, _month_and_year, _month_day, _weekday, _bare_year, _unknown_publication,
    _relative, _bare_month,
)
RELATIVE_RULES: tuple[AnchorRule, ...] = (_today, _next_to_today, _weekend, _past_or_coming, _this_last_next, _ago)


def _weekday_and_day(
    weekday: int, day: int, published: dt.date, tense: str, precision: str
) -> Anchor:
    """ "Wednesday (15)": a weekday that must fall on that day of the month."""
    if precision == Precision.DAY:
        near = [
            published + dt.timedelta(days=k)
            for k in sorted(range(-35, 36), key=abs)
            if (published + dt.timedelta(days=k)).weekday() == weekday
            and (published + dt.timedelta(days=k)).day == day
        ]
        return (near[0], Precision.DAY) if near else _UNKNOWN
    if precision == Precision.MONTH:
        # The publication month first, then the month the tense points to (a report early in a month
        # of the last days of the one before); a weekday that agrees with neither leaves the month.
        step = 1 if tense == "future" else -1
        for shift in (0, step):
            index = published.year * 12 + published.month - 1 + shift
            try:
                candidate = dt.date(index // 12, index % 12 + 1, day)
            except ValueError:  # the 31st of a 30-day month
                continue
            if candidate.weekday() == weekday:
                return candidate, Precision.DAY
    return _period(published, precision)


def _coarsen(date: dt.date, precision: Precision, published: dt.date, published_precision: str) -> Anchor:
    """A date counted from the publication day, as precise as the publication date allows."""
    if PRECISION_RANK[published_precision] > PRECISION_RANK[precision]:
        return _period(published, published_precision)
    return date, precision


def _roll_year(
    parsed: dt.date, published: dt.date, tense: str, precision: str = Precision.DAY, *, month_only: bool = False
) -> dt.date:
    """The year of a bare month(-day): on or before publication for past tense, on or after for future.

    With a month- or year-precise publication, "on or before" means by its last day and "on or after"
    from its first: "December 15" in a report of December 2021 is 2021-12-15 in either tense.
    """
    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(parsed.replace(year=year))
        except ValueError:  # February 29
            continue
    earliest, latest = period_bounds(published, precision)
    if month_only:
        earliest, latest = earliest.replace(day=1), latest.replace(day=1)
    if tense == "future":
        ahead = [c for c in candidates if c >= earliest]
        return min(ahead) if ahead else max(candidates)
    behind = [c for c in candidates if c <= latest]
    return max(behind) if behind else min(candidates)


def _period(published: dt.date, precision: str) -> Anchor:
    """The publication's own period: the most an expression relative to its day can be pinned to."""
    if precision == Precision.YEAR:
        return published.replace(month=1, day=1), Precision.YEAR
    if precision == Precision.MONTH:
        return published.replace(day=1), Precision.MONTH
    return published, Precision.DAY
