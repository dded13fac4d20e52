"""Normalize: every boilerplate rule (removes its lines, keeps look-alike article lines), title/body, dates."""

import datetime as dt

import polars as pl
import pytest
from dateline.transforms.ingest import parse_inputs
from dateline.transforms.normalize import (
    NORMALIZED_SCHEMA,
    RULE_COUNT_SCHEMA,
    clean_lines,
    compile_rules,
    count_removed_lines,
    normalize_documents,
    split_title_body,
)
from dateline.transforms.reference import load_reference

from tests.inputs import parse_files

SHIPPED_RULES = load_reference().boilerplate_rules
RULES = compile_rules(SHIPPED_RULES)


def normalize(raw: pl.DataFrame, **options) -> pl.DataFrame:
    """``normalize_documents`` with the shipped boilerplate rules."""
    return normalize_documents(raw, SHIPPED_RULES, **options)


def test_the_rules_are_always_given():
    # No stage reads a reference file on its own: the flow loads them once and passes them in.
    with pytest.raises(TypeError):
        normalize_documents(parse_inputs([])[0])

# rule → (lines it must remove, article lines it must keep)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "share_counter": (["0", "820", "1,204", "1.2K", "15k"], ["2016", "15.", "820 troops were deployed."]),
    "stray_punctuation": ([".", "***", "* * *", "___", "—", ".”"], ["A.", "“No.”"]),
    "comment_widget": (
        [
            "Leave a Reply",
            "Inline Feedbacks",
            "View all comments",
            "Add a Comment",
            "12 Comments",
            "Comments",
            "Join the conversation",
        ],
        ["Putin declined to comment on the reply.", "Comments by Xi were reported by Xinhua."],
    ),
    "email_notice": (
        [
            "Your email address will not be published.",
            "Your email address will not be published. Required fields are marked *",
        ],
        ["The email address of the minister was published by the newspaper."],
    ),
    "rating_widget": (
        ["4 1 vote", "Article Rating", "12 votes", "4.5 out of 5 stars"],
        ["4 1 votes were cast in favour of the plan."],
    ),
    "share_buttons": (
        ["Share", "Share this: Pocket", "WhatsApp", "Email", "Print", "Share on Twitter", "Tweet"],
        ["Share prices fell in Moscow.", "Print media were banned."],
    ),
    "photo_credit": (
        [
            "Russian leader Putin (left) is trying to get Chinese leader Xi (right) to support him. (Shutterstock)",
            "Xi Jinping in Beijing on Friday. (AP Photo/Mark Schiefelbein)",
            "(Pixabay)",
            "The summit hall. (Photo: Getty Images/Kremlin)",
        ],
        ["Putin met Xi (right) in Beijing.", "BEIJING (Reuters) - Xi met Putin on Friday."],
    ),
    "slideshow": (
        ["Slideshow (2 Images)", "12 photos", "Photo 3 of 12"],
        ["The slideshow showed 12 photos of the summit meeting."],
    ),
    "advertisement": (
        [
            "ADVERTISEMENT",
            "Advertisement",
            "Advertisement:",
            "AD",
            "Story Continued Below",
            "Continue Reading Below",
        ],
        ["The advertisement ran in Pravda.", "Ad hoc talks continued."],
    ),
    "newsletter_promo": (
        [
            "Sign up for Daily Newsletters",
            "Sign up for Daily Newsletters Manage Newsletters",
            "Sign up for the US morning briefing",
            "Subscribe to our newsletter",
        ],
        ["Sign up for military service became compulsory. The newsletter reported it."],
    ),
    "page_chrome": (
        ["Loading...", "This article is more than 1 year old", "Skip to main content"],
        ["Loading of the ships continued for days."],
    ),
}


