"""Publication-date inference and event-date anchoring (day / week / month / year / unknown)."""

import datetime as dt

import pytest
from dateline.transforms.date_anchor import anchor_date
from dateline.transforms.dates import infer_published_date, parse_given_date, parse_given_period

TUESDAY = dt.date(2021, 12, 14)
TODAY = dt.date(2026, 1, 1)  # the run's date, injected: no test reads the clock


def test_parse_given_date():
    assert parse_given_date("2019-03-01") == dt.date(2019, 3, 1)
    assert parse_given_date("March 1, 2019") == dt.date(2019, 3, 1)
    assert parse_given_date("2019-03-01T10:00:00Z") == dt.date(2019, 3, 1)
    assert parse_given_date("  ") is None
    assert parse_given_date(None) is None


def test_written_on_a_tuesday_before_a_wednesday_call():
    text = (
        "The fall of 2021 has seen provocations. The number can reach 175,000 by early 2022. "
        "In a video conversation on December 8, Biden spoke with Putin. "
        "According to the announcement of the Kremlin made on Tuesday, Putin and Xi are going to have "
        "a video call on Wednesday."
    )
    assert infer_published_date(text, today=dt.date(2026, 1, 1)) == TUESDAY


def test_latest_full_date_when_no_weekday_is_named():
    text = "The pact was announced on September 15, 2021. Talks began on 2 October 2021."
    assert infer_published_date(text, today=dt.date(2026, 1, 1)) == dt.date(2021, 10, 2)


def test_background_full_dates_do_not_date_a_text_that_speaks_of_weekdays():
    text = "On Friday Putin visited Beijing. The pact was announced on September 15, 2021."
    assert infer_published_date(text, today=dt.date(2026, 1, 1)) is None


def test_future_dates_are_never_the_publication_date():
    assert infer_published_date("The summit is set for March 3, 2099.", today=dt.date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("Wednesday", "future", (dt.date(2021, 12, 15), "day")),  # the call announced on Tuesday
        ("on Wednesday", "past", (dt.date(2021, 12, 8), "day")),  # said on Wednesday: the last one
        ("Tuesday", "past", (TUESDAY, "day")),  # same day
        ("Wednesday (15)", "past", (dt.date(2021, 12, 15), "day")),  # the Wednesday that is the 15th
        ("last Tuesday", "past", (dt.date(2021, 12, 7), "day")),
        ("next Tuesday", "future", (dt.date(2021, 12, 21), "day")),
        ("December 8", "past", (dt.date(2021, 12, 8), "day")),
        ("September 15, 2021", "past", (dt.date(2021, 9, 15), "day")),
        ("yesterday", "past", (dt.date(2021, 12, 13), "day")),
        ("three days ago", "past", (dt.date(2021, 12, 11), "day")),
        ("last week", "past", (dt.date(2021, 12, 6), "week")),
        ("this month", "past", (dt.date(2021, 12, 1), "month")),
        ("last month", "past", (dt.date(2021, 11, 1), "month")),
        ("February 2022", "past", (dt.date(2022, 2, 1), "month")),
        ("early December", "past", (dt.date(2021, 12, 1), "month")),
        ("this year", "past", (dt.date(2021, 1, 1), "year")),
        ("2014", "past", (dt.date(2014, 1, 1), "year")),
        ("two-day", "past", (None, "unknown")),
        ("a few weeks", "past", (None, "unknown")),
        ("the 1960s", "past", (None, "unknown")),
    ],
)
def test_anchor_against_a_tuesday(text, tense, expected):
    assert anchor_date(text, TUESDAY, tense, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "published", "tense", "expected"),
    [
        ("December 28", dt.date(2022, 1, 3), "past", dt.date(2021, 12, 28)),  # last year's December
        ("January 5", dt.date(2021, 12, 30), "future", dt.date(2022, 1, 5)),  # next year's January
        ("Wednesday", dt.date(2021, 12, 30), "future", dt.date(2022, 1, 5)),  # over New Year
        ("Friday", dt.date(2022, 1, 2), "past", dt.date(2021, 12, 31)),
        ("last month", dt.date(2022, 1, 10), "past", dt.date(2021, 12, 1)),
        ("next month", dt.date(2021, 12, 10), "future", dt.date(2022, 1, 1)),
    ],
)
def test_year_boundaries(text, published, tense, expected):
    assert anchor_date(text, published, tense, today=TODAY)[0] == expected


