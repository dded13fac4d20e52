"""Dates found in text: the publication date a document implies, and the date an event expression means.

``dateparser`` parses the calendar expressions; the anchoring (which year a bare "December 8" is in,
which Wednesday "on Wednesday" is, how precise the answer is) is ours, because it depends on the
document's publication date and the tense of the sentence, which dateparser does not see.
"""

import datetime as dt
import re
from functools import lru_cache

import dateparser
from dateparser.date import DateDataParser

PRECISIONS = ("day", "week", "month", "year", "unknown")
PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "December 8, 2021", "8 December 2021", "2021-12-08"
FULL_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{1,2}} (?:{_MONTHS})\.? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b"
)
# "December 8" / "8 December" with no year after it
MONTH_DAY = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS}))\b"
    rf"(?!,? \d{{4}})(?!\d)"
)
MONTH_YEAR = re.compile(rf"\b(?:{_MONTHS})\.?,? (?:of )?\d{{4}}\b")
MONTH_ONLY = re.compile(rf"\b(?:{_MONTHS})\b")
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?:\s*\((\d{1,2})\))?", re.I)
_FORWARD = re.compile(
    r"\b(by|until|till|through|before|forecast\w*|expect\w*|will|would|could|can|plan\w*|projected|target\w*)\b"
    r"[^.]{0,20}$",
    re.I,
)
_FUTURE_BEFORE = re.compile(r"\b(will|shall|going to|scheduled|plans? to|to be held|are to|is to|next)\b", re.I)
_DURATION = re.compile(r"\b(\d+|a few|several|two|three|four|five|many)[- ](day|week|month|year)s?\b(?! ago)", re.I)
_DECADE = re.compile(r"\b\d{4}s\b")
_PARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
# A given date is a calendar date, never one relative to today ("yesterday", "3 days ago").
_GIVEN_PARSERS = ["timestamp", "custom-formats", "absolute-time", "no-spaces-time"]
# Precisions a publication date can have (week is an event-date precision only).
PUBLICATION_PRECISIONS = ("day", "month", "year")


_MONTH_WORDS = frozenset(m.lower() for m in _MONTHS.split("|"))
# Words that make a month or weekday more precise ("Last Tuesday", "Early November"), never a name.
_DATE_MODIFIERS = frozenset({
    "last", "next", "this", "that", "early", "late", "mid", "on", "in", "by", "since", "until", "till", "before",
    "after", "every", "each", "the", "a", "of", "from", "through", "past", "coming", "previous", "following", "and",
    "or", "to", "around", "during", "between", "at",
})
# "March for Life", "March on Washington", "March of Dimes", "March Against Monsanto"
_NAMED_AFTER_MONTH = re.compile(rf"\b(?:{_MONTHS})\s+(?:for|on|of|against)\s+(?:the\s+|our\s+)?[A-Z]")


def is_named_event(text: str) -> bool:
    """Whether a date-looking expression is the name of an event ("Super Tuesday", "March for Life").

    A month or weekday with a capitalized word before it that is no date word ("Super Tuesday",
    "Black Friday", "Women's March"), or a month followed by a capitalized name ("March Madness") or by
    "for / on / of / against" and a name ("March for Life", "March on Washington"). Give the expression
    with the words around it that belong to it: the name's own words, not the sentence's.
    """
    if _NAMED_AFTER_MONTH.search(text):
        return True
    words = [w.strip(".,;:!?\"'()“”‘’") for w in text.split()]
    for i, word in enumerate(words):
        lower = word.lower()
        if lower not in _MONTH_WORDS and lower not in _WEEKDAYS:
            continue
        before = words[i - 1] if i else ""
        if before[:1].isupper() and before.lower() not in _DATE_MODIFIERS and before.lower() not in _MONTH_WORDS \
                and before.lower().rstrip("s") not in _WEEKDAYS:
            return True
        after = words[i + 1] if i + 1 < len(words) else ""
        if lower in _MONTH_WORDS and after[:1].isupper() and after.lower() not in _MONTH_WORDS \
                and after.lower() not in _WEEKDAYS and after.lower() not in _DATE_MODIFIERS:
            return True
    return False


