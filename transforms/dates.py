"""Dates found in text: the publication date a document implies, and the date an event expression means.

``dateparser`` parses the calendar expressions; the anchoring (which year a bare "December 8" is in,
which Wednesday "on Wednesday" is, how precise the answer is) is ours, because it depends on the
document's publication date and the tense of the sentence, which dateparser does not see.
"""

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache

import dateparser
from dateparser.date import DateDataParser


class Precision(StrEnum):
    """How precisely a date is known, finest first: a date of one precision is a day, a week, ... of it."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


PRECISIONS = tuple(p.value for p in Precision)
PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
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
DECADE = re.compile(r"\b\d{4}s\b")
_PARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
# A given date is a calendar date, never one relative to today ("yesterday", "3 days ago").
_GIVEN_PARSERS = ["timestamp", "custom-formats", "absolute-time", "no-spaces-time"]
# Precisions a publication date can have (week is an event-date precision only).
PUBLICATION_PRECISIONS = (Precision.DAY.value, Precision.MONTH.value, Precision.YEAR.value)


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
        if lower not in _MONTH_WORDS and lower not in WEEKDAYS:
            continue
        before = words[i - 1] if i else ""
        if before[:1].isupper() and before.lower() not in _DATE_MODIFIERS and before.lower() not in _MONTH_WORDS \
                and before.lower().rstrip("s") not in WEEKDAYS:
            return True
        after = words[i + 1] if i + 1 < len(words) else ""
        if lower in _MONTH_WORDS and after[:1].isupper() and after.lower() not in _MONTH_WORDS \
                and after.lower() not in WEEKDAYS and after.lower() not in _DATE_MODIFIERS:
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
        return day.replace(month=1, day=1), Precision.YEAR
    if data.period == "month":
        return day.replace(day=1), Precision.MONTH
    return day, Precision.DAY


def publication_date(
    given: dt.date | None, given_precision: str | None, text: str, *, today: dt.date
) -> tuple[dt.date | None, str | None, str]:
    """(published_date, published_precision, date_source) of a text with an optional given date.

    The given date wins (``given``) unless it is only a month or year and the text pins a day inside
    it (``inferred``, day precision: the day the text implies); without a given date, the inferred day
    or nothing (``unknown``, null precision). ``today`` is the run's date: no later day is inferred.
    """
    if given is not None and given_precision == Precision.DAY:
        return given, Precision.DAY, "given"
    inferred = infer_published_date(text, today=today)
    if given is not None:
        if inferred is not None and within_period(inferred, given, given_precision or Precision.DAY):
            return inferred, Precision.DAY, "inferred"
        return given, given_precision, "given"
    return (inferred, Precision.DAY, "inferred") if inferred is not None else (None, None, "unknown")


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
        parsed = parse_date(match.group(0))
        if parsed:
            found.append(parsed)
    return found


def infer_published_date(text: str, *, today: dt.date) -> dt.date | None:
    """The day a text was most likely written, from what it says about its own time; None if it cannot tell.

    News style writes the year only for dates outside the current year, so a bare "December 8" is
    recent and sets the anchor (its year is the latest year the text mentions in a non-forward-looking
    way: "the fall of 2021", not "by early 2022"). Weekday names then refer to the days after that
    anchor: "the announcement made on Tuesday" moves the date to the first Tuesday after December 8.
    Without a recent anchor, the latest explicit full date is used unless the text also speaks of
    weekdays (then those dates are background and the day cannot be told).
    """
    limit = today
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
            published = max(published, next_weekday(anchor, weekday, strict=True))
    return published if published <= limit else anchor


def period_bounds(published: dt.date, precision: str | None) -> tuple[dt.date, dt.date]:
    """First and last day a date of that precision (day / month / year) can be."""
    if precision == "year":
        return published.replace(month=1, day=1), published.replace(month=12, day=31)
    if precision == "month":
        following = (published.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return published.replace(day=1), following - dt.timedelta(days=1)
    return published, published


def previous_weekday(day: dt.date, weekday: int, *, strict: bool) -> dt.date:
    back = (day.weekday() - weekday) % 7
    if back == 0 and strict:
        back = 7
    return day - dt.timedelta(days=back)


def next_weekday(day: dt.date, weekday: int, *, strict: bool) -> dt.date:
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
    dates = [d for d in (parse_date(f"{m.group(0)} {year}") for m in bare) if d is not None and d <= limit]
    return max(dates) if dates else None


def _weekday_cues(text: str) -> list[tuple[int, bool]]:
    """(weekday, points to the future) for each weekday the text names."""
    cues = []
    for match in WEEKDAY.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        before = before.rsplit(".", 1)[-1]
        cues.append((WEEKDAYS.index(match.group(1).lower()), bool(_FUTURE_BEFORE.search(before))))
    return cues


@lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date | None:
    parsed = dateparser.parse(text, languages=["en"], settings=_PARSER_SETTINGS)
    return parsed.date() if parsed else None