def test_relative_dates_without_a_publication_date_are_unknown():
    assert anchor_date("on Wednesday", None, today=TODAY) == (None, "unknown")
    assert anchor_date("last month", None, today=TODAY) == (None, "unknown")
    assert anchor_date("December 8", None, today=TODAY) == (None, "unknown")
    # an explicit date needs no anchor
    assert anchor_date("February 4, 2022", None, today=TODAY) == (dt.date(2022, 2, 4), "day")
    assert anchor_date(None, TUESDAY, today=TODAY) == (None, "unknown")


def test_history_and_forecasts_are_not_event_dates():
    published = dt.date(2019, 3, 1)
    assert anchor_date("in 1820", published, today=TODAY) == (None, "unknown")
    assert anchor_date("by 2049", published, today=TODAY) == (None, "unknown")
    assert anchor_date("January 1, 2030", published, today=TODAY) == (None, "unknown")
    assert anchor_date("in 2020", published, today=TODAY) == (dt.date(2020, 1, 1), "year")


def test_the_run_s_date_is_given_not_read_from_the_clock():
    # without a publication date, the run's date bounds how far ahead a planned event can lie
    assert anchor_date("March 3, 2027", None, today=dt.date(2026, 1, 1)) == (dt.date(2027, 3, 3), "day")
    assert anchor_date("March 3, 2027", None, today=dt.date(2024, 1, 1)) == (None, "unknown")
    # and no publication day after it is inferred
    text = "On December 8, 2021, the leaders spoke."
    assert infer_published_date(text, today=dt.date(2022, 1, 1)) == dt.date(2021, 12, 8)
    assert infer_published_date(text, today=dt.date(2021, 12, 1)) is None


