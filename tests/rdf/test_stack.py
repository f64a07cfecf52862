"""rdf/stack.py: work runs on a thread with the stack asked for, its result or exception
comes back, and the process-wide default stack size is left as it was."""

from __future__ import annotations

import ctypes
import sys
import threading

import pytest

from iqkg.rdf.stack import DEEP_STACK_BYTES, deep_stack_bytes, run_deep, start_deep_thread

MIB = 1 << 20


@pytest.mark.parametrize(
    ("memory_mb", "expected"),
    [
        (0, DEEP_STACK_BYTES),  # no cap: the full deep stack
        (-1, DEEP_STACK_BYTES),
        (1024, 1024 * MIB // 8),  # an eighth of the cap
        (8192, min(DEEP_STACK_BYTES, 8192 * MIB // 8)),
        (64, 16 * MIB),  # never below 16 MiB
        (1 << 20, DEEP_STACK_BYTES),  # never above the deep stack
    ],
)
def test_deep_stack_for_a_memory_cap(memory_mb: int, expected: int) -> None:
    assert deep_stack_bytes(memory_mb) == expected


def test_run_deep_returns_and_runs_elsewhere() -> None:
    caller = threading.get_ident()
    ran_on = run_deep(threading.get_ident, name="iqkg-test")
    assert ran_on != caller


def test_run_deep_raises_the_functions_exception() -> None:
    def fail() -> None:
        raise LookupError("from the deep thread")

    with pytest.raises(LookupError, match="from the deep thread"):
        run_deep(fail)


def test_run_deep_returns_none_results() -> None:
    assert run_deep(lambda: None) is None


def _own_stack_bytes() -> int:
    """The calling thread's stack as the C library set it up (Linux, glibc)."""
    libc = ctypes.CDLL(None)
    libc.pthread_self.restype = ctypes.c_ulong
    attr = ctypes.create_string_buffer(128)  # pthread_attr_t is 56 bytes on x86-64
    assert libc.pthread_getattr_np(ctypes.c_ulong(libc.pthread_self()), attr) == 0
    size = ctypes.c_size_t()
    libc.pthread_attr_getstacksize(attr, ctypes.byref(size))
    libc.pthread_attr_destroy(attr)
    return size.value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pthread_getattr_np is glibc's")
def test_run_deep_runs_on_the_deep_stack() -> None:
    assert run_deep(_own_stack_bytes) >= DEEP_STACK_BYTES
    seen: list[int] = []
    start_deep_thread(lambda: seen.append(_own_stack_bytes()), "t", 32 * MIB).join()
    assert 32 * MIB <= seen[0] < DEEP_STACK_BYTES


def test_stack_size_is_restored_and_thread_is_a_daemon() -> None:
    before = threading.stack_size()
    done = threading.Event()
    thread = start_deep_thread(done.set, "iqkg-test", stack_bytes=32 * MIB)
    thread.join()
    assert done.is_set()
    assert thread.daemon and thread.name == "iqkg-test"
    assert threading.stack_size() == before
