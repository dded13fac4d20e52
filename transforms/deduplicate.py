"""Find duplicate documents: exact (same normalized body) and near (MinHash LSH over word shingles,
verified by the true Jaccard similarity of the shingle sets), within a batch and against the warehouse.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from dateline.transforms.minhash import MINHASH_SEED, NUM_PERM, jaccard, minhash_signatures, shingle_sets

DEDUP_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "duplicate_of_key": pl.String,  # the canonical document of the group; null when canonical
        "duplicate_kind": pl.String,  # null / exact / near
        "similarity": pl.Float64,  # Jaccard of word shingles with the canonical (1.0 exact), null if canonical
        # NUM_PERM MinHash values of the body, stored so later runs find near-duplicates; null if empty
        "minhash": pl.List(pl.UInt32),
    }
)

# Verified Jaccard of 5-word shingles at or above which two bodies are the same document. Chosen from
# the curve in benchmarks/DEDUP.md: different articles on one story stay at or below 0.33 (BASIL's
# highest pair 0.20, SemEval's 0.14 apart from two scraped copies of one paywall page, allsides'
# same-topic pairs 0.30-0.33), wire reprints with their outlets' edits start at 0.42, and injected
# edited copies (paragraph cut, words changed, boilerplate) at 0.48.
NEAR_THRESHOLD = 0.4
# The LSH only proposes candidates (true Jaccard decides). Its threshold sits below the verification
# threshold so pairs just above it survive the banding's S-curve (0.3 → 37 bands of 3 rows: a pair at
# J = 0.4 is proposed with p = 0.92, at 0.5 with p = 0.99), and never lower than 0.3: fewer rows per
# band would make random pairs collide often enough to turn the candidate count quadratic.
LSH_THRESHOLD = 0.3
# The banding datasketch chooses for LSH_THRESHOLD at NUM_PERM (37 bands of 3 rows): the in-memory
# index (``lsh_index`` at NEAR_THRESHOLD) and the warehouse's stored band table (``document_lsh_band``,
# warehouse/sql/tables/12_document_lsh_band.sql) both cut a signature this way, so a warehouse
# document sharing a band with a new one is exactly what the in-memory index would propose.
LSH_BANDS = 37
LSH_ROWS = 3

@dataclass(frozen=True)
class _Doc:
    key: str
    rank: int  # position in the canonical order: lower = preferred canonical
    content_hash: str | None
    shingles: np.ndarray | None  # sorted unique uint32 shingle hashes; None when only a signature is known
    signature: np.ndarray | None  # uint32[NUM_PERM]; None for an empty body
    existing: bool


def deduplicate(
    docs: pl.DataFrame,
    existing: pl.DataFrame | None = None,
    threshold: float = NEAR_THRESHOLD,
    sketches: "Sketches | None" = None,
) -> pl.DataFrame:
    """Link each new document to the canonical document of its duplicate group (DEDUP_SCHEMA, input order).

    ``docs`` needs document_key (unique), content_hash, body, published_date, word_count.
    ``existing`` (canonical documents already in the warehouse) needs document_key and content_hash,
    and for near-duplicates ``minhash`` and, where available, ``body``; published_date and word_count
    order them. Warehouse documents always stay canonical. A new document is compared with the
    canonical documents before it in the order (warehouse first, then earliest published, longest,
    smallest key), so the result does not depend on input order, and every member's similarity to its
    canonical is at least ``threshold``. Similarity is the true Jaccard of the shingle sets; against a
    warehouse document given without its body it is the MinHash estimate. Empty bodies are never linked.
    ``sketches`` (``document_sketches`` of ``docs``, already made to ask the warehouse) are used instead
    of shingling and signing those bodies again.
    """
    if docs.get_column("document_key").n_unique() != docs.height:
        raise ValueError("deduplicate needs unique document_key values")
    order = _ordered(docs, existing)
    bodies = order.get_column("body").to_list()
    with_body = [i for i, body in enumerate(bodies) if body is not None]
    shingles: list[np.ndarray | None] = [None] * order.height
    signatures: list[np.ndarray | None] = [None] * order.height
    known = sketches.by_key() if sketches is not None else {}
    keys = order.get_column("document_key").to_list()
    missing = [i for i in with_body if keys[i] not in known]
    computed = shingle_sets([bodies[i] for i in missing])
    for i, s, sig in zip(missing, computed, minhash_signatures(computed), strict=True):
        shingles[i], signatures[i] = s, sig
    for i in with_body:
        if keys[i] in known:
            shingles[i], signatures[i] = known[keys[i]]
    given = order.get_column("minhash").to_list()
    nodes: dict[str, _Doc] = {}
    for rank, (key, content_hash, is_existing) in enumerate(
        order.select("document_key", "content_hash", "_existing").iter_rows()
    ):
        signature = signatures[rank]
        if signature is None and shingles[rank] is None and given[rank] is not None:
            signature = np.asarray(given[rank], dtype=np.uint32)
        nodes[key] = _Doc(key, rank, content_hash, shingles[rank], signature, is_existing)

    links = _link(list(nodes.values()), threshold)
    result = pl.DataFrame(
        {
            "document_key": list(links),
            "duplicate_of_key": [v[0] for v in links.values()],
            "duplicate_kind": [v[1] for v in links.values()],
            "similarity": [v[2] for v in links.values()],
            "minhash": [None if nodes[k].signature is None else nodes[k].signature.tolist() for k in links],
        },
        schema=DEDUP_SCHEMA,
    )
    return docs.select("document_key").join(result, on="document_key", how="left", maintain_order="left")


def near_candidates(
    docs: pl.DataFrame, existing: pl.DataFrame, threshold: float = NEAR_THRESHOLD
) -> list[str]:
    """Keys of ``existing`` documents that MinHash LSH proposes as near-duplicates of new ``docs``.

    In memory, for callers without a warehouse (the flow asks the warehouse's stored band table
    instead, which proposes the same documents). ``existing`` needs document_key and minhash; ``docs``
    needs body. Sorted, without repeats.
    """
    if existing.is_empty() or "minhash" not in existing.columns or docs.is_empty():
        return []
    entries = existing.select("document_key", "minhash").drop_nulls().iter_rows()
    lsh, _ = lsh_index(((key, np.asarray(values, dtype=np.uint32)) for key, values in entries), threshold)
    found: set[str] = set()
    for signature in minhash_signatures(shingle_sets(docs.get_column("body").to_list())):
        if signature is not None:
            found.update(lsh.query(_sketch(signature)))
    return sorted(found)


def lsh_index(
    entries: Iterable[tuple[str, np.ndarray]], threshold: float = NEAR_THRESHOLD
) -> tuple[object, dict[str, object]]:
    """(datasketch MinHashLSH, sketch per key) over (key, signature) pairs, for verification at ``threshold``.

    At NEAR_THRESHOLD the banding is LSH_BANDS × LSH_ROWS (a test checks it), the warehouse's.
    """
    from datasketch import MinHashLSH  # imports scipy (a second): only runs with new documents need it

    lsh = MinHashLSH(threshold=_lsh_threshold(threshold), num_perm=NUM_PERM)
    sketches = {}
    for key, signature in entries:
        sketches[key] = _sketch(signature)
        lsh.insert(key, sketches[key], check_duplication=False)
    return lsh, sketches


def _sketch(signature: np.ndarray) -> object:
    from datasketch import LeanMinHash

    return LeanMinHash(seed=MINHASH_SEED, hashvalues=signature, scheme="affine32")


@dataclass(frozen=True)
class Sketches:
    """Each document's shingle set and MinHash signature (None for an empty body), by position."""

    keys: list[str]
    shingles: list[np.ndarray]
    signatures: list[np.ndarray | None]

    def by_key(self) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
        return {key: (s, sig) for key, s, sig in zip(self.keys, self.shingles, self.signatures, strict=True)}