# ---------------------------------------------------------------- partial publication dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05", (dt.date(2024, 5, 1), "month")),
        ("May 2024", (dt.date(2024, 5, 1), "month")),
        ("Dec 2021", (dt.date(2021, 12, 1), "month")),
        ("2024", (dt.date(2024, 1, 1), "year")),
        ("2021-12-14", (dt.date(2021, 12, 14), "day")),
        ("March 1, 2019", (dt.date(2019, 3, 1), "day")),
        ("2019-03-01T10:00:00Z", (dt.date(2019, 3, 1), "day")),
        ("May", (None, None)),  # no year: this year's May would be a guess
        ("Thursday", (None, None)),
        ("3 days ago", (None, None)),  # relative to the day the file is read, not a date
        ("not a date 12", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_given_period(value, expected):
    assert parse_given_period(value) == expected
    assert parse_given_date(value) == expected[0]


DECEMBER = dt.date(2021, 12, 1)  # published "2021-12": month precision
MAY = dt.date(2024, 5, 1)


@pytest.mark.parametrize(
    ("text", "published", "tense", "expected"),
    [
        # relative to the publication day: the publication month, never a guessed day
        ("on Thursday", MAY, "past", (MAY, "month")),
        ("on Wednesday", DECEMBER, "future", (DECEMBER, "month")),
        ("last Tuesday", DECEMBER, "past", (DECEMBER, "month")),
        ("yesterday", MAY, "past", (MAY, "month")),
        ("today", MAY, "past", (MAY, "month")),
        ("last week", MAY, "past", (MAY, "month")),
        ("three days ago", MAY, "past", (MAY, "month")),
        # what counts in months or years still moves
        ("last month", MAY, "past", (dt.date(2024, 4, 1), "month")),
        ("this month", MAY, "past", (MAY, "month")),
        ("next month", DECEMBER, "future", (dt.date(2022, 1, 1), "month")),
        ("two months ago", MAY, "past", (dt.date(2024, 3, 1), "month")),
        ("last year", MAY, "past", (dt.date(2023, 1, 1), "year")),
        ("in February", MAY, "past", (dt.date(2024, 2, 1), "month")),
        # what fixes the day within the known month gives the day
        ("on Wednesday (15)", DECEMBER, "past", (dt.date(2021, 12, 15), "day")),
        ("on December 15", DECEMBER, "past", (dt.date(2021, 12, 15), "day")),
        ("December 15", DECEMBER, "future", (dt.date(2021, 12, 15), "day")),
        ("November 30", DECEMBER, "past", (dt.date(2021, 11, 30), "day")),
        ("January 5", DECEMBER, "future", (dt.date(2022, 1, 5), "day")),
        # the 15th of December 2021 is a Wednesday, not a Thursday: only the month is known
        ("on Thursday (15)", DECEMBER, "past", (DECEMBER, "month")),
        ("Wednesday (31)", dt.date(2021, 11, 1), "past", (dt.date(2021, 11, 1), "month")),
        # early in a month, a past weekday-and-day may be the month before (2021-12-29 was a Wednesday)
        ("Wednesday (29)", dt.date(2022, 1, 1), "past", (dt.date(2021, 12, 29), "day")),
        # absolute dates as before
        ("February 2022", MAY, "past", (dt.date(2022, 2, 1), "month")),
        ("September 15, 2021", DECEMBER, "past", (dt.date(2021, 9, 15), "day")),
        ("2014", MAY, "past", (dt.date(2014, 1, 1), "year")),
        ("two-day", MAY, "past", (None, "unknown")),
    ],
)
def test_anchor_against_a_month(text, published, tense, expected):
    assert anchor_date(text, published, tense, published_precision="month", today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("on Thursday", "past", (dt.date(2021, 1, 1), "year")),
        ("Wednesday (15)", "past", (dt.date(2021, 1, 1), "year")),  # a Wednesday 15th comes more than once a year
        ("last month", "past", (dt.date(2021, 1, 1), "year")),
        ("last week", "past", (dt.date(2021, 1, 1), "year")),
        ("December 15", "past", (dt.date(2021, 12, 15), "day")),
        ("in March", "past", (dt.date(2021, 3, 1), "month")),
        ("last year", "past", (dt.date(2020, 1, 1), "year")),
    ],
)
def test_anchor_against_a_year(text, tense, expected):
    assert anchor_date(text, dt.date(2021, 1, 1), tense, published_precision="year", today=TODAY) == expected


def test_day_precision_is_the_default_and_an_unknown_precision_reads_as_day():
    assert anchor_date("on Wednesday", TUESDAY, today=TODAY) == (dt.date(2021, 12, 8), "day")
    assert anchor_date("on Wednesday", TUESDAY, published_precision=None, today=TODAY) == (dt.date(2021, 12, 8), "day")


def test_publication_date_prefers_a_given_day_and_refines_a_given_month_from_the_text():
    from dateline.transforms.dates import publication_date

    text = "On December 8, Biden spoke with Putin. The fall of 2021 was tense."  # implies 2021-12-08
    assert publication_date(dt.date(2021, 12, 20), "day", text, today=TODAY) == (dt.date(2021, 12, 20), "day", "given")
    assert publication_date(DECEMBER, "month", text, today=TODAY) == (dt.date(2021, 12, 8), "day", "inferred")
    assert publication_date(dt.date(2021, 1, 1), "year", text, today=TODAY) == (dt.date(2021, 12, 8), "day", "inferred")
    # a day outside the given month is not the publication day: the month stands
    assert publication_date(dt.date(2022, 2, 1), "month", text, today=TODAY) == (dt.date(2022, 2, 1), "month", "given")
    assert publication_date(None, None, text, today=TODAY) == (dt.date(2021, 12, 8), "day", "inferred")
    assert publication_date(None, None, "No date here.", today=TODAY) == (None, None, "unknown")


