"""The ``iqkg`` command: one sub-command module per concern, assembled here.

User errors (:class:`~iqkg.errors.IqkgError`) print a message and exit with 2 (or the
code the command chose); they never print a traceback. Output to a pipe that the reader
closed early (``iqkg query … | head``) ends quietly with 0, as ``cat`` and ``grep`` do.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from iqkg.cli import knowledge, partners, reading, serve
from iqkg.errors import IqkgError
from iqkg.settings import Settings

#: Modules that add sub-commands: each has ``register(subparsers)`` and sets ``func``.
COMMAND_MODULES = [knowledge, reading, serve, partners]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iqkg",
        description="Knowledge graph of the funding programme "
        "'Integration durch Qualifizierung (IQ)'.",
    )
    parser.add_argument(
        "--store", type=Path, help="store directory (default: IQKG_STORE or var/store)"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings().with_overrides(store=args.store)
    except ValueError as error:
        print(f"iqkg: invalid configuration: {error}", file=sys.stderr)
        return 2
    try:
        code: int = args.func(args, settings)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        _discard_stdout()
        return 0
    except IqkgError as error:
        print(f"iqkg: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again.

    The recipe of the Python documentation ("Note on SIGPIPE", module ``signal``).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
