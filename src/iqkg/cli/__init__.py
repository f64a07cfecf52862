"""The ``iqkg`` command: one sub-command module per concern, assembled here.

User errors (:class:`~iqkg.errors.IqkgError`) print a message and exit with 2 (or the
code the command chose); they never print a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from iqkg.cli import knowledge, partners, serve
from iqkg.errors import IqkgError
from iqkg.settings import Settings

#: Modules that add sub-commands: each has ``register(subparsers)`` and sets ``func``.
COMMAND_MODULES = [knowledge, serve, partners]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iqkg",
        description="Knowledge graph of the funding programme "
        "'Integration durch Qualifizierung (IQ)'.",
    )
    parser.add_argument("--store", help="store directory (default: IQKG_STORE or var/store)")
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
    except IqkgError as error:
        print(f"iqkg: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
