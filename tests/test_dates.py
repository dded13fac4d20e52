"""Publication-date inference and event-date anchoring (day / week / month / year / unknown)."""

import datetime as dt

import pytest

from transforms.dates import anchor_date, infer_published_date, parse_given_date

TUESDAY = dt.date(2021, 12, 14)


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
    assert anchor_date(text, TUESDAY, tense) == expected


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
    assert anchor_date(text, published, tense)[0] == expected


def test_relative_dates_without_a_publication_date_are_unknown():
    assert anchor_date("on Wednesday", None) == (None, "unknown")
    assert anchor_date("last month", None) == (None, "unknown")
    assert anchor_date("December 8", None) == (None, "unknown")
    # an explicit date needs no anchor
    assert anchor_date("February 4, 2022", None) == (dt.date(2022, 2, 4), "day")
    assert anchor_date(None, TUESDAY) == (None, "unknown")


def test_history_and_forecasts_are_not_event_dates():
    import datetime as dt

    from transforms.dates import anchor_date

    published = dt.date(2019, 3, 1)
    assert anchor_date("in 1820", published) == (None, "unknown")
    assert anchor_date("by 2049", published) == (None, "unknown")
    assert anchor_date("January 1, 2030", published) == (None, "unknown")
    assert anchor_date("in 2020", published) == (dt.date(2020, 1, 1), "year")
