"""Find duplicate documents: exact (same normalized body) and near (MinHash LSH over word shingles,
verified by the true Jaccard similarity of the shingle sets), within a batch and against the warehouse.
"""

import functools
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

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

SHINGLE_WORDS = 5
NUM_PERM = 128
MINHASH_SEED = 1
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

_CHUNK_DOCS = 500  # texts tokenised together: bounds memory, keeps polars vectorised
_CHUNK_SHINGLES = 200_000  # shingles permuted together: 200k x 128 x 4 bytes = 100 MB
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0x85EBCA77C2B2AE63,
        0x27D4EB2F165667C5,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
    ],
    dtype=np.uint64,
)


@dataclass(frozen=True)
class _Doc:
    key: str
    rank: int  # position in the canonical order: lower = preferred canonical
    content_hash: str | None
    shingles: np.ndarray | None  # sorted unique uint32 shingle hashes; None when only a signature is known
    signature: np.ndarray | None  # uint32[NUM_PERM]; None for an empty body
    existing: bool


def shingle_sets(texts: list[str | None], size: int = SHINGLE_WORDS) -> list[np.ndarray]:
    """Sorted unique 32-bit hashes of each text's lower-cased word ``size``-grams, stable across machines.

    Words are hashed with crc32 and windows combined with fixed odd multipliers, so the values do not
    depend on the library versions (signatures stored in the warehouse stay comparable). A text
    shorter than ``size`` words is one shingle; an empty or null text has none. Vectorised over a
    chunk of texts (polars tokenises, numpy combines), which keeps the cost linear and low.
    """
    out: list[np.ndarray] = []
    for start in range(0, len(texts), _CHUNK_DOCS):
        out.extend(_shingle_chunk(texts[start : start + _CHUNK_DOCS], size))
    return out