def test_every_shipped_rule_has_a_test_case():
    assert set(SHIPPED_RULES.get_column("rule")) == set(CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_removes_its_lines(rule):
    for line in CASES[rule][0]:
        assert RULES.rule_for(line) == rule, line


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_keeps_article_lines(rule):
    for line in CASES[rule][1]:
        assert RULES.rule_for(line) is None, line


def test_clean_lines_counts_each_removed_line_by_rule():
    text = "Title\n\n  First   paragraph.\u00a0\n0\n820\nADVERTISEMENT\n\nLast paragraph.\nLeave a Reply\n"
    kept, removed = clean_lines(text, RULES)
    assert kept == ["Title", "First paragraph.", "Last paragraph."]
    assert removed == ["share_counter", "share_counter", "advertisement", "comment_widget"]


def test_rules_are_data_a_custom_table_replaces_them():
    custom = compile_rules(
        pl.DataFrame({"rule": ["byline"], "pattern": [r"by [a-z ]+"], "description": ["x"]})
    )
    kept, removed = clean_lines("Headline\nBy Ann Smith\n0\n", custom)
    assert kept == ["Headline", "0"] and removed == ["byline"]


def test_duplicate_rule_names_are_refused():
    with pytest.raises(ValueError, match="unique"):
        compile_rules(pl.DataFrame({"rule": ["a", "a"], "pattern": ["x", "y"], "description": ["", ""]}))


def test_title_from_first_line_without_given_title():
    assert split_title_body("\n0\nHeadline\nPara one.\nPara two.", RULES) == (
        "Headline",
        "Para one.\n\nPara two.",
        ["share_counter"],
    )


def test_given_title_keeps_whole_text_as_body_and_drops_a_repeated_title():
    assert split_title_body("Headline\nPara one.", RULES, "Headline")[:2] == ("Headline", "Para one.")
    assert split_title_body("Para zero.\nPara one.", RULES, "Headline")[:2] == (
        "Headline",
        "Para zero.\n\nPara one.",
    )


def _raw(**fields) -> pl.DataFrame:
    row = {
        name: None
        for name in (
            "document_key",
            "document_id",
            "fingerprint",
            "source_path",
            "record",
            "encoding",
            "raw_text",
            "title",
            "url",
            "source_name",
            "published",
            "extra",
        )
    }
    row |= {"document_key": "k1", "raw_text": "Headline\nBody text."} | fields
    docs, _ = parse_inputs([])
    return pl.concat([docs, pl.DataFrame([row], schema=docs.schema)])


def test_given_date_wins():
    out = normalize(
        _raw(published="2019-03-01T10:00:00Z", raw_text="Headline\nOn May 2, 2018 it rained.")
    )
    assert out.select("published_date", "date_source").row(0) == (dt.date(2019, 3, 1), "given")


def test_date_inferred_from_text_when_not_given():
    out = normalize(
        _raw(raw_text="Headline\nMOSCOW, December 15, 2021 — Xi said.\nOn May 2, 2018 too.")
    )
    assert out.select("published_date", "date_source").row(0) == (dt.date(2021, 12, 15), "inferred")


def test_unparseable_given_date_falls_back_to_the_text_then_unknown():
    out = normalize(_raw(published="sometime", raw_text="Headline\nNo date here."))
    assert out.select("published_date", "date_source").row(0) == (None, "unknown")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-05", (dt.date(2024, 5, 1), "given", "month")),
        ("May 2024", (dt.date(2024, 5, 1), "given", "month")),
        ("2024", (dt.date(2024, 1, 1), "given", "year")),
        ("2024-05-16", (dt.date(2024, 5, 16), "given", "day")),
        ("May 16, 2024", (dt.date(2024, 5, 16), "given", "day")),
    ],
)
def test_given_dates_keep_their_precision(given, expected):
    out = normalize(_raw(published=given, raw_text="Headline\nOn Thursday, December 15, 2021, it rained."))
    assert out.select("published_date", "date_source", "published_precision").row(0) == expected


def test_inferred_dates_are_days_and_unknown_dates_have_no_precision():
    inferred = normalize(_raw(raw_text="Headline\nMOSCOW, December 15, 2021 — Xi said."))
    assert inferred.select("date_source", "published_precision").row(0) == ("inferred", "day")
    unknown = normalize(_raw(raw_text="Headline\nNo date here."))
    assert unknown.select("date_source", "published_precision").row(0) == ("unknown", None)


def test_normalize_schema_hash_and_counts():
    out = normalize(_raw(raw_text="Headline\n0\nBody text.\nADVERTISEMENT\nBody text two."))
    assert out.schema == NORMALIZED_SCHEMA
    row = out.row(0, named=True)
    assert row["body"] == "Body text.\n\nBody text two."
    assert row["word_count"] == 5 and row["lines_removed"] == 2
    counts = count_removed_lines(out)
    assert counts.schema == RULE_COUNT_SCHEMA
    assert counts.rows() == [("advertisement", 1), ("share_counter", 1)]


