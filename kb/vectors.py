"""FAISS indexes of passage vectors: a passage's own vector and its table rows', keyed by chunk id."""

from __future__ import annotations

import numpy as np

# A table row's vector sits in the chunk's FAISS index under the chunk's id plus (row number + 1) << 40:
# a search finds the row and reads the chunk it belongs to.
ROW_ID_SHIFT = 40


def chunk_of(vector_ids: np.ndarray) -> np.ndarray:
    """Return the chunk id of each FAISS vector id (a chunk's own vector or one of its table rows')."""
    return vector_ids & ((1 << ROW_ID_SHIFT) - 1)


def build_faiss(ids: np.ndarray, vectors: np.ndarray, *, dim: int):  # type: ignore[no-untyped-def]
    """Return an exact inner-product FAISS index keyed by chunk id."""
    import faiss

    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    return index


def restrict_faiss(index, chunk_ids: np.ndarray):  # type: ignore[no-untyped-def]
    """Return a new index holding only these chunks' vectors (their own and their table rows')."""
    if index.ntotal == 0:
        return index
    import faiss

    ids = faiss.vector_to_array(index.id_map)
    keep = np.isin(chunk_of(ids), chunk_ids)
    vectors = index.index.reconstruct_n(0, index.ntotal)
    return build_faiss(ids[keep], vectors[keep], dim=index.d)
