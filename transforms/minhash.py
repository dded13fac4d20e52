"""MinHash signatures of word shingles: the sketches deduplication compares (``transforms.deduplicate``).

Shingles are hashed ``SHINGLE_WORDS``-word windows of the normalized body; a signature is the
minimum of ``NUM_PERM`` universal-hash permutations of them, computed vectorised in chunks.
"""

import functools
import zlib

import numpy as np
import polars as pl

SHINGLE_WORDS = 5
NUM_PERM = 128
MINHASH_SEED = 1
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
