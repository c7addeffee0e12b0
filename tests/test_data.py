"""Batch streams: pure functions of (seed, batch number), so resume and sharding are exact."""
from __future__ import annotations

import numpy as np
import torch

from gansuite_core import IndexedStream, SeededStream


class Noisy:
    """Item i is i plus augmentation noise drawn from the item's own rng."""

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> torch.Tensor:
        return torch.tensor([float(i)])

    def load(self, i: int, rng: np.random.Generator) -> torch.Tensor:
        return torch.tensor([float(i), rng.random()])


def take(stream, n):
    return [next(stream) for _ in range(n)]


def test_restored_stream_continues_identically_and_does_not_touch_global_rng():
    a = IndexedStream(Noisy(), 4, seed=3)
    first = take(a, 7)
    b = IndexedStream(Noisy(), 4, seed=3)
    take(b, 3)
    state = b.state_dict()
    c = IndexedStream(Noisy(), 4, seed=3)
    c.load_state_dict(state)
    before = torch.get_rng_state()
    rest = take(c, 4)
    assert torch.equal(before, torch.get_rng_state())
    assert all(torch.equal(x, y) for x, y in zip(first[3:], rest))


def test_epochs_are_permutations_and_ranks_disjoint():
    s = IndexedStream(Noisy(), 5, seed=0)
    epoch = torch.cat([b[:, 0] for b in take(s, 2)])
    assert sorted(epoch.tolist()) == list(range(10))
    r0 = IndexedStream(Noisy(), 5, seed=0, rank=0, world=2)
    r1 = IndexedStream(Noisy(), 5, seed=0, rank=1, world=2)
    both = torch.cat([next(r0)[:, 0], next(r1)[:, 0]])
    assert sorted(both.tolist()) == list(range(10))


def test_workers_do_not_change_batches():
    a = take(IndexedStream(Noisy(), 3, seed=1, workers=0), 5)
    b = take(IndexedStream(Noisy(), 3, seed=1, workers=2), 5)
    assert all(torch.equal(x, y) for x, y in zip(a, b))


def test_seeded_stream_resumes():
    make = lambda g: torch.randn(2, generator=g)  # noqa: E731
    s = SeededStream(make, seed=5)
    seq = take(s, 4)
    t = SeededStream(make, seed=5)
    t.load_state_dict({"drawn": 2})
    assert torch.equal(next(t), seq[2])
    assert not torch.equal(next(SeededStream(make, seed=5, rank=1)), seq[0])
