"""Sub-commands for partners: registering them and submitting data (issue: submissions)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Nothing yet: `partner` and `submit` arrive with partner submissions."""