@pytest.mark.parametrize(
    ("text", "published", "tense", "expected"),
    [
        # a bare month takes the year the tense implies: done in February → last November
        ("in November", dt.date(2019, 2, 10), "past", (dt.date(2018, 11, 1), "month")),
        ("in November", dt.date(2019, 2, 10), "future", (dt.date(2019, 11, 1), "month")),
        ("in November", dt.date(2019, 11, 20), "past", (dt.date(2019, 11, 1), "month")),
        ("in November", dt.date(2019, 11, 20), "future", (dt.date(2019, 11, 1), "month")),
        ("in January", dt.date(2019, 12, 5), "future", (dt.date(2020, 1, 1), "month")),
        ("in January", dt.date(2019, 12, 5), "past", (dt.date(2019, 1, 1), "month")),
    ],
)
def test_a_bare_month_points_the_way_the_tense_does(text, published, tense, expected):
    assert anchor_date(text, published, tense, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["Super Tuesday", "on Super Tuesday", "March for Life", "the March for Our Lives", "March on Washington",
     "Black Friday", "Cyber Monday", "Women's March", "March Madness"],
)
def test_named_events_are_not_dates(text):
    from dateline.transforms.dates import is_named_event

    assert is_named_event(text)
    assert anchor_date(text, dt.date(2020, 3, 5), "past", today=TODAY) == (None, "unknown")


@pytest.mark.parametrize(
    "text",
    ["Tuesday", "last Tuesday", "Last Tuesday", "early November", "Monday, March 11, 2013", "March 2019",
     "in March of 2019", "Friday night", "Wednesday (15)", "mid-March", "March 3"],
)
def test_ordinary_dates_are_not_named_events(text):
    from dateline.transforms.dates import is_named_event

    assert not is_named_event(text)


@pytest.mark.parametrize(
    ("text", "published", "tense", "expected"),
    [
        # a weekend is its Saturday, at week precision: the one before a Monday report, the next one ahead
        ("over the weekend", dt.date(2021, 3, 8), "past", (dt.date(2021, 3, 6), "week")),
        ("the weekend", dt.date(2021, 3, 7), "past", (dt.date(2021, 3, 6), "week")),
        ("this weekend", dt.date(2021, 3, 10), "future", (dt.date(2021, 3, 13), "week")),
        ("next weekend", dt.date(2021, 3, 13), "future", (dt.date(2021, 3, 20), "week")),
        # "the past week" is the week of the report; "the new year" late in a year is the next one
        ("the past week", dt.date(2021, 3, 11), "past", (dt.date(2021, 3, 8), "week")),
        ("the new year", dt.date(2021, 12, 2), "future", (dt.date(2022, 1, 1), "year")),
        ("the past month", dt.date(2021, 3, 3), "past", (dt.date(2021, 2, 1), "month")),
    ],
)
def test_weekends_and_periods_around_the_publication(text, published, tense, expected):
    assert anchor_date(text, published, tense, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "published", "tense", "expected"),
    [
        # a bare month-day long past while the same day is close ahead: the one ahead (a deadline, a hearing)
        ("December 15", dt.date(2021, 8, 13), "past", dt.date(2021, 12, 15)),
        ("May 23", dt.date(2021, 5, 13), "past", dt.date(2021, 5, 23)),
        # a recent one stays in the past
        ("December 8", dt.date(2021, 2, 1), "past", dt.date(2020, 12, 8)),
        ("March 1", dt.date(2021, 4, 20), "past", dt.date(2021, 3, 1)),
        # the future tense is never turned back
        ("November 3", dt.date(2021, 2, 1), "future", dt.date(2021, 11, 3)),
    ],
)
def test_a_bare_month_day_long_past_is_the_coming_one(text, published, tense, expected):
    assert anchor_date(text, published, tense, today=TODAY) == (expected, "day")
