"""faults.py: ``name[:n]`` parsing and the n-th visit of an armed point (SIGKILL of a child
process, never of the test process)."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from iqkg.faults import NO_CRASHES, POINTS, CrashPoints, parse_crash_at

SOME_POINT = sorted(POINTS)[0]
OTHER_POINT = sorted(POINTS)[1]


@pytest.mark.parametrize("name", sorted(POINTS))
def test_every_point_parses_with_and_without_count(name: str) -> None:
    assert parse_crash_at(name) == (name, 1)
    assert parse_crash_at(f"{name}:12") == (name, 12)


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("no.such.point", "unknown crash point"),
        ("", "unknown crash point"),
        (SOME_POINT.upper(), "unknown crash point"),
        (f"{SOME_POINT}:0", "positive integer"),
        (f"{SOME_POINT}:-1", "positive integer"),
        (f"{SOME_POINT}:two", "positive integer"),
        (f"{SOME_POINT}:1.5", "positive integer"),
    ],
)
def test_bad_specs_are_refused(spec: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_crash_at(spec)


def test_unknown_point_lists_the_known_ones() -> None:
    with pytest.raises(ValueError) as raised:
        parse_crash_at("nope")
    assert all(name in str(raised.value) for name in POINTS)


def test_disarmed_points_never_fire() -> None:
    for name in POINTS:
        assert not NO_CRASHES.armed(name)
        NO_CRASHES.reach(name)  # would kill the test process if it fired


def test_armed_only_until_the_nth_visit() -> None:
    points = CrashPoints(f"{SOME_POINT}:3")
    assert points.armed(SOME_POINT)
    assert not points.armed(OTHER_POINT)
    points.reach(OTHER_POINT)  # another point does not count
    assert points._reached == 0
    # visits before the n-th do not fire; the victim is a pid that must not be signalled
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        points.reach(SOME_POINT, pid=child.pid)
        points.reach(SOME_POINT, pid=child.pid)
        assert child.poll() is None
        assert points.armed(SOME_POINT)
        points.reach(SOME_POINT, pid=child.pid)  # the third visit fires
        assert child.wait(timeout=10) == -signal.SIGKILL
        assert not points.armed(SOME_POINT)
    finally:
        child.kill()
        child.wait()