def is_duration(text: str) -> bool:
    """Whether a date expression is a length of time ("two-day", "three years"), not a point in time."""
    return bool(_DURATION.search(text)) and "ago" not in text.lower()


def parse_given_date(value: str | None) -> dt.date | None:
    """A date given by a record or manifest ("2019-03-01", "March 1, 2019", ISO timestamps) or None.

    A partial date ("2024-05", "May 2024", "2024") gives the first day of its month or year; use
    ``parse_given_period`` to know which.
    """
    return parse_given_period(value)[0]


def parse_given_period(value: str | None) -> tuple[dt.date | None, str | None]:
    """(first day, precision) of a given publication date: day, month ("2024-05", "May 2024") or year ("2024").

    (None, None) when the value is empty, unreadable, or names no calendar date (a bare "May" or
    "Thursday" would silently mean this year's or this week's).
    """
    if not value or not value.strip() or not any(c.isdigit() for c in value):
        return None, None
    data = _given_parser().get_date_data(value.strip())
    if data.date_obj is None:
        return None, None
    day = data.date_obj.date()
    if data.period == "year":
        return day.replace(month=1, day=1), "year"
    if data.period == "month":
        return day.replace(day=1), "month"
    return day, "day"


def publication_date(
    given: dt.date | None, given_precision: str | None, text: str, today: dt.date | None = None
) -> tuple[dt.date | None, str | None, str]:
    """(published_date, published_precision, date_source) of a text with an optional given date.

    The given date wins (``given``) unless it is only a month or year and the text pins a day inside
    it (``inferred``, day precision: the day the text implies); without a given date, the inferred day
    or nothing (``unknown``, null precision).
    """
    if given is not None and given_precision == "day":
        return given, "day", "given"
    inferred = infer_published_date(text, today=today)
    if given is not None:
        if inferred is not None and within_period(inferred, given, given_precision or "day"):
            return inferred, "day", "inferred"
        return given, given_precision, "given"
    return (inferred, "day", "inferred") if inferred is not None else (None, None, "unknown")


def within_period(day: dt.date, start: dt.date, precision: str) -> bool:
    """Whether ``day`` lies in the day, month or year that starts at ``start``."""
    first, last = period_bounds(start, precision)
    return first <= day <= last


@lru_cache(maxsize=1)
def _given_parser() -> DateDataParser:
    return DateDataParser(languages=["en"], settings={**_PARSER_SETTINGS, "PARSERS": _GIVEN_PARSERS})


def explicit_full_dates(text: str) -> list[dt.date]:
    """Every explicit full calendar date (day, month and year) written in the text, in order."""
    found = []
    for match in FULL_DATE.finditer(text):
        parsed = _parse(match.group(0))
        if parsed:
            found.append(parsed)
    return found


def infer_published_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """The day a text was most likely written, from what it says about its own time; None if it cannot tell.

    News style writes the year only for dates outside the current year, so a bare "December 8" is
    recent and sets the anchor (its year is the latest year the text mentions in a non-forward-looking
    way: "the fall of 2021", not "by early 2022"). Weekday names then refer to the days after that
    anchor: "the announcement made on Tuesday" moves the date to the first Tuesday after December 8.
    Without a recent anchor, the latest explicit full date is used unless the text also speaks of
    weekdays (then those dates are background and the day cannot be told).
    """
    limit = today or dt.date.today()
    anchor = _recent_anchor(text, limit)
    weekdays = _weekday_cues(text)
    if anchor is None:
        if weekdays:
            return None
        dates = [d for d in explicit_full_dates(text) if dt.date(1900, 1, 1) <= d <= limit]
        return max(dates) if dates else None
    published = anchor
    for weekday, future in weekdays:
        if not future:
            published = max(published, _next_weekday(anchor, weekday, strict=True))
    return published if published <= limit else anchor


