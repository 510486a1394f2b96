"""The garbage collector is paused while a PDF is laid out, and always comes back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from tracker.reports.render import collection_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_comes_back_when_the_layout_fails() -> None:
    with pytest.raises(ZeroDivisionError), collection_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_it_stays_off_until_the_last_of_overlapping_renders_ends() -> None:
    first_inside, first_may_end = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collection_paused():
            first_inside.set()
            first_may_end.wait(10)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(10)
    with collection_paused():
        pass
    seen.append(gc.isenabled())  # the second render ended while the first still runs
    first_may_end.set()
    thread.join(10)
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
