"""Sub-commands for partners: ``iqkg partner add|list|revoke`` and ``iqkg submit``.

``partner`` works on the SQLite file beside the store, so it runs while the server holds
the store. ``submit`` sends a file to a running server and prints the report exactly as
the offline ``iqkg validate`` does (the same :class:`ValidationReport` rendering).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from iqkg.cli.common import add_report_arguments
from iqkg.errors import InputError
from iqkg.rdf.formats import rdf_syntax_for_path
from iqkg.settings import Settings
from iqkg.submissions.partners import PartnerRegistry
from iqkg.validation.report import ValidationReport, ValidationResult, report_prefixes


def register(subparsers: Any) -> None:
    partner = subparsers.add_parser("partner", help="register partners and manage their tokens")
    actions = partner.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register a partner and print its token (once)")
    add.add_argument("name", help="the partner's name, e.g. 'IQ Netzwerk Bayern'")
    add.add_argument(
        "--slug", help="its IRI slug, lower-case ASCII (default: derived from the name)"
    )
    add.set_defaults(func=cmd_partner_add)
    listing = actions.add_parser("list", help="list partners (never their tokens)")
    listing.set_defaults(func=cmd_partner_list)
    revoke = actions.add_parser("revoke", help="revoke a partner's token")
    revoke.add_argument("slug", help="the partner's slug (see `iqkg partner list`)")
    revoke.set_defaults(func=cmd_partner_revoke)

    submit = subparsers.add_parser(
        "submit",
        help="submit an RDF file to a running iqkg",
        description="Submit an RDF file as a partner. The token comes from --token-file or "
        "--token, else from IQKG_TOKEN; --token stays in shell history, so prefer the others.",
    )
    submit.add_argument(
        "file", type=Path, help="the RDF file (format from the extension: .ttl, .nt, .jsonld …)"
    )
    submit.add_argument(
        "--endpoint",
        metavar="URL",
        help="the server, e.g. https://iqkg.example.org (default: the configured server, "
        "http://IQKG_HOST:IQKG_PORT)",
    )
    submit.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="read your partner token from FILE (its first line)",
    )
    submit.add_argument("--token", help="your partner token (prefer IQKG_TOKEN or --token-file)")
    submit.add_argument(
        "--replace", metavar="ID", help="store the file as a new version of submission ID"
    )
    add_report_arguments(submit, "the answer")
    submit.set_defaults(func=cmd_submit)


def _registry(settings: Settings) -> PartnerRegistry:
    return PartnerRegistry(settings.partners_path)


def cmd_partner_add(args: argparse.Namespace, settings: Settings) -> int:
    partner, token = _registry(settings).add(args.name, args.slug)
    print(f"registered partner {partner.slug!r} ({partner.name})")
    print(f"IRI space: {settings.base}id/partner/{partner.slug}/")
    print(f"token (shown only now; store it safely): {token}")
    return 0


def cmd_partner_list(args: argparse.Namespace, settings: Settings) -> int:
    partners = _registry(settings).list()
    if not partners:
        print("no partners registered; add one with `iqkg partner add NAME`")
    for p in partners:
        state = f"revoked {p.revoked}" if p.revoked else "active"
        print(f"{p.slug}\t{p.name}\tcreated {p.created}\t{state}")
    return 0


def cmd_partner_revoke(args: argparse.Namespace, settings: Settings) -> int:
    partner = _registry(settings).revoke(args.slug)
    print(f"revoked the token of {partner.slug!r} ({partner.revoked}); its submissions stay")
    return 0


def report_from_json(data: dict[str, Any]) -> ValidationReport:
    """A report as the server sent it, for the same text rendering as offline validation."""

    results = [
        ValidationResult(
            focus=r["focusNode"],
            path=r.get("resultPath"),
            value=r.get("value"),
            shape=r.get("sourceShape") or "",
            constraint=r.get("sourceConstraintComponent") or "",
            severity=r.get("severity") or "Violation",
            messages=r.get("messages") or {},
        )
        for r in data.get("results", [])
    ]
    ownership: str | bool | None = None
    if "ownershipChecked" in data:
        ownership = (data.get("partner") or True) if data["ownershipChecked"] else False
    return ValidationReport(results=results, triples=[], ownership=ownership)


def _token(args: argparse.Namespace, settings: Settings) -> str:
    """The partner token: the flags win over the environment (IQKG_TOKEN)."""
    if args.token_file:
        try:
            lines = args.token_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise InputError(f"cannot read {args.token_file}: {error.strerror}") from None
        token = lines[0].strip() if lines else ""
        if not token:
            raise InputError(f"{args.token_file} holds no token")
        return token
    token = args.token or settings.token
    if not token:
        raise InputError(
            "no partner token: set IQKG_TOKEN, or pass --token-file FILE (or --token TOKEN)"
        )
    return str(token)


def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    syntax = rdf_syntax_for_path(path.name)
    token = _token(args, settings)
    accept = "text/turtle" if args.format == "turtle" else "application/json"
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": syntax.media_type,
        "Accept": accept,
    }
    endpoint = (args.endpoint or settings.server_url).rstrip("/")
    url = f"{endpoint}/submissions" + (f"/{args.replace}" if args.replace else "")
    try:
        response = httpx.request(
            "PUT" if args.replace else "POST",
            url,
            content=path.read_bytes(),
            headers=headers,
            params={"lang": args.lang},
            timeout=300,
        )
    except httpx.HTTPError as error:
        print(f"iqkg: cannot reach {endpoint}: {error}", file=sys.stderr)
        return 2
    names = report_prefixes(settings.base)
    if response.status_code in (200, 201):
        body = response.json()
        where = f"submission {body['id']} version {body['version']} ({endpoint}{body['url']})"
        if body.get("unchanged"):
            print(f"unchanged: the same content is already {where}; nothing was written")
        else:
            print(f"accepted: {where}")
        if args.format == "json":
            print(json.dumps(body, ensure_ascii=False, indent=2))
        elif body.get("report", {}).get("results"):
            print(report_from_json(body["report"]).as_text(args.lang, names))
        return 0
    if response.status_code == 422:
        if args.format == "turtle":
            print(response.text)
        elif args.format == "json":
            print(json.dumps(response.json(), ensure_ascii=False, indent=2))
        else:
            print(report_from_json(response.json()).as_text(args.lang, names))
        return 1
    try:
        message = response.json().get("message", response.text)
    except ValueError:
        message = response.text.strip()
    print(f"iqkg: {response.status_code}: {message}", file=sys.stderr)
    return 2
