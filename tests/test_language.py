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


def test_the_language_is_told_from_the_opening_of_a_long_body():
    # the identifier reads the first LANGUAGE_SAMPLE_CHARS characters: an English opening decides, however much
    # German follows it (py3langid's cost grows with what it reads)
    from dateline.transforms.normalize import LANGUAGE_SAMPLE_CHARS

    english = (ENGLISH_BRIEF + " ") * (LANGUAGE_SAMPLE_CHARS // len(ENGLISH_BRIEF) + 1)
    german = "Der russische Präsident Wladimir Putin hat am Mittwoch mit dem chinesischen Staatschef gesprochen. "
    body = english[:LANGUAGE_SAMPLE_CHARS] + german * 150
    assert len(body) > 5 * LANGUAGE_SAMPLE_CHARS
    assert detect_language(body) == "en"
    assert detect_language(german * 150) == "de"
