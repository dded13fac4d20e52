"""Deduplicate: exact and near links, canonical choice, warehouse links, and Hypothesis invariants."""

import datetime as dt
import random

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from dateline.transforms.deduplicate import (
    DEDUP_SCHEMA,
    NEAR_THRESHOLD,
    deduplicate,
    jaccard,
    minhash_signatures,
    near_candidates,
    shingle_sets,
)
from dateline.transforms.keys import sha256_hex
from dateline.transforms.minhash import shingle_hashes
from dateline.transforms.normalize import normalize_documents
from dateline.transforms.reference import load_reference
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import corpus
from tests.inputs import parse_files

WORDS = (
    "putin xi jinping moscow beijing kremlin nato ukraine troops border sanctions summit video call talks "
    "alliance security guarantees west expansion military drills tanks olympics trade energy gas pipeline "
    "minister statement meeting agreed denounced rhetoric aggressive support partnership visit friday"
).split()


def article(seed: int, paragraphs: int = 6, words: int = 40) -> str:
    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(paragraphs))


def frame(rows: list[tuple[str, str, dt.date | None]]) -> pl.DataFrame:
    """(key, body, published) rows → the columns deduplicate reads."""
    return pl.DataFrame(
        {
            "document_key": [r[0] for r in rows],
            "body": [r[1] for r in rows],
            "content_hash": [sha256_hex(r[1]) for r in rows],
            "published_date": [r[2] for r in rows],
            "word_count": [len(r[1].split()) for r in rows],
        },
        schema={
            "document_key": pl.String,
            "body": pl.String,
            "content_hash": pl.String,
            "published_date": pl.Date,
            "word_count": pl.Int64,
        },
    )


def links(result: pl.DataFrame) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in result.select("document_key", "duplicate_of_key", "duplicate_kind").rows()}


def edit(text: str, seed: int) -> str:
    """An edited copy: the third paragraph cut, and two words replaced."""
    rng = random.Random(seed)
    paragraphs = text.split("\n\n")
    del paragraphs[2]
    words = "\n\n".join(paragraphs).split(" ")
    for _ in range(2):
        words[rng.randrange(len(words))] = "changed"
    return " ".join(words)


# --- shingles and signatures ------------------------------------------------------------------------


def test_shingles_are_case_and_punctuation_insensitive_and_order_sensitive():
    assert np.array_equal(
        shingle_hashes("Putin met Xi in Beijing."), shingle_hashes("putin  MET xi, in beijing")
    )
    assert not np.array_equal(
        shingle_hashes("putin met xi in beijing"), shingle_hashes("beijing in xi met putin")
    )


def test_short_and_empty_texts():
    assert shingle_hashes("Putin met").size == 1
    assert shingle_hashes("").size == 0
    assert [s.size for s in shingle_sets(["", None, "a b c d e f"])] == [0, 0, 2]


def test_batched_shingles_equal_one_by_one():
    texts = [article(i) for i in range(5)] + ["", "one two"]
    batched = shingle_sets(texts)
    assert all(np.array_equal(b, shingle_hashes(t)) for b, t in zip(batched, texts, strict=True))


def test_signatures_are_datasketch_minhash_values():
    shingles = shingle_sets([article(1), article(2), ""])
    signatures = minhash_signatures(shingles)
    for s, sig in zip(shingles[:2], signatures[:2], strict=True):
        reference = MinHash(num_perm=128, seed=1, hashfunc=int)
        reference.update_batch(s.tolist())
        assert np.array_equal(reference.hashvalues, sig)
    assert signatures[2] is None


def test_jaccard():
    a, b = np.array([1, 2, 3, 4], dtype=np.uint32), np.array([3, 4, 5], dtype=np.uint32)
    assert jaccard(a, b) == 2 / 5 and jaccard(a, a) == 1.0 and jaccard(a, b[:0]) == 0.0


# --- linking --------------------------------------------------------------------------------------


def test_exact_copy_links_to_earliest_published():
    body = article(1)
    out = deduplicate(
        frame(
            [("b", body, dt.date(2021, 12, 16)), ("a", body, dt.date(2021, 12, 15)), ("c", article(2), None)]
        )
    )
    assert out.schema == DEDUP_SCHEMA
    assert links(out) == {"b": ("a", "exact"), "a": (None, None), "c": (None, None)}
    assert out.filter(pl.col("document_key") == "b").get_column("similarity").item() == 1.0


