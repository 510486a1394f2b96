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


def test_a_render_ending_while_another_goes_on_collects_once() -> None:
    """Renders that keep overlapping must not keep the collector away for good."""
    inside, may_end = threading.Event(), threading.Event()
    collections: list[str] = []

    def note(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    def other() -> None:
        with collection_paused():
            inside.set()
            may_end.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    gc.callbacks.append(note)
    try:
        with collection_paused():
            pass
        assert collections  # collected although the other render still runs
        assert not gc.isenabled()
    finally:
        gc.callbacks.remove(note)
        may_end.set()
        thread.join(10)
    assert gc.isenabled()
