"""An operator's SPARQL 1.1 Update, made ready for the store (SPARQL 1.1 Protocol §2.2).

What a caller may rely on, from :func:`prepare_update`:

* ``LOAD SILENT`` operations are removed: iqkg never fetches from the network, and SILENT
  means a failing LOAD must still report success (SPARQL 1.1 Update §3.1.4). A plain
  ``LOAD`` is refused by :func:`~iqkg.query.policy.inspect_update`.
* ``using-graph-uri``/``using-named-graph-uri`` become ``USING``/``USING NAMED`` clauses
  of every ``DELETE``/``INSERT … WHERE`` operation (pyoxigraph's update call takes no
  dataset); a request that has them *and* ``USING``/``USING NAMED``/``WITH`` in the text
  is refused, as Protocol §2.2.3 requires.
* An update naming ``graph/meta`` or an archived or private graph (after resolving
  prefixed names and relative IRIs) is refused before it runs. ``CLEAR``/``DROP``
  ``ALL``/``NAMED`` are spelt out as the writable graphs at commit time, so they never
  reach a protected graph; an update that reaches graphs through a variable
  (``GRAPH ?g``), or has ``\\u`` escapes or a ``BASE`` (which Oxigraph resolves, not this
  module) is run *guarded*: its effect is checked on a copy first (see
  :meth:`iqkg.store.dataset.Dataset.apply_update`).
* An update that is empty or only a prologue is a no-op (``operations`` is empty).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urljoin

from iqkg.errors import Forbidden, InputError
from iqkg.query.policy import Token, inspect_update, tokens
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.sparql_terms import iri
from iqkg.store.dataset import hidden_graph_prefixes

#: A statement that changes nothing, standing in for ``CLEAR NAMED`` with no graphs.
NO_OP = "INSERT DATA { }"


@dataclass(frozen=True)
class PreparedUpdate:
    """What the store runs: the operations (given the writable graphs) and whether guarded."""

    operations: Callable[[list[str]], str]
    guarded: bool
    empty: bool


def prepare_update(
    text: str,
    iris: IriScheme,
    *,
    base_iri: str,
    using_graphs: list[str],
    using_named_graphs: list[str],
    allowlist: frozenset[str] = frozenset(),
) -> PreparedUpdate:
    """Check and rewrite one update; raise a 4xx iqkg error for what may not run."""
    text = _without_trailing_prologue(_without_load_silent(text))
    found = tokens(text)
    if not found:
        return PreparedUpdate(lambda graphs: "", guarded=False, empty=True)
    if using_graphs or using_named_graphs:
        text = _with_using(text, found, using_graphs, using_named_graphs)
        found = tokens(text)
    inspect_update(text, allowlist)
    _refuse_protected(found, iris, base_iri)
    # Where the text may name a graph in a way this reading could miss (a graph variable,
    # a \u escape, a BASE that Oxigraph resolves), the store checks the effect instead.
    guarded = (
        "\\u" in text
        or "\\U" in text
        or any(_word(token) == "BASE" for token in found)
        or any(
            _word(token) == "GRAPH" and following.kind == "var"
            for token, following in pairwise(found)
        )
    )
    return PreparedUpdate(_spell_out_all(text, found), guarded=guarded, empty=False)


def _word(token: Token) -> str:
    return token.text.upper() if token.kind == "word" else ""


def _only_declarations(found: list[Token]) -> bool:
    """Whether the tokens are nothing but BASE/PREFIX declarations (a bare prologue)."""
    index = 0
    while index < len(found):
        word = _word(found[index])
        if word == "BASE":
            index += 2
        elif word == "PREFIX":
            index += 3
        else:
            return False
    return True


def _without_trailing_prologue(text: str) -> str:
    """Cut a prologue after the last ``;``: it precedes no operation, and the bookkeeping
    the store appends after ``;`` must not follow a prologue (Update §19.8, ``Update``)."""
    found = tokens(text)
    depth = 0
    last = -1
    for index, token in enumerate(found):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif token.text == ";" and depth == 0:
            last = index
    if _only_declarations(found[last + 1 :]):
        return text[: found[last].offset] if last >= 0 else ""
    return text


def _without_load_silent(text: str) -> str:
    """Drop ``LOAD SILENT <iri> [INTO GRAPH <iri>]`` (and its ``;``) from the text."""
    found = tokens(text)
    cuts: list[tuple[int, int]] = []
    index = 0
    while index < len(found):
        silent = index + 1 < len(found) and _word(found[index + 1]) == "SILENT"
        if _word(found[index]) == "LOAD" and silent:
            end = index + 3  # LOAD SILENT <iri>
            if end + 2 < len(found) and _word(found[end]) == "INTO":
                end += 3  # INTO GRAPH <iri>
            if end < len(found) and found[end].text == ";":
                end += 1
            stop = found[end].offset if end < len(found) else len(text)
            cuts.append((found[index].offset, stop))
            index = end
            continue
        index += 1
    for start, stop in reversed(cuts):
        text = text[:start] + text[stop:]
    return text


def _with_using(
    text: str, found: list[Token], using_graphs: list[str], using_named_graphs: list[str]
) -> str:
    """Add USING/USING NAMED before the WHERE of every DELETE/INSERT operation."""
    for token in found:
        if _word(token) in ("USING", "WITH"):
            raise InputError(
                "using-graph-uri/using-named-graph-uri cannot be combined with an update that "
                f"has {token.text.upper()} (SPARQL 1.1 Protocol §2.2.3); use one or the other."
            )
    clause = " ".join(
        [
            *(f"USING {iri(g)}" for g in using_graphs),
            *(f"USING NAMED {iri(g)}" for g in using_named_graphs),
        ]
    )
    inserts: list[int] = []
    depth = 0
    modify = False
    previous = ""
    for token in found:
        word = _word(token)
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and word in ("DELETE", "INSERT") and previous not in ("DELETE", "INSERT"):
            modify = True
        elif depth == 0 and word == "WHERE" and modify:
            if previous != "DELETE":  # DELETE WHERE has no USING (SPARQL 1.1 Update §3.1.3.3)
                inserts.append(token.offset)
            modify = False
        elif depth == 0 and token.text == ";":
            modify = False
        if token.kind != "other" or token.text not in "{}":
            previous = word
    for offset in reversed(inserts):
        text = f"{text[:offset]}{clause} {text[offset:]}"
    return text


def _refuse_protected(found: list[Token], iris: IriScheme, base_iri: str) -> None:
    """Refuse an update that names graph/meta or an archived or private graph."""
    meta = iris.graph("meta")
    hidden = hidden_graph_prefixes(iris)
    prefixes: dict[str, str] = {}
    base = base_iri
    for index, token in enumerate(found):
        word = _word(token)
        following = found[index + 1] if index + 1 < len(found) else None
        if word == "BASE" and following is not None and following.kind == "iri":
            base = urljoin(base, following.text[1:-1])
            continue
        if word == "PREFIX" and following is not None and index + 2 < len(found):
            prefixes[following.text.removesuffix(":")] = urljoin(base, found[index + 2].text[1:-1])
            continue
        iri: str | None = None
        if token.kind == "iri":
            iri = urljoin(base, token.text[1:-1])
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in prefixes:
                iri = prefixes[prefix] + local.replace("\\", "")
        if iri is not None and (iri == meta or iri.startswith(hidden)):
            raise Forbidden(
                f"the update names <{iri}>, which no operator write may touch (graph/meta, "
                "archived and private graphs are kept by iqkg itself); nothing was changed."
            )


def _spell_out_all(text: str, found: list[Token]) -> Callable[[list[str]], str]:
    """``CLEAR``/``DROP`` ``ALL``/``NAMED`` as the writable graphs, decided at commit time."""
    spans: list[tuple[int, int, str, str]] = []  # start, stop, verb, target
    for index, token in enumerate(found):
        verb = _word(token)
        if verb not in ("CLEAR", "DROP"):
            continue
        at = index + 1
        silent = at < len(found) and _word(found[at]) == "SILENT"
        at += silent
        if at < len(found) and _word(found[at]) in ("ALL", "NAMED"):
            target = found[at]
            spans.append((token.offset, target.offset + len(target.text), verb, target.text))
    if not spans:
        return lambda graphs: text

    def operations(graphs: list[str]) -> str:
        result = text
        for start, stop, verb, target in reversed(spans):
            ops = [f"{verb} SILENT GRAPH {iri(g)}" for g in graphs]
            if target.upper() == "ALL":
                ops.insert(0, f"{verb} SILENT DEFAULT")
            result = result[:start] + (" ;\n".join(ops) or NO_OP) + result[stop:]
        return result

    return operations