def test_canonical_ties_break_on_length_then_key():
    body = article(1)
    longer = body + "\n\nAn extra closing paragraph about the summit talks in Beijing."
    same_day = dt.date(2022, 2, 4)
    out = deduplicate(frame([("z", body, same_day), ("y", longer, same_day), ("x", body, same_day)]))
    assert links(out) == {"z": ("y", "near"), "y": (None, None), "x": ("y", "near")}
    twins = deduplicate(frame([("z", body, None), ("x", body, None)]))
    assert links(twins) == {"z": ("x", "exact"), "x": (None, None)}


def test_edited_copy_is_a_near_duplicate_with_its_similarity():
    body = article(3, paragraphs=10)
    out = deduplicate(
        frame([("orig", body, dt.date(2021, 12, 15)), ("copy", edit(body, 1), dt.date(2021, 12, 16))])
    )
    row = out.filter(pl.col("document_key") == "copy").row(0, named=True)
    assert (row["duplicate_of_key"], row["duplicate_kind"]) == ("orig", "near")
    assert NEAR_THRESHOLD <= row["similarity"] < 1.0
    assert row["similarity"] == pytest.approx(jaccard(shingle_hashes(body), shingle_hashes(edit(body, 1))))


def test_different_articles_are_not_linked():
    out = deduplicate(frame([(f"k{i}", article(i), None) for i in range(20)]))
    assert out.get_column("duplicate_of_key").null_count() == 20


def test_exact_copy_of_a_near_duplicate_joins_the_group():
    body = article(4, paragraphs=10)
    copy = edit(body, 2)
    out = deduplicate(
        frame(
            [
                ("a", body, dt.date(2020, 1, 1)),
                ("b", copy, dt.date(2020, 1, 2)),
                ("c", copy, dt.date(2020, 1, 3)),
            ]
        )
    )
    assert links(out) == {"a": (None, None), "b": ("a", "near"), "c": ("a", "near")}


def test_empty_bodies_are_never_linked():
    out = deduplicate(frame([("a", "", None), ("b", "", None)]))
    assert out.get_column("duplicate_of_key").null_count() == 2
    assert out.get_column("minhash").null_count() == 2


def test_threshold_is_a_parameter():
    body = article(5, paragraphs=10)
    rows = frame([("a", body, None), ("b", edit(body, 3), None)])
    assert links(deduplicate(rows, threshold=0.99))["b"] == (None, None)


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="unique"):
        deduplicate(frame([("a", "x", None), ("a", "y", None)]))


# --- against the warehouse -----------------------------------------------------------------------------


def existing_from(result: pl.DataFrame, docs: pl.DataFrame, with_body: bool) -> pl.DataFrame:
    """What the flow hands in: canonical warehouse documents with their stored signature (and body)."""
    columns = ["document_key", "content_hash", "published_date", "word_count", "minhash"] + (
        ["body"] if with_body else []
    )
    return result.filter(pl.col("duplicate_of_key").is_null()).join(docs, on="document_key").select(columns)


@pytest.mark.parametrize("with_body", [True, False])
def test_later_run_links_to_warehouse_documents(with_body):
    body = article(6, paragraphs=10)
    first = frame([("old", body, dt.date(2021, 12, 20)), ("other", article(7), None)])
    existing = existing_from(deduplicate(first), first, with_body)
    # the new copies are published earlier, yet the warehouse document stays canonical
    second = frame(
        [
            ("exact", body, dt.date(2021, 12, 1)),
            ("near", edit(body, 4), dt.date(2021, 12, 1)),
            ("new", article(8), None),
        ]
    )
    out = deduplicate(second, existing)
    assert links(out) == {"exact": ("old", "exact"), "near": ("old", "near"), "new": (None, None)}
    assert out.get_column("document_key").to_list() == ["exact", "near", "new"]


def test_existing_with_only_hashes_still_gives_exact_links():
    body = article(9)
    existing = pl.DataFrame({"document_key": ["old"], "content_hash": [sha256_hex(body)]})
    out = deduplicate(
        frame([("new", body, None), ("edited", edit(article(9, paragraphs=10), 1), None)]), existing
    )
    assert links(out)["new"] == ("old", "exact")


# --- invariants (Hypothesis) ------------------------------------------------------------------------------

bodies = st.lists(
    st.one_of(
        st.integers(0, 5).map(lambda i: article(100 + i, paragraphs=8)),  # shared bases → exact copies
        st.tuples(st.integers(0, 5), st.integers(0, 50)).map(
            lambda t: edit(article(100 + t[0], paragraphs=8), t[1])
        ),
        st.integers(200, 10_000).map(article),
        st.just(""),
    ),
    min_size=1,
    max_size=14,
)
dates = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 5)))


