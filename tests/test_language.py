"""Language identification with py3langid, ISO 639-1 codes (issue 14, item 6): a short English brief is
"en" and extracted, a Chinese article is "zh" and loaded without extraction."""

import pytest
from dateline.transforms.normalize import detect_language

from tests.helpers import query, run_flow

# 47 words: the stop-word share rule called this "und" and skipped it.
ENGLISH_BRIEF = (
    "Russian President Vladimir Putin and Chinese President Xi Jinping held talks by video link on "
    "Wednesday, Kremlin aide Yuri Ushakov told reporters. NATO foreign ministers meet in Riga "
    "next week; Ukraine asked Washington for air defence systems, and Germany offered field hospitals "
    "and winter equipment to Kyiv."
)
CHINESE_ARTICLE = (
    "俄罗斯总统普京与中国国家主席习近平星期三举行视频会晤。克里姆林宫助理乌沙科夫对记者说，两国领导人讨论了"
    "乌克兰局势、北约东扩以及西方的制裁。普京表示，俄中关系处于历史最好时期。习近平说，中方愿同俄方加强战略协作，"
    "共同维护两国安全利益。会晤前，美国总统拜登曾警告俄罗斯不要入侵乌克兰。"
)


def test_the_brief_is_forty_seven_words():
    assert len(ENGLISH_BRIEF.split()) == 47


@pytest.mark.parametrize(("text", "code"), [
    (ENGLISH_BRIEF, "en"),
    (CHINESE_ARTICLE, "zh"),
    ("Der russische Präsident Wladimir Putin hat am Mittwoch mit dem chinesischen Staatschef gesprochen.", "de"),
    ("Le président russe Vladimir Poutine s'est entretenu mercredi avec son homologue chinois.", "fr"),
    ("ZmFrZQ" * 200, "und"),  # no language at all
    ("12 345 678 — 2021", "und"),  # too few letters to tell
])
def test_languages_are_identified_with_iso_codes(text, code):
    assert detect_language(text) == code


@pytest.mark.slow
def test_an_english_brief_is_extracted_and_a_chinese_article_is_not(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "brief.txt").write_text("Putin and Xi Hold Video Call\n\n" + ENGLISH_BRIEF + "\n", encoding="utf-8")
    (inbox / "zh.txt").write_text("普京与习近平举行视频会晤\n\n" + CHINESE_ARTICLE + "\n", encoding="utf-8")
    warehouse = tmp_path / "wh" / "dateline.duckdb"
    summary = run_flow([inbox], warehouse)
    assert summary.status == "success", summary.message
    assert summary.documents_extracted == 1
    rows = query(warehouse, "select d.source_path, d.language, count(m.document_key) as mentions from dim_document d "
                            "left join fact_entity_mention m using (document_key) group by all order by 1").rows()
    assert [(path.rsplit("/", 1)[1], language, mentions > 0) for path, language, mentions in rows] == [
        ("brief.txt", "en", True), ("zh.txt", "zh", False)]


# --- detect_languages: py3langid's answers, its automaton walked for many texts at once --------------------

def _py3langid(text: str) -> tuple[str, float | None]:
    """What detect_language answered by calling py3langid's ``classify`` on each sample (the reference)."""
    from itertools import islice

    from dateline.transforms.normalize import (
        LANGUAGE_SAMPLE_CHARS,
        MIN_LANGUAGE_CONFIDENCE,
        MIN_LANGUAGE_LETTERS,
        _language_identifier,
    )

    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(list(islice(filter(str.isalpha, sample), MIN_LANGUAGE_LETTERS))) < MIN_LANGUAGE_LETTERS:
        return "und", None
    code, confidence = _language_identifier().classify(sample)
    return ("und" if code == "zxx" or confidence < MIN_LANGUAGE_CONFIDENCE else code), confidence


def _texts() -> list[str]:
    import json
    import random

    from tests.conftest import CORPORA

    rng = random.Random(7)
    alphabets = ["abcdefghij ", "абвгдежзий ", "αβγδεζηθ ", "中国俄罗斯总统普京", "ÄÖÜäöüß éèà ", "ＡＢＣ１２３",
                 "العربية ", "\ud800x", "\t\n 0123456789.,;"]
    texts = [ENGLISH_BRIEF, CHINESE_ARTICLE, ENGLISH_BRIEF.upper(), "", "a", "ZmFrZQ" * 200, "é" * 30_000,
             ENGLISH_BRIEF * 200]  # beyond the sample's 20,000 characters
    texts += ["".join(rng.choice(rng.choice(alphabets)) for _ in range(rng.randint(0, 600))) for _ in range(200)]
    corpus = CORPORA / "news_allsides_2018_2019.jsonl"
    if corpus.exists():
        with corpus.open(encoding="utf-8") as handle:
            texts += [json.loads(line).get("text") or "" for _, line in zip(range(300), handle, strict=False)]
    return texts


def test_detect_languages_gives_py3langids_codes_and_confidences():
    from dateline.transforms.normalize import (
        _classified,
        _feature_visits,
        _language_identifier,
        detect_languages,
    )
    from py3langid.langid import visit_counts

    texts = _texts()
    expected = [_py3langid(text) for text in texts]
    assert detect_languages(texts) == [code for code, _ in expected]
    assert {code for code, _ in expected} >= {"en", "zh", "und"}
    identifier = _language_identifier()
    encoded = [identifier._encode(text[:20_000]) for text in texts]
    visits = _feature_visits(encoded)
    for data, found in zip(encoded, visits, strict=True):
        counted = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
        # the same features with the same counts, in the same order (the float32 sums follow it)
        assert (None if counted is None else list(counted.items())) == (None if found is None else list(found.items()))
    for text, data, found in zip(texts, encoded, visits, strict=True):
        # the confidence bit for bit, wherever py3langid was asked
        assert _classified(identifier, data, found) == identifier.classify(text[:20_000])


def test_no_state_of_the_scanner_is_deeper_than_the_window_walked():
    from dateline.transforms.normalize import AUTOMATON_DEPTH, automaton_depth

    assert automaton_depth() <= AUTOMATON_DEPTH
