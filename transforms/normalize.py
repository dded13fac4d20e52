"""Clean raw text into the stored title and body: Unicode NFC, whitespace, boilerplate lines out, dates.

Character offsets of mentions point into the ``body`` produced here, so it must be deterministic.
Boilerplate rules are data (``data/boilerplate_rules.csv``, loaded by ``transforms.reference``): each
one a regular expression that a whole cleaned line must match (case-insensitive) for the line to be dropped.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import polars as pl
from dateline.transforms import dates
from dateline.transforms.frames import rows_frame
from dateline.transforms.keys import sha256_hex

NORMALIZED_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "title": pl.String,
        "body": pl.String,  # cleaned text the NLP reads; mention offsets index into it
        "content_hash": pl.String,  # sha256 of the cleaned body: the exact-duplicate key
        "word_count": pl.Int64,
        "published_date": pl.Date,  # first day of the month / year when only that is known
        "date_source": pl.String,  # given / inferred / unknown
        "published_precision": pl.String,  # day / month / year; null when the date is unknown
        "lines_removed": pl.Int64,
        "removed_rules": pl.List(pl.String),  # the rule that dropped each removed line, in order
        "language": pl.String,  # ISO 639-1 code ("en", "zh", "de" ...); "und" when no language can be told
    }
)
RULE_COUNT_SCHEMA = pl.Schema({"rule": pl.String, "lines": pl.Int64})

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Language identification (py3langid: 97 languages, ISO 639-1 codes, its model inside the wheel).
# Below this probability, or with fewer letters than this, the language is "und" (undetermined).
MIN_LANGUAGE_CONFIDENCE = 0.5
MIN_LANGUAGE_LETTERS = 12
# py3langid walks its byte automaton in Python, so its cost grows with the sample: over the 8,810 bodies of the
# 2018-2019 corpus, 2,000 characters give the decisions 20,000 did, every one, at under half the CPU (README,
# Performance).
LANGUAGE_SAMPLE_CHARS = 2_000


@dataclass(frozen=True)
class BoilerplateRules:
    """Compiled boilerplate rules: one alternation with a named group per rule, so a line costs one match."""

    names: tuple[str, ...]
    matcher: re.Pattern

    def rule_for(self, line: str) -> str | None:
        """The name of the first rule whose pattern matches the whole line, else None."""
        match = self.matcher.fullmatch(line)
        return self.names[int(match.lastgroup[1:])] if match else None


def compile_rules(rules: pl.DataFrame) -> BoilerplateRules:
    """Compile rule rows (``reference.RULE_SCHEMA``) into one matcher; earlier rows win when several match."""
    names = tuple(rules.get_column("rule").to_list())
    if len(set(names)) != len(names):
        raise ValueError("boilerplate rule names must be unique")
    parts = []
    for i, pattern in enumerate(rules.get_column("pattern").to_list()):
        re.compile(pattern)  # a bad pattern fails here with its own message, not inside the alternation
        parts.append(f"(?P<r{i}>(?:{pattern}))")
    return BoilerplateRules(names, re.compile("|".join(parts), re.IGNORECASE))


def clean_lines(text: str, rules: BoilerplateRules) -> tuple[list[str], list[str]]:
    """NFC, collapse spaces, drop empty and boilerplate lines → (kept lines, rule name per dropped line)."""
    kept, removed = [], []
    for line in unicodedata.normalize("NFC", text).splitlines():
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        rule = rules.rule_for(line)
        if rule is None:
            kept.append(line)
        else:
            removed.append(rule)
    return kept, removed


def split_title_body(
    text: str, rules: BoilerplateRules, given_title: str | None = None,
    title_in_text: bool = True,
) -> tuple[str | None, str, list[str]]:
    """Title and body (paragraphs joined by a blank line) of a text, and the rules that removed lines.

    Without a given title the first kept line is the title (.txt files, ``title_in_text``); with one,
    the whole text is the body, minus a first line that only repeats the title. A record's text
    field (``title_in_text`` False) is all body: a record without a title is titled with its first
    sentence, which stays in the body.
    """
    lines, removed = clean_lines(text, rules)
    title = _SPACES.sub(" ", unicodedata.normalize("NFC", given_title)).strip() if given_title else None
    if not title:
        if not lines:
            return None, "", removed
        if not title_in_text:
            return first_sentence(lines[0]), "\n\n".join(lines), removed
        if is_headline(lines[0]):
            return lines[0], "\n\n".join(lines[1:]), removed
        # The text starts with a paragraph, not a headline: keep it in the body (it is news, and the
        # NLP reads only the body) and title the document with its first sentence.
        return first_sentence(lines[0]), "\n\n".join(lines), removed
    if lines and lines[0].casefold() == title.casefold():
        lines = lines[1:]
    return title, "\n\n".join(lines), removed


# A sentence ends at . ! ? before a capital, but not after initials or short titles ("U.S.", "Mr.", "Mrs.").
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\b[A-Z][a-z]\.)(?<!\bMrs\.)[\"”’)]*\s+(?=[\"“‘(]?[A-Z])"
)
MAX_HEADLINE_WORDS = 35
MAX_TITLE_CHARS = 200


def is_headline(line: str) -> bool:
    """A first line reads as a headline when it is short and holds no sentence boundary."""
    return len(line.split()) <= MAX_HEADLINE_WORDS and not _SENTENCE_END.search(line)


def first_sentence(line: str) -> str:
    """The first sentence of a paragraph, cut at a word boundary to at most MAX_TITLE_CHARS."""
    sentence = _SENTENCE_END.split(line, maxsplit=1)[0].strip()
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence
    return sentence[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"


@lru_cache(maxsize=1)
def _language_identifier():
    """py3langid's identifier with probabilities normalized (so a confidence can be compared), loaded once."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language ("en", "zh", "de" ...) by py3langid over its first
    ``LANGUAGE_SAMPLE_CHARS`` characters; "und" when it has too few letters or the identifier is
    not confident (``MIN_LANGUAGE_CONFIDENCE``), or finds no linguistic content (its "zxx")."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    # enough letters? counted only up to MIN_LANGUAGE_LETTERS (not over the whole sample), in C
    if len(list(islice(filter(str.isalpha, sample), MIN_LANGUAGE_LETTERS))) < MIN_LANGUAGE_LETTERS:
        return "und"
    code, confidence = _language_identifier().classify(sample)
    return "und" if code == "zxx" or confidence < MIN_LANGUAGE_CONFIDENCE else code


