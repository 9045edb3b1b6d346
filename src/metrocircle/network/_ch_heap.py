"""Heaps and growable buffers shared by the contraction-hierarchy kernels (Numba).

Two heaps: a plain binary heap of (float32 key, int64 value) pairs with lazy deletion, used by
every Dijkstra-like search, and an indexed min-heap over node priorities (contraction order).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["grow", "heap_pop", "heap_push", "iheap_sift"]


@njit(cache=True, inline="always")
def heap_push(hk: np.ndarray, hv: np.ndarray, size: int, key: float, val: int) -> int:
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@njit(cache=True, inline="always")
def heap_pop(hk: np.ndarray, hv: np.ndarray, size: int) -> int:
    """Remove the root; the caller has read ``hk[0], hv[0]`` before. Returns the new size."""
    size -= 1
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[i] <= hk[c]:
            break
        hk[c], hk[i] = hk[i], hk[c]
        hv[c], hv[i] = hv[i], hv[c]
        i = c
    return size


@njit(cache=True)
def iheap_sift(key: np.ndarray, heap: np.ndarray, where: np.ndarray, i: int, size: int) -> None:
    """Restore the indexed min-heap around slot ``i`` after ``key`` of its item changed."""
    while i > 0:
        p = (i - 1) >> 1
        if key[heap[p]] <= key[heap[i]]:
            break
        a, b = heap[p], heap[i]
        heap[p], heap[i] = b, a
        where[b], where[a] = p, i
        i = p
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and key[heap[c + 1]] < key[heap[c]]:
            c += 1
        if key[heap[i]] <= key[heap[c]]:
            break
        a, b = heap[c], heap[i]
        heap[c], heap[i] = b, a
        where[b], where[a] = c, i
        i = c


@njit(cache=True)
def grow(arr: np.ndarray, need: int) -> np.ndarray:
    if need <= arr.shape[0]:
        return arr
    new = np.empty(max(need, 2 * arr.shape[0]), dtype=arr.dtype)
    new[: arr.shape[0]] = arr
    return new
