"""Reading ahead in a thread: every item in order, errors raised where they happened, no thread left."""

from __future__ import annotations

import threading
import time

import pytest

from sync.prefetch import ahead


def test_items_come_in_order_while_the_next_are_made():
    made = []

    def items():
        for n in range(10):
            made.append(n)
            yield n

    got = []
    for item in ahead(items(), depth=2):
        time.sleep(0.01)
        got.append(item)
        assert len(made) <= item + 1 + 3  # at most depth (+ the one being handed over) ahead
    assert got == list(range(10))


def test_an_error_is_raised_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ConnectionError("remote went away")

    got = []
    with pytest.raises(ConnectionError, match="went away"):
        for item in ahead(items()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_stops_the_thread():
    made = []

    def items():
        for n in range(1000):
            made.append(n)
            yield n

    for item in ahead(items(), depth=1):
        if item == 3:
            break
    time.sleep(0.2)
    assert len(made) <= 6
    assert not any(t.name == "sync-read-ahead" for t in threading.enumerate())