def _shingle_chunk(texts: list[str | None], size: int) -> list[np.ndarray]:
    words = (
        pl.DataFrame({"text": texts}, schema={"text": pl.String})
        .with_row_index("doc")
        .select("doc", pl.col("text").str.to_lowercase().str.extract_all(r"\w+").alias("word"))
        .explode("word")
        .drop_nulls("word")
    )
    vocabulary = words.get_column("word").unique().to_list()
    codes = [zlib.crc32(w.encode("utf-8")) for w in vocabulary]
    hashed = words.with_columns(
        pl.col("word").replace_strict(vocabulary, codes, return_dtype=pl.UInt64).alias("h")
    )
    if hashed.is_empty():
        return [np.empty(0, dtype=np.uint32) for _ in texts]
    doc = hashed.get_column("doc").cast(pl.Int64).to_numpy()
    ids = hashed.get_column("h").cast(pl.UInt64).to_numpy()
    counts = np.bincount(doc, minlength=len(texts))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # Window i covers words i..i+size-1; it is valid when it stays inside one document.
    n = max(ids.size - size + 1, 0)
    combined = np.zeros(n, dtype=np.uint64)
    for j in range(size):
        combined += ids[j : j + n] * _MIX[j]  # uint64 overflow wraps by design
    valid = doc[:n] == doc[size - 1 : size - 1 + n] if n else np.zeros(0, dtype=bool)
    window_doc = doc[:n][valid]
    window_hash = combined[valid]
    short = np.flatnonzero((counts > 0) & (counts < size))
    if short.size:  # texts shorter than one window: the whole text is the shingle
        extra = np.zeros(short.size, dtype=np.uint64)
        for row, d in enumerate(short):
            part = ids[starts[d] : starts[d] + counts[d]]
            extra[row] = np.sum(part * _MIX[: part.size], dtype=np.uint64)
        window_doc = np.concatenate([window_doc, short])
        window_hash = np.concatenate([window_hash, extra])
    mixed = _fmix64(window_hash) >> np.uint64(32)
    keyed = np.sort((window_doc.astype(np.uint64) << np.uint64(32)) | mixed)
    # sort + neighbour test: numpy 2.4's hash-based np.unique is ~100x slower on uint64 here
    keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))] if keyed.size else keyed
    owners = (keyed >> np.uint64(32)).astype(np.int64)
    values = (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    bounds = np.searchsorted(owners, np.arange(len(texts) + 1))
    return [values[bounds[i] : bounds[i + 1]] for i in range(len(texts))]


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """``shingle_sets`` of one text."""
    return shingle_sets([text], size)[0]


def minhash_signatures(shingles: list[np.ndarray], num_perm: int = NUM_PERM) -> list[np.ndarray | None]:
    """datasketch MinHash values (affine32 scheme, seed MINHASH_SEED) of each shingle set; None if empty.

    Same numbers as ``MinHash(num_perm, seed).update_batch(shingles)`` with an identity hash (a test
    checks it), computed for many sets at once with ``np.minimum.reduceat``.
    """
    out: list[np.ndarray | None] = [None] * len(shingles)
    filled = [i for i, s in enumerate(shingles) if s.size]
    if not filled:  # a no-op rerun: no permutations, and no datasketch import, for nothing to hash
        return out
    a, b = _permutations(num_perm)
    step = 0
    while step < len(filled):
        batch, total = [], 0
        while step < len(filled) and (not batch or total + shingles[filled[step]].size <= _CHUNK_SHINGLES):
            batch.append(filled[step])
            total += shingles[filled[step]].size
            step += 1
        values = np.concatenate([shingles[i] for i in batch])
        offsets = np.concatenate(([0], np.cumsum([shingles[i].size for i in batch])[:-1]))
        # One row per permutation keeps reduceat on contiguous memory; uint32 wrap-around is the modulo 2^32.
        permuted = a[:, None] * _fmix32(values)[None, :]
        permuted += b[:, None]
        minima = np.minimum.reduceat(permuted, offsets, axis=1)
        for column, i in enumerate(batch):
            out[i] = np.ascontiguousarray(minima[:, column])
    return out


def minhash_signature(shingles: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray | None:
    """``minhash_signatures`` of one shingle set."""
    return minhash_signatures([shingles], num_perm)[0]


@functools.cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash  # imports scipy (a second): only runs with new documents need it

    a, b = MinHash(num_perm=num_perm, seed=MINHASH_SEED).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme pre-mixes its inputs."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """True Jaccard similarity of two sorted unique hash arrays."""
    if a.size == 0 or b.size == 0:
        return 0.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def deduplicate(
    docs: pl.DataFrame,
    existing: pl.DataFrame | None = None,
    threshold: float = NEAR_THRESHOLD,
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
    """
    if docs.get_column("document_key").n_unique() != docs.height:
        raise ValueError("deduplicate needs unique document_key values")
    order = _ordered(docs, existing)
    bodies = order.get_column("body").to_list()
    with_body = [i for i, body in enumerate(bodies) if body is not None]
    shingles: list[np.ndarray | None] = [None] * order.height
    signatures: list[np.ndarray | None] = [None] * order.height
    computed = shingle_sets([bodies[i] for i in with_body])
    for i, s, sig in zip(with_body, computed, minhash_signatures(computed), strict=True):
        shingles[i], signatures[i] = s, sig
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
    """Keys of warehouse documents that MinHash LSH proposes as near-duplicates of new ``docs``.

    The caller fetches just these bodies and adds them to ``existing`` (a ``body`` column), so
    ``deduplicate`` verifies each candidate by the true Jaccard without loading the whole warehouse.
    ``existing`` needs document_key and minhash; ``docs`` needs body. Sorted, without repeats.
    """
    if existing.is_empty() or "minhash" not in existing.columns or docs.is_empty():
        return []
    lsh = _lsh_index(
        {
            key: _sketch(np.asarray(values, dtype=np.uint32))
            for key, values in existing.select("document_key", "minhash").drop_nulls().iter_rows()
        },
        threshold,
    )
    found: set[str] = set()
    for signature in minhash_signatures(shingle_sets(docs.get_column("body").to_list())):
        if signature is not None:
            found.update(lsh.query(_sketch(signature)))
    return sorted(found)


def _sketch(signature: np.ndarray):
    """A MinHash signature as datasketch's sketch (affine32, the scheme the signatures are made with)."""
    from datasketch import LeanMinHash  # imports scipy (a second): only runs with new documents need it

    return LeanMinHash(seed=MINHASH_SEED, hashvalues=signature, scheme="affine32")


def _lsh_index(sketches: dict, threshold: float):
    """An LSH index over ``sketches`` (key → sketch) that proposes pairs near ``threshold``."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=_lsh_threshold(threshold), num_perm=NUM_PERM)
    for key, sketch in sketches.items():
        lsh.insert(key, sketch, check_duplication=False)
    return lsh


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
    sketches = {node.key: _sketch(node.signature) for node in leaders}
    lsh = _lsh_index(sketches, threshold)
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