def document_sketches(docs: pl.DataFrame) -> Sketches:
    """The shingle sets and signatures of ``docs`` (document_key, body), made once for the warehouse's
    look-up (``document_signatures``) and the linking (``deduplicate``). Null bodies are left out."""
    present = docs.filter(pl.col("body").is_not_null())
    shingles = shingle_sets(present.get_column("body").to_list())
    return Sketches(present.get_column("document_key").to_list(), shingles, minhash_signatures(shingles))


def document_signatures(docs: pl.DataFrame, sketches: Sketches | None = None) -> pl.DataFrame:
    """(document_key, content_hash, minhash) of ``docs`` (document_key, content_hash, body): what the
    warehouse is asked with for the loaded documents they may duplicate (exact hash, shared LSH bands).
    ``sketches``: ``document_sketches(docs)``, when the caller made them already."""
    known = (sketches or document_sketches(docs)).by_key()
    signatures = [known[key][1] if key in known else None for key in docs.get_column("document_key").to_list()]
    return docs.select("document_key", "content_hash").with_columns(
        minhash=pl.Series([None if s is None else s.tolist() for s in signatures], dtype=pl.List(pl.UInt32))
    )


def _ordered(docs: pl.DataFrame, existing: pl.DataFrame | None) -> pl.DataFrame:
    """Warehouse documents, then new ones; each part earliest published, then longest, then smallest key."""
    columns = {
        "document_key": pl.String,
        "content_hash": pl.String,
        "body": pl.String,
        "published_date": pl.Date,
        "word_count": pl.Int64,
        "minhash": pl.List(pl.UInt32),
    }

    def part(frame: pl.DataFrame, is_existing: bool) -> pl.DataFrame:
        present = [
            pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
            for c, t in columns.items()
        ]
        return (
            frame.select(present)
            .with_columns(_existing=pl.lit(is_existing))
            .sort(
                ["published_date", "word_count", "document_key"],
                descending=[False, True, False],
                nulls_last=True,
            )
        )

    new = part(docs, False)
    if existing is None or existing.is_empty():
        return new
    old = part(existing, True).filter(~pl.col("document_key").is_in(new.get_column("document_key").implode()))
    return pl.concat([old, new])