def test_same_body_same_hash_whatever_the_boilerplate():
    a = normalize(_raw(raw_text="Headline\nBody text.\n\nMore body."))
    b = normalize(
        _raw(raw_text="Headline\n\n820\nBody   text.\nAdvertisement\nMore body.\nLeave a Reply")
    )
    assert a.get_column("content_hash")[0] == b.get_column("content_hash")[0]


def test_empty_frame_keeps_the_schema():
    assert normalize(parse_inputs([])[0]).schema == NORMALIZED_SCHEMA


def test_a_first_line_that_is_a_paragraph_stays_in_the_body():
    from dateline.transforms.normalize import split_title_body

    text = (
        "The leader of China, Xi Jinping, said on Wednesday that his country and Russia need to defend "
        "themselves together. In a video meeting, the Chinese supported the Russian.\n"
        "Second paragraph.\n"
    )
    title, body, _ = split_title_body(text, RULES)
    assert title == (
        "The leader of China, Xi Jinping, said on Wednesday that his country and Russia need to defend "
        "themselves together."
    )
    assert body.startswith("The leader of China") and body.endswith("Second paragraph.")


def test_headline_detection_ignores_initials_and_titles():
    from dateline.transforms.normalize import is_headline

    assert is_headline("Mr. Putin Goes To Beijing As U.S. Watches")
    assert not is_headline("Putin visited Beijing. Xi welcomed him.")
    assert not is_headline(" ".join(["word"] * 40))


def test_an_implausible_given_date_is_not_used():
    import datetime as dt

    import polars as pl
    from dateline.transforms.ingest import RAW_SCHEMA

    raw = pl.DataFrame(
        [
            {"document_key": "a", "raw_text": "Title\n\nBody text.", "title": None, "published": "2099-01-01"},
            {"document_key": "b", "raw_text": "Title\n\nBody text.", "title": None, "published": "2019-03-01"},
        ]
    ).with_columns([pl.lit(None, dtype=d).alias(n) for n, d in RAW_SCHEMA.items() if n not in
                    ("document_key", "raw_text", "title", "published")]).select(RAW_SCHEMA.names()).cast(RAW_SCHEMA)
    out = normalize(raw, today=dt.date(2026, 11, 23))
    assert out.get_column("published_date").to_list() == [None, dt.date(2019, 3, 1)]
    assert out.get_column("date_source").to_list() == ["unknown", "given"]


def test_a_given_month_gives_way_to_the_day_the_text_pins_inside_it():
    text = "Headline\nOn December 8, Biden spoke with Putin.\nThe fall of 2021 was tense."
    inside = normalize(_raw(published="2021-12", raw_text=text))
    assert inside.select("published_date", "date_source", "published_precision").row(0) == (
        dt.date(2021, 12, 8), "inferred", "day")
    outside = normalize(_raw(published="2022-02", raw_text=text))
    assert outside.select("published_date", "date_source", "published_precision").row(0) == (
        dt.date(2022, 2, 1), "given", "month")


def test_a_record_without_a_title_keeps_its_body():
    """Issue 14, item 7: a JSONL/CSV record's text is all body, even one short sentence."""
    jsonl = (b'{"id": "a", "text": "Putin met Xi in Beijing on Friday."}\n'
             b'{"id": "b", "text": "Leaders Meet\\n\\nPutin met Xi in Beijing on Friday. They talked."}\n')
    csv_bytes = b"id,text\nc,Putin met Xi in Beijing on Friday.\n"
    raw, bad = parse_files([("in.jsonl", jsonl), ("in.csv", csv_bytes)])
    assert bad.is_empty()
    out = normalize(raw).select("title", "body").rows()
    assert out == [
        ("Putin met Xi in Beijing on Friday.", "Putin met Xi in Beijing on Friday."),
        ("Leaders Meet", "Leaders Meet\n\nPutin met Xi in Beijing on Friday. They talked."),
        ("Putin met Xi in Beijing on Friday.", "Putin met Xi in Beijing on Friday."),
    ]
    # A .txt file still takes its first line as the title.
    txt, _ = parse_files([("a.txt", b"Leaders Meet\n\nPutin met Xi in Beijing on Friday.\n")])
    assert normalize(txt).select("title", "body").row(0) == ("Leaders Meet", "Putin met Xi in Beijing on Friday.")
