"""Run Oxigraph's parsers and evaluator on a thread whose stack cannot overflow.

Oxigraph parses and evaluates recursively: a SPARQL text of nested groups, a chain of
``UNION``s or ``+``s, or a JSON-LD document of nested objects needs stack in proportion to
its depth, and the 8 MiB of a default thread runs out at a few thousand levels. A stack
overflow in native code is not an exception Python can catch — it is SIGSEGV, and the
whole process is gone. Measured here (pyoxigraph 0.5.13): every query of up to 100 kB,
however nested, ran on a 512 MiB stack, while 3,000 nested groups killed an 8 MiB one.
The stack is reserved address space, not memory: pages are touched only as deep as the
input goes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Stack of the threads that run Oxigraph on untrusted text (see module docstring).
DEEP_STACK_BYTES = 512 << 20

_stack_size_lock = threading.Lock()


def deep_stack_bytes(memory_mb: int) -> int:
    """The deep stack for a process whose address space is capped at ``memory_mb`` (0: none).

    A stack is address space: under a cap of 1 GiB a 512 MiB stack left too little for
    RocksDB's own threads. An eighth of the cap still holds ~40,000 nested levels at 1 GiB.
    """
    if memory_mb <= 0:
        return DEEP_STACK_BYTES
    return max(16 << 20, min(DEEP_STACK_BYTES, (memory_mb << 20) // 8))


def start_deep_thread(
    target: Callable[[], object], name: str, stack_bytes: int = DEEP_STACK_BYTES
) -> threading.Thread:
    """Start ``target`` on a daemon thread with ``stack_bytes`` of stack.

    ``threading.stack_size`` applies to threads started after it is set, process-wide, so
    it is set and restored around this one start under a lock.
    """
    with _stack_size_lock:
        previous = threading.stack_size(stack_bytes)
        try:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread


def run_deep(function: Callable[[], T], name: str = "iqkg-deep") -> T:
    """Call ``function`` on a fresh deep-stack thread and return (or raise) its outcome."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def call() -> None:
        try:
            outcome.append(function())
        except BaseException as error:  # handed back to the caller's thread below
            failure.append(error)

    start_deep_thread(call, name).join()
    if failure:
        raise failure[0]
    return outcome[0]