def normalize_documents(
    raw: pl.DataFrame, rules: pl.DataFrame, today: dt.date | None = None
) -> pl.DataFrame:
    """Raw documents (ingest.RAW_SCHEMA) → NORMALIZED_SCHEMA rows, one per input row, same order.

    ``rules`` are the boilerplate rules (``reference.RULE_SCHEMA`` rows; the shipped ones are
    ``load_reference().boilerplate_rules``). The publication date is the record's or
    manifest's (``given``; "2024-05" or "May 2024" at month precision, "2024" at year precision), else
    the day the title and body imply (``inferred``, day precision), else null (``unknown``). A given
    month or year gives way to the day the text implies when that day lies inside it (``inferred``).
    ``today`` is the run's date (default: the clock's): no publication date after it is given or inferred.
    """
    today = today or dt.date.today()
    compiled = compile_rules(rules)
    given_dates = _parse_given(raw.get_column("published").drop_nulls().unique().to_list())
    rows = []
    for doc in raw.select("document_key", "raw_text", "title", "published", "record").iter_rows(named=True):
        # A .jsonl / .csv record (record set) has its text in a field of its own: no title line in it.
        title, body, removed = split_title_body(doc["raw_text"], compiled, doc["title"],
                                                title_in_text=doc["record"] is None)
        published, precision = given_dates.get(doc["published"], (None, None)) if doc["published"] else (None, None)
        if published is not None and not _plausible_publication(published, today):
            published = None  # a typo or a placeholder ("0001-01-01", "2099"): infer instead of failing the run
        published, precision, date_source = dates.publication_date(
            published, precision, f"{title or ''}\n\n{body}", today=today
        )
        rows.append(
            {
                "document_key": doc["document_key"],
                "title": title,
                "body": body,
                "content_hash": sha256_hex(body),
                "word_count": len(body.split()),
                "published_date": published,
                "date_source": date_source,
                "published_precision": precision,
                "lines_removed": len(removed),
                "removed_rules": removed,
                "language": detect_language(body),
            }
        )
    return rows_frame(rows, NORMALIZED_SCHEMA)


def count_removed_lines(normalized: pl.DataFrame) -> pl.DataFrame:
    """Lines removed per boilerplate rule over a normalized frame (RULE_COUNT_SCHEMA), most first."""
    return (
        normalized.select(pl.col("removed_rules").explode().alias("rule"))
        .drop_nulls()
        .group_by("rule")
        .agg(pl.len().cast(pl.Int64).alias("lines"))
        .sort(["lines", "rule"], descending=[True, False])
        .cast(RULE_COUNT_SCHEMA)
    )


def _plausible_publication(day: dt.date, today: dt.date) -> bool:
    return dt.date(1900, 1, 1) <= day <= today + dt.timedelta(days=1)


def parse_given_date(value: str) -> tuple[dt.date | None, str | None]:
    """(date, precision) of one given publication date as ``normalize_documents`` reads it; (None, None)
    when it names no date ("2021-13-45", "yesterday")."""
    return _parse_given([value])[value]


def _parse_given(values: list[str]) -> dict[str, tuple[dt.date | None, str | None]]:
    """(date, precision) of each distinct given date, parsed once; ISO days skip dateparser (most corpora use them)."""
    parsed = {}
    for value in values:
        day = None
        if _ISO_DAY.match(value):
            try:
                day = dt.date.fromisoformat(value[:10])
            except ValueError:
                day = None
        parsed[value] = (day, "day") if day else dates.parse_given_period(value)
    return parsed