@st.composite
def batches(draw) -> pl.DataFrame:
    texts = draw(bodies)
    return frame([(f"k{i:02d}", t, draw(dates)) for i, t in enumerate(texts)])


@settings(max_examples=60, deadline=None)
@given(batches(), st.randoms(use_true_random=False))
def test_order_independent(docs, rnd):
    shuffled = docs.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 10_000))
    a = deduplicate(docs).sort("document_key")
    b = deduplicate(shuffled).sort("document_key")
    assert a.equals(b)


@settings(max_examples=60, deadline=None)
@given(batches())
def test_never_drops_or_invents_a_document(docs):
    out = deduplicate(docs)
    assert out.get_column("document_key").to_list() == docs.get_column("document_key").to_list()
    canonical = set(out.filter(pl.col("duplicate_of_key").is_null()).get_column("document_key"))
    # every link points at a canonical document of the batch, never at a member
    assert set(out.get_column("duplicate_of_key").drop_nulls()) <= canonical
    similarities = out.filter(pl.col("duplicate_of_key").is_not_null()).get_column("similarity")
    assert similarities.is_empty() or similarities.min() >= NEAR_THRESHOLD


@settings(max_examples=60, deadline=None)
@given(batches())
def test_idempotent(docs):
    first = deduplicate(docs)
    assert deduplicate(docs).equals(first)
    canonical = docs.join(
        first.filter(pl.col("duplicate_of_key").is_null()).select("document_key"), on="document_key"
    )
    # deduplicating the survivors finds nothing more, and neither does checking them against themselves as existing
    assert deduplicate(canonical).get_column("duplicate_of_key").null_count() == canonical.height
    members = docs.join(
        first.filter(pl.col("duplicate_of_key").is_not_null()).select("document_key"), on="document_key"
    )
    again = deduplicate(members, existing_from(first, docs, with_body=True))
    expected = first.filter(pl.col("duplicate_of_key").is_not_null()).select(
        "document_key", "duplicate_of_key"
    )
    assert (
        again.select("document_key", "duplicate_of_key")
        .sort("document_key")
        .equals(expected.sort("document_key"))
    )


# --- real corpora (opt-in) --------------------------------------------------------------------------------


@pytest.mark.corpus
def test_basil_same_stories_are_not_duplicates():
    path = corpus("basil_same_story_dev.jsonl")
    raw, _ = parse_files([(str(path), path.read_bytes())])
    out = deduplicate(normalize_documents(raw, load_reference().boilerplate_rules))
    assert out.get_column("duplicate_of_key").null_count() == raw.height == 150


def test_near_candidates_proposes_only_similar_warehouse_documents():
    body = article(11, paragraphs=10)
    first = frame([("old", body, None), ("other", article(12), None)])
    existing = existing_from(deduplicate(first), first, with_body=False)
    assert near_candidates(frame([("new", edit(body, 5), None)]), existing) == ["old"]
    assert near_candidates(frame([("new", article(13), None)]), existing) == []
    assert near_candidates(frame([("new", body, None)]), existing.drop("minhash")) == []


# --- end to end: the real flow ------------------------------------------------------------------------------


