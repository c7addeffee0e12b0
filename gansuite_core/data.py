"""Batch streams whose every batch is a pure function of (seed, batch number).

That is what makes resume exact: a checkpoint stores how many batches were drawn, and the
resumed stream draws batch k+1 exactly as the uninterrupted run would have, with the same
shuffling and the same random augmentation, whatever the number of loader workers.
In data-parallel training each rank draws its own disjoint slice of every global batch.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

import numpy as np
import torch
from torch.utils.data import DataLoader, default_collate


class Source(Protocol):
    """A map-style data set. Random augmentation goes in `load(index, rng)` when defined."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Any: ...


def item_rng(seed: int, position: int) -> np.random.Generator:
    """The random generator of the item at a global stream position."""
    return np.random.default_rng([seed, position])


class _Items(torch.utils.data.Dataset):
    def __init__(self, source: Source, seed: int) -> None:
        self.source, self.seed = source, seed

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, key: tuple[int, int]) -> Any:
        index, position = key
        load = getattr(self.source, "load", None)
        return load(index, item_rng(self.seed, position)) if load else self.source[index]


class _Positions(torch.utils.data.Sampler):
    """Yields, for batches start, start+1, ...: [(index, position), ...] for this rank."""

    def __init__(self, n: int, batch_size: int, seed: int, rank: int, world: int, start: int, shuffle: bool) -> None:
        self.n, self.b, self.seed, self.rank, self.world, self.start, self.shuffle = n, batch_size, seed, rank, world, start, shuffle
        self._epoch, self._perm = -1, np.arange(0)

    def _index(self, position: int) -> int:
        epoch, offset = divmod(position, self.n)
        if not self.shuffle:
            return offset
        if epoch != self._epoch:  # one permutation per epoch, seeded by (seed, epoch): set_epoch without state
            self._epoch, self._perm = epoch, np.random.default_rng([self.seed, epoch, 7919]).permutation(self.n)
        return int(self._perm[offset])

    def __iter__(self):
        k = self.start
        while True:
            first = (k * self.world + self.rank) * self.b
            yield [(self._index(p), p) for p in range(first, first + self.b)]
            k += 1

    def __len__(self) -> int:  # DataLoader asks; the stream is endless
        return 2**62


class IndexedStream:
    """Endless shuffled batches from a map-style `Source`, resumable to the exact batch.

    `source.load(index, rng)` (if present) receives a numpy Generator that depends only on the
    seed and the item's position in the stream, so augmentation replays exactly after resume.
    """

    def __init__(
        self,
        source: Source,
        batch_size: int,
        *,
        seed: int,
        rank: int = 0,
        world: int = 1,
        workers: int = 0,
        shuffle: bool = True,
        collate: Callable[[list[Any]], Any] = default_collate,
        pin_memory: bool = False,
    ) -> None:
        if len(source) == 0:
            raise ValueError("IndexedStream: the source is empty")
        self.pin_memory = pin_memory  # True on CUDA (Context.pin_memory): page-locked batches copy without blocking
        self.source, self.batch_size, self.seed = source, batch_size, seed
        self.rank, self.world, self.workers, self.shuffle, self.collate = rank, world, workers, shuffle, collate
        self.drawn = 0
        self._it = None

    def _start(self) -> None:
        sampler = _Positions(len(self.source), self.batch_size, self.seed, self.rank, self.world, self.drawn, self.shuffle)
        loader = DataLoader(
            _Items(self.source, self.seed),
            batch_sampler=sampler,
            num_workers=self.workers,
            collate_fn=self.collate,
            persistent_workers=False,
            pin_memory=self.pin_memory,
            prefetch_factor=2 if self.workers else None,
            # Its own generator: creating the iterator would otherwise draw from the global RNG,
            # so a resumed run (which creates it later) would drift from the uninterrupted one.
            generator=torch.Generator().manual_seed(self.seed),
        )
        self._it = iter(loader)

    def __iter__(self) -> "IndexedStream":
        return self

    def __next__(self) -> Any:
        if self._it is None:
            self._start()
        batch = next(self._it)
        self.drawn += 1
        return batch

    def state_dict(self) -> dict[str, Any]:
        return {"drawn": self.drawn}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.drawn = int(state["drawn"])
        self._it = None


class SeededStream:
    """Endless batches made by `make(generator)`, where batch k's generator is seeded by (seed, k, rank).

    For procedural data drawn in bulk with torch (random bits, points of a mixture).
    """

    def __init__(self, make: Callable[[torch.Generator], Any], *, seed: int, rank: int = 0) -> None:
        self.make, self.seed, self.rank = make, seed, rank
        self.drawn = 0

    def __iter__(self) -> "SeededStream":
        return self

    def __next__(self) -> Any:
        g = torch.Generator().manual_seed(int(np.random.SeedSequence([self.seed, self.drawn, self.rank]).generate_state(1)[0]))
        self.drawn += 1
        return self.make(g)

    def state_dict(self) -> dict[str, Any]:
        return {"drawn": self.drawn}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.drawn = int(state["drawn"])
