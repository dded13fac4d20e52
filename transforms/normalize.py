"""Clean raw text into the stored title and body: Unicode NFC, whitespace, boilerplate lines out, dates.

Character offsets of mentions point into the ``body`` produced here, so it must be deterministic.
Boilerplate rules are data (``data/boilerplate_rules.csv``, loaded by ``transforms.reference``): each
one a regular expression that a whole cleaned line must match (case-insensitive) for the line to be dropped.
"""

import datetime as dt
import math
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
LANGUAGE_SAMPLE_CHARS = 20_000
# Bytes of samples whose language automaton is walked together (``detect_languages``): about 40 bytes of
# working arrays each, so ≈ 40 MB at most.
LANGUAGE_WALK_BYTES = 1_000_000


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
    return detect_languages([text])[0]


def detect_languages(texts: list[str]) -> list[str]:
    """``detect_language`` of each text, the identifier's byte automaton walked for all of them at once
    (``_feature_visits``): the same codes as py3langid's ``classify`` of each sample, a fraction of its CPU."""
    samples = [text[:LANGUAGE_SAMPLE_CHARS] for text in texts]
    # enough letters? counted only up to MIN_LANGUAGE_LETTERS (not over the whole sample), in C
    asked = [i for i, sample in enumerate(samples)
             if len(list(islice(filter(str.isalpha, sample), MIN_LANGUAGE_LETTERS))) >= MIN_LANGUAGE_LETTERS]
    codes = ["und"] * len(texts)
    if not asked:
        return codes
    identifier = _language_identifier()
    encoded = [identifier._encode(samples[i]) for i in asked]  # py3langid's own: NFC, UTF-8, upper → lower
    visits: list[dict[int, int] | None] = []
    chunk: list[bytes] = []
    size = 0
    for data in [*encoded, None]:  # walked in chunks of about LANGUAGE_WALK_BYTES: bounded memory
        if chunk and (data is None or size + len(data) > LANGUAGE_WALK_BYTES):
            visits.extend(_feature_visits(chunk))
            chunk, size = [], 0
        if data is not None:
            chunk.append(data)
            size += len(data)
    for i, data, found in zip(asked, encoded, visits, strict=True):
        code, confidence = _classified(identifier, data, found)
        codes[i] = "und" if code == "zxx" or confidence < MIN_LANGUAGE_CONFIDENCE else code
    return codes


# The longest byte string py3langid's scanner stands for (its states' depth from the start state, which
# tests/test_language.py computes); a bound is enough: a deeper window gives the same states.
AUTOMATON_DEPTH = 6


@lru_cache(maxsize=1)
def _automaton() -> tuple:
    """py3langid's scanner as arrays: (next state per row × byte, each state's row offset, each state's
    feature or -1)."""
    import numpy as np

    identifier = _language_identifier()
    table = identifier.tk_nextmove  # an array.array of 9.8 million entries: read in place, not copied
    nextmove = np.frombuffer(table, dtype=table.typecode) if hasattr(table, "typecode") else np.asarray(table)
    rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
    output = np.asarray(identifier.tk_output, dtype=np.int64)
    return nextmove, rowbase, output


def automaton_depth() -> int:
    """The longest path from the scanner's start state to any of its states (breadth first): the length
    of the longest byte string a state stands for. Seconds of CPU: the tests check AUTOMATON_DEPTH with it."""
    import numpy as np

    nextmove, rowbase, _ = _automaton()
    seen = np.zeros(rowbase.size, dtype=bool)
    seen[0] = True
    frontier, depth = np.zeros(1, dtype=np.int64), 0
    while True:
        reached = np.unique(nextmove[(rowbase[frontier][:, None] + np.arange(256)[None, :]).ravel()])
        reached = reached[~seen[reached]]
        if not reached.size:
            return depth
        seen[reached] = True
        frontier, depth = reached, depth + 1


def _feature_visits(encoded: list[bytes]) -> list[dict[int, int] | None]:
    """py3langid's ``visit_counts`` of each byte string: {feature: count} in order of first visit, or None.

    The scanner is an Aho-Corasick automaton: after any prefix it is in the state of the longest suffix of
    that prefix that is one of its strings, and none is longer than ``AUTOMATON_DEPTH`` bytes. So the state
    after byte ``i`` is the state reached from the start over bytes ``i - depth + 1 .. i`` alone, and the
    states of every position of every text are ``depth`` vectorised steps instead of one Python step per byte.
    """
    import numpy as np

    nextmove, rowbase, output = _automaton()
    depth = AUTOMATON_DEPTH
    lengths = np.fromiter((len(data) for data in encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    offset = np.arange(data.size, dtype=np.int64) - np.repeat(starts, lengths)  # position inside its text
    state = np.zeros(data.size, dtype=np.int64)
    for back in range(depth - 1, -1, -1):  # the window's bytes, oldest first; none before the text's start
        earlier = np.concatenate((np.zeros(back, dtype=np.int64), data[: data.size - back]))
        state = np.where(offset >= back, nextmove[rowbase[state] + earlier], state)
    features = output[state]
    # Each text's features counted, in order of first visit: one sort for all texts (keyed by text, then
    # feature), then the keys ordered by where they were first seen, which keeps the texts in order.
    seen = np.flatnonzero(features >= 0)
    text = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)[seen]
    width = int(output.max()) + 1
    keys, first, counts = np.unique(text * width + features[seen], return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    keys, counts = keys[order], counts[order]
    bounds = np.searchsorted(keys // width, np.arange(len(encoded) + 1)).tolist()
    found, counted = (keys % width).tolist(), counts.tolist()
    return [dict(zip(found[a:b], counted[a:b], strict=True)) if b > a else None
            for a, b in zip(bounds, bounds[1:], strict=False)]


@lru_cache(maxsize=1)
def _float16_values():
    """Every float16 value as float32, indexed by its 16 bits: widening by look-up is exact."""
    import numpy as np

    return np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)


def _classified(identifier, data: bytes, visits: dict[int, int] | None) -> tuple[str, float]:
    """py3langid's ``classify`` (``_decide`` with normalized probabilities) from the feature visits of ``data``."""
    import numpy as np

    table = identifier.nb_ptc
    if visits and table.dtype == np.float16:
        # py3langid's ``_sparse_score``, its float16 rows widened by look-up (exact) instead of by numpy's
        # cast inside a mixed-type matmul (slow): the same float32 matmul of the same numbers (a test
        # checks the scores bit for bit)
        features = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
        counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
        scores = np.log1p(counts) @ _float16_values()[table.view(np.uint16)[features]] + identifier.nb_pc
    elif visits:
        scores = identifier._sparse_score(visits, table)
    else:  # no features: uniform, so py3langid abstains
        scores = np.full(len(identifier.nb_classes), 0.0, dtype=np.float32)
    scores *= 1.0 / math.sqrt(len(data) or 1)
    np.exp(scores - scores.max(), out=scores)
    scores /= scores.sum()
    for i, j in identifier._alias_pairs:
        scores[i] += scores[j]
        scores[j] = 0.0
    best = int(scores.argmax())
    confidence = float(scores[best])
    if identifier.min_confidence is not None and confidence < identifier.min_confidence:
        return "und", confidence
    return identifier.nb_classes[best], confidence


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
            }
        )
    for row, language in zip(rows, detect_languages([row["body"] for row in rows]), strict=True):
        row["language"] = language
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