def _copies(seed_dir):
    """An exact copy of seed 002 and an edited copy of seed 000 (other boilerplate, a paragraph cut)."""
    original = (seed_dir / "000_fe54a43580a24ec2.txt").read_text(encoding="utf-8")
    lines = [line for line in original.splitlines() if line.strip()]
    del lines[6]
    edited = lines[:3] + ["ADVERTISEMENT", "1,204"] + lines[3:] + ["Leave a Reply", "View all comments"]
    exact = (seed_dir / "002_9cc82649ec4ceb70.txt").read_bytes()
    return exact, "\n\n".join(edited)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_flow_links_an_exact_and_an_edited_copy_to_the_original(seed_dir, warehouse_path):
    from tests.helpers import query, run_flow

    exact, edited = _copies(seed_dir)
    (seed_dir / "zz_exact_copy.txt").write_bytes(exact)
    (seed_dir / "zz_edited_copy.txt").write_text(edited, encoding="utf-8")
    summary = run_flow([seed_dir], warehouse_path)
    assert summary.status == "success"
    assert summary.documents_duplicate == 2 and summary.documents_extracted == 5
    docs = query(
        warehouse_path,
        "select d.document_id, c.document_id as canonical_id, d.duplicate_kind, d.similarity, "
        "len(d.minhash) as signature from dim_document d left join dim_document c on c.document_key = d.duplicate_of_key "
        "order by d.document_id",
    )
    rows = {r["document_id"]: r for r in docs.iter_rows(named=True)}
    assert (rows["zz_exact_copy.txt"]["canonical_id"], rows["zz_exact_copy.txt"]["duplicate_kind"]) == (
        "002_9cc82649ec4ceb70.txt",
        "exact",
    )
    assert (rows["zz_edited_copy.txt"]["canonical_id"], rows["zz_edited_copy.txt"]["duplicate_kind"]) == (
        "000_fe54a43580a24ec2.txt",
        "near",
    )
    assert NEAR_THRESHOLD <= rows["zz_edited_copy.txt"]["similarity"] < 1.0
    assert set(docs.get_column("signature")) == {128}
    mentions = query(warehouse_path, "select distinct document_key from fact_entity_mention")
    assert mentions.height == 5  # the copies were not extracted


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_later_copy_links_to_the_warehouse_document_and_is_not_extracted(seed_dir, warehouse_path, tmp_path):
    from tests.helpers import query, run_flow

    assert run_flow([seed_dir], warehouse_path).status == "success"
    later = tmp_path / "later"
    later.mkdir()
    _, edited = _copies(seed_dir)
    (later / "edited.txt").write_text(edited, encoding="utf-8")
    summary = run_flow([later], warehouse_path)
    assert (
        summary.documents_new == 1 and summary.documents_duplicate == 1 and summary.documents_extracted == 0
    )
    row = query(
        warehouse_path,
        "select c.document_id, d.duplicate_kind from dim_document d join dim_document c "
        "on c.document_key = d.duplicate_of_key where d.document_id = 'edited.txt'",
    )
    assert row.rows() == [("000_fe54a43580a24ec2.txt", "near")]


def test_dedupe_command_json_groups(seed_dir, tmp_path):
    import json

    from dateline.cli.main import app
    from typer.testing import CliRunner

    exact, edited = _copies(seed_dir)
    (seed_dir / "zz_exact_copy.txt").write_bytes(exact)
    records = tmp_path / "records.jsonl"
    records.write_text(
        json.dumps({"id": "r1", "text": edited})
        + "\n"
        + json.dumps({"id": "r2", "text": article(14)})
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["dedupe", str(seed_dir), str(records), "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    summary = sorted(
        (
            g["kind"],
            g["canonical"]["document_id"],
            sorted((m["document_id"], m["record"]) for m in g["members"]),
        )
        for g in groups
    )
    assert summary == [
        (
            "exact",
            "002_9cc82649ec4ceb70.txt",
            [("002_9cc82649ec4ceb70.txt", None), ("zz_exact_copy.txt", None)],
        ),
        ("near", "000_fe54a43580a24ec2.txt", [("000_fe54a43580a24ec2.txt", None), ("r1", 1)]),
    ]
    for group in groups:
        assert group["members"][0] == group["canonical"] and group["canonical"]["similarity"] == 1.0
        assert set(group["canonical"]) == {"document_id", "source_path", "record", "similarity"}


# --- shingled and signed once in a run (the warehouse's look-up and the linking share them) ----------------


@pytest.mark.parametrize("with_body", [True, False])
def test_sketches_made_once_give_the_same_links(monkeypatch, with_body):
    import dateline.transforms.deduplicate as dedup_module
    from dateline.transforms.deduplicate import document_signatures, document_sketches

    base = article(21, paragraphs=10)
    first = frame([("old", base, dt.date(2021, 12, 20)), ("other", article(22), None)])
    existing = existing_from(deduplicate(first), first, with_body)
    second = frame([("exact", base, dt.date(2021, 12, 1)), ("near", edit(base, 3), dt.date(2021, 12, 1)),
                    ("twin", edit(article(23, paragraphs=10), 2), None), ("lead", article(23, paragraphs=10), None),
                    ("empty", "", None), ("new", article(24), None)])
    second = pl.concat([second, frame([("none", "", None)]).with_columns(body=pl.lit(None, pl.String))])
    expected = deduplicate(second, existing)
    sketches = document_sketches(second)
    assert document_signatures(second, sketches).equals(document_signatures(second))

    shingled: list[int] = []

    def counting(texts, *args):
        shingled.append(len(texts))
        return shingle_sets(texts, *args)

    monkeypatch.setattr(dedup_module, "shingle_sets", counting)
    out = deduplicate(second, existing, sketches=sketches)
    assert out.equals(expected)
    assert links(out)["exact"] == ("old", "exact") and links(out)["near"] == ("old", "near")
    assert links(out)["twin"] == ("lead", "near")
    # only the warehouse documents given with a body are shingled here; the new ones were, once
    assert shingled == [existing.height if with_body else 0]