def anchor_date(
    text: str | None, published: dt.date | None, tense: str = "past", published_precision: str | None = "day"
) -> tuple[dt.date | None, str]:
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
    (else of the month before, or after for the future tense) is a Wednesday.
    """
    if not text or not text.strip() or is_named_event(text):
        return None, "unknown"
    precision_of_published = published_precision if published_precision in PUBLICATION_PRECISIONS else "day"
    date, precision = _anchor(" ".join(text.split()), published, tense, precision_of_published)
    if date is not None and not in_event_range(date, published):
        # "in 1820", "by 2049": history and forecasts are not the date of a reported event.
        return None, "unknown"
    return date, precision


EARLIEST_EVENT = dt.date(1900, 1, 1)
# Planned events are reported ahead of time, but not by more than this (the warehouse accepts the same).
EVENT_HORIZON = dt.timedelta(days=2 * 365)


def in_event_range(date: dt.date, published: dt.date | None, today: dt.date | None = None) -> bool:
    """Whether an event date is plausible: not before 1900, not more than two years after publication."""
    reference = min(published or dt.date.max, today or dt.date.today())
    return EARLIEST_EVENT <= date <= reference + EVENT_HORIZON


@lru_cache(maxsize=8192)
def _anchor(text: str, published: dt.date | None, tense: str, published_precision: str) -> tuple[dt.date | None, str]:
    lower = text.lower().removeprefix("on ").removeprefix("the ")
    if _DECADE.search(lower) or is_duration(lower):
        return None, "unknown"
    full = FULL_DATE.search(text)
    if full:
        parsed = _parse(full.group(0))
        return (parsed, "day") if parsed else (None, "unknown")
    month_year = MONTH_YEAR.search(text)
    if month_year:
        parsed = _parse(month_year.group(0))
        return (parsed.replace(day=1), "month") if parsed else (None, "unknown")
    weekday = WEEKDAY.search(lower)
    month_day = MONTH_DAY.search(text)
    if month_day and published is not None:
        parsed = _parse(month_day.group(0) + f" {published.year}")
        if parsed:
            return _roll_year(parsed, published, tense, published_precision), "day"
    if weekday:
        if published is None:
            return None, "unknown"
        target = _WEEKDAYS.index(weekday.group(1).lower())
        if weekday.group(2):  # "Wednesday (15)": the Wednesday that is the 15th
            return _weekday_and_day(target, int(weekday.group(2)), published, tense, published_precision)
        if published_precision != "day":
            return _period(published, published_precision)
        if "last" in lower.split():
            return _previous_weekday(published, target, strict=True), "day"
        if "next" in lower.split() or tense == "future":
            return _next_weekday(published, target, strict="next" in lower.split()), "day"
        return _previous_weekday(published, target, strict=False), "day"
    year = YEAR.search(lower)
    if year and not MONTH_ONLY.search(text):
        return dt.date(int(year.group(1)), 1, 1), "year"
    if published is None:
        return None, "unknown"
    relative = _relative(lower, published, published_precision)
    if relative is not None:
        return relative
    month = MONTH_ONLY.search(text)
    if month:
        parsed = _parse(f"{month.group(0)} 1 {published.year}")
        if parsed:
            return _roll_year(parsed, published, tense, published_precision, month_only=True), "month"
    return None, "unknown"


def _period(published: dt.date, precision: str) -> tuple[dt.date, str]:
    """The publication's own period: the most an expression relative to its day can be pinned to."""
    if precision == "year":
        return published.replace(month=1, day=1), "year"
    if precision == "month":
        return published.replace(day=1), "month"
    return published, "day"


def _weekday_and_day(
    weekday: int, day: int, published: dt.date, tense: str, precision: str
) -> tuple[dt.date | None, str]:
    """ "Wednesday (15)": a weekday that must fall on that day of the month."""
    if precision == "day":
        near = [
            published + dt.timedelta(days=k)
            for k in sorted(range(-35, 36), key=abs)
            if (published + dt.timedelta(days=k)).weekday() == weekday
            and (published + dt.timedelta(days=k)).day == day
        ]
        return (near[0], "day") if near else (None, "unknown")
    if precision == "month":
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
                return candidate, "day"
    return _period(published, precision)