Link = tuple[str | None, str | None, float | None]  # (duplicate_of_key, kind, similarity)


def _link(nodes: list[_Doc], threshold: float) -> dict[str, Link]:
    """Greedy leader clustering in canonical order → {new key: (duplicate_of_key, kind, similarity)}.

    Exact first (the first document of each content hash leads); then each remaining new document
    joins the most similar earlier leader above ``threshold`` (ties: the earlier one), else leads.
    """
    exact_of = _exact_links(nodes)
    near_of = _near_links(nodes, exact_of, threshold)
    return {node.key: _link_of(node.key, exact_of, near_of) for node in nodes if not node.existing}


def _exact_links(nodes: list[_Doc]) -> dict[str, str]:
    """New key → the first document (in canonical order) with the same content hash."""
    exact_of: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    for node in nodes:  # already in canonical order
        if node.content_hash is None or (node.signature is None and not node.existing):
            continue  # new empty bodies all hash alike; linking them would say nothing
        head = first_by_hash.setdefault(node.content_hash, node.key)
        if head != node.key and not node.existing:
            exact_of[node.key] = head
    return exact_of


def _near_links(nodes: list[_Doc], exact_of: dict[str, str], threshold: float) -> dict[str, tuple[str, float]]:
    """New key → (the most similar earlier canonical leader at or above ``threshold``, its similarity)."""
    index = {n.key: n for n in nodes}
    leaders = [n for n in nodes if n.signature is not None and n.key not in exact_of]
    if all(n.existing for n in leaders):
        return {}  # no new document to link (a no-op rerun): no index, no datasketch import
    lsh, sketches = lsh_index(((node.key, node.signature) for node in leaders), threshold)

    near_of: dict[str, tuple[str, float]] = {}
    for node in leaders:
        if node.existing:
            continue
        # only earlier documents that are themselves canonical can lead
        others = [index[k] for k in lsh.query(sketches[node.key]) if index[k].rank < node.rank and k not in near_of]
        best = _best_leader(node, others, threshold)
        if best is not None:
            near_of[node.key] = (best[2], best[0])
    return near_of


def _best_leader(node: _Doc, others: list[_Doc], threshold: float) -> tuple[float, int, str] | None:
    """(similarity, rank, key) of the most similar of ``others`` at or above ``threshold``, ties to the earlier."""
    best: tuple[float, int, str] | None = None
    for other in others:
        score = round(_similarity(node, other), 6)
        if score >= threshold and (best is None or score > best[0] or (score == best[0] and other.rank < best[1])):
            best = (score, other.rank, other.key)
    return best


def _link_of(key: str, exact_of: dict[str, str], near_of: dict[str, tuple[str, float]]) -> Link:
    if key in exact_of:
        head = exact_of[key]
        if head in near_of:  # an exact copy of a near-duplicate joins its group, as near as its twin
            return near_of[head][0], "near", near_of[head][1]
        return head, "exact", 1.0
    if key in near_of:
        return near_of[key][0], "near", near_of[key][1]
    return None, None, None


def _lsh_threshold(threshold: float) -> float:
    return max(min(LSH_THRESHOLD, threshold - 0.1), 0.05)


def _similarity(a: _Doc, b: _Doc) -> float:
    if a.shingles is not None and b.shingles is not None:
        return jaccard(a.shingles, b.shingles)
    return float(np.mean(a.signature == b.signature))