def _relative(lower: str, published: dt.date, precision: str = "day") -> tuple[dt.date, str] | None:
    """An expression relative to the publication day; finer than the publication's precision, its period."""
    words = lower.split()
    if "today" in words or "tonight" in words or lower.startswith("this morning"):
        return _period(published, precision)
    if "yesterday" in words:
        return _coarsen(published - dt.timedelta(days=1), "day", published, precision)
    if "tomorrow" in words:
        return _coarsen(published + dt.timedelta(days=1), "day", published, precision)
    for step, unit in ((-1, "last"), (0, "this"), (1, "next")):
        if unit not in words:
            continue
        if "week" in words:
            monday = published - dt.timedelta(days=published.weekday())
            return _coarsen(monday + dt.timedelta(weeks=step), "week", published, precision)
        if "month" in words:
            month_index = published.year * 12 + published.month - 1 + step
            return _coarsen(dt.date(month_index // 12, month_index % 12 + 1, 1), "month", published, precision)
        if "year" in words:
            return dt.date(published.year + step, 1, 1), "year"
    ago = re.search(r"\b(\d+|a|an|one|two|three|four|five|six|seven)\s+(day|week|month|year)s?\s+ago\b", lower)
    if ago:
        base = dt.datetime.combine(published, dt.time())
        parsed = dateparser.parse(ago.group(0), languages=["en"], settings={"RELATIVE_BASE": base})
        if parsed:
            unit = ago.group(2)
            if unit == "month":
                return _coarsen(parsed.date().replace(day=1), "month", published, precision)
            if unit == "year":
                return parsed.date(), "year"
            return _coarsen(parsed.date(), unit, published, precision)
    return None


def _coarsen(date: dt.date, precision: str, published: dt.date, published_precision: str) -> tuple[dt.date, str]:
    """A date counted from the publication day, as precise as the publication date allows."""
    if PRECISION_RANK[published_precision] > PRECISION_RANK[precision]:
        return _period(published, published_precision)
    return date, precision


def _roll_year(
    parsed: dt.date, published: dt.date, tense: str, precision: str = "day", *, month_only: bool = False
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


def period_bounds(published: dt.date, precision: str | None) -> tuple[dt.date, dt.date]:
    """First and last day a date of that precision (day / month / year) can be."""
    if precision == "year":
        return published.replace(month=1, day=1), published.replace(month=12, day=31)
    if precision == "month":
        following = (published.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return published.replace(day=1), following - dt.timedelta(days=1)
    return published, published


def _previous_weekday(day: dt.date, weekday: int, *, strict: bool) -> dt.date:
    back = (day.weekday() - weekday) % 7
    if back == 0 and strict:
        back = 7
    return day - dt.timedelta(days=back)


def _next_weekday(day: dt.date, weekday: int, *, strict: bool) -> dt.date:
    ahead = (weekday - day.weekday()) % 7
    if ahead == 0 and strict:
        ahead = 7
    return day + dt.timedelta(days=ahead)


def _recent_anchor(text: str, limit: dt.date) -> dt.date | None:
    """The latest bare month-day date, in the latest year the text mentions without looking ahead."""
    bare = [m for m in MONTH_DAY.finditer(text) if not FULL_DATE.match(text, m.start())]
    if not bare:
        return None
    years = [
        int(m.group(1))
        for m in YEAR.finditer(text)
        if not _FORWARD.search(text[max(0, m.start() - 30) : m.start()]) and int(m.group(1)) <= limit.year
    ]
    if not years:
        return None
    year = max(years)
    dates = [d for d in (_parse(f"{m.group(0)} {year}") for m in bare) if d is not None and d <= limit]
    return max(dates) if dates else None


def _weekday_cues(text: str) -> list[tuple[int, bool]]:
    """(weekday, points to the future) for each weekday the text names."""
    cues = []
    for match in WEEKDAY.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        before = before.rsplit(".", 1)[-1]
        cues.append((_WEEKDAYS.index(match.group(1).lower()), bool(_FUTURE_BEFORE.search(before))))
    return cues


@lru_cache(maxsize=4096)
def _parse(text: str) -> dt.date | None:
    parsed = dateparser.parse(text, languages=["en"], settings=_PARSER_SETTINGS)
    return parsed.date() if parsed else None
