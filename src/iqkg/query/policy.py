"""What a SPARQL request is, and whether iqkg lets it run: read-only, no network.

pyoxigraph exposes no algebra, and rdflib's parser costs milliseconds a query, so this
module reads the request with a tokenizer that follows the SPARQL 1.1 grammar's
terminals (§19.8): string literals (all four quotings, with escapes), comments, IRI
references, variables, prefixed names and blank-node labels are single tokens, so a
keyword hidden inside any of them is never taken for a keyword, while a keyword in a
nested subquery or FILTER EXISTS is found wherever it is. Only bare words are keywords.

What a caller may rely on:

* :func:`inspect_query` returns the query form (``SELECT``/``ASK``/``CONSTRUCT``/
  ``DESCRIBE``) and the graphs named by ``FROM``/``FROM NAMED``, or raises
  :class:`~iqkg.errors.QueryRefused` for an update (incl. ``LOAD``) and for ``SERVICE``
  to an endpoint not in the allow-list (``SERVICE ?var`` is always refused: its target is
  unknown until run time).
* :func:`inspect_update` does the same for ``/update``: ``LOAD`` and ``SERVICE`` are
  refused there too, since both make the server fetch from the network.

Syntax errors are left to Oxigraph, which reports them with line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from iqkg.errors import QueryRefused

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
              |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<bnode>_:[\w.\-\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7]*)?:
              (?:[\w:%\-.\u00b7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
#: Calls whose value changes from one evaluation to the next (SPARQL 1.1 Query §17.4), and
#: SERVICE, whose remote answer may: answers using them are never reused.
VOLATILE_WORDS = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE", "SERVICE"})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class QueryShape:
    """What the request asks for, as far as the protocol and the policy care."""

    form: str
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    volatile: bool = False

    @property
    def returns_graph(self) -> bool:
        return self.form in GRAPH_FORMS

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def tokens(text: str) -> list[Token]:
    """Significant tokens (no whitespace or comments); unknown characters are ``other``."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Reader:
    """Walks the tokens of one request, keeping the PREFIX/BASE declarations it meets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokens(text)
        self.prefixes: dict[str, str] = {}
        self.base = ""

    def keyword(self, index: int) -> str:
        if index < len(self.tokens) and self.tokens[index].kind == "word":
            return self.tokens[index].text.upper()
        return ""

    def iri(self, index: int) -> str | None:
        """The IRI a token denotes (IRI reference or declared prefixed name), if any."""
        if index >= len(self.tokens):
            return None
        token = self.tokens[index]
        if token.kind == "iri":
            value = _unescape(token.text[1:-1])
            return value if ":" in value or not self.base else self.base + value
        if token.kind == "pname":
            return self.expand(token.text)
        return None

    def expand(self, pname: str) -> str | None:
        prefix, _, local = pname.partition(":")
        if prefix not in self.prefixes:
            return None
        return self.prefixes[prefix] + local.replace("\\", "")

    def _declarations(self) -> None:
        """Record every BASE and PREFIX (an update may declare more after a ``;``)."""
        for index, token in enumerate(self.tokens[:-1]):
            word = token.text.upper() if token.kind == "word" else ""
            following = self.tokens[index + 1]
            if word == "BASE" and following.kind == "iri":
                self.base = _unescape(following.text[1:-1])
            elif word == "PREFIX" and index + 2 < len(self.tokens):
                name = following.text
                self.prefixes[name[:-1] if name.endswith(":") else name] = _unescape(
                    self.tokens[index + 2].text[1:-1]
                )

    def prologue_end(self) -> int:
        """Index of the first token after the BASE/PREFIX declarations."""
        self._declarations()
        index = 0
        while True:
            word = self.keyword(index)
            if word == "BASE":
                index += 2
            elif word == "PREFIX":
                index += 3
            else:
                return index

    def fused(self, index: int, keyword: str) -> str | None:
        """``SERVICE:x`` lexes as a prefixed name, yet Oxigraph reads SERVICE then ``:x``.

        Returns the would-be target (``:x``) when token ``index`` is such a fusion of
        ``keyword`` with a prefixed name (and not a PREFIX declaration).
        """
        token = self.tokens[index]
        if token.kind != "pname" or (index and self.keyword(index - 1) == "PREFIX"):
            return None
        prefix, _, local = token.text.partition(":")
        return ":" + local if prefix.upper() == keyword else None

    def check_services(self, allowlist: frozenset[str]) -> None:
        if allowlist:
            self._all_services_seen()
        for index, token in enumerate(self.tokens):
            fused = self.fused(index, "SERVICE")
            if fused is not None:
                # "service:p" with no ":" prefix declared cannot be a call Oxigraph runs.
                endpoint = self._pname_target(fused)
                if endpoint is not None:
                    self._check_target(token, endpoint, allowlist)
            elif token.kind == "word" and token.text.upper() == "SERVICE":
                target = index + 1
                silent = self.fused(target, "SILENT") if target < len(self.tokens) else None
                if silent is not None:
                    self._check_target(token, self._pname_target(silent), allowlist)
                    continue
                if self.keyword(target) == "SILENT":
                    target += 1
                self._check_target(token, self._target(target), allowlist)

    def _all_services_seen(self) -> None:
        """Where SERVICE may reach the network, every occurrence must be read as one."""
        _refuse_unread_words(self, _SERVICE_WORD, "SERVICE")

    def _pname_target(self, pname: str) -> str | None:
        return self.expand(pname)

    def _target(self, index: int) -> str | None:
        """The endpoint a SERVICE names; ``"?"`` for a variable; None when it cannot be one
        (an undeclared prefix: Oxigraph then cannot read a SERVICE call there either)."""
        if index < len(self.tokens) and self.tokens[index].kind == "var":
            return "?"
        return self.iri(index)

    def _check_target(self, token: Token, target: str | None, allowlist: frozenset[str]) -> None:
        line, column = _line_column(self.text, token.offset)
        where: dict[str, object] = {"line": line, "column": column}
        if target is None:  # fail closed: what cannot be read cannot be allowed
            raise QueryRefused(
                f"line {line}, column {column}: cannot tell which endpoint this SERVICE "
                "calls; write it as a full IRI <…> of an allowed endpoint.",
                detail=where,
            )
        if target == "?":
            raise QueryRefused(
                f"line {line}, column {column}: SERVICE with a variable endpoint is not "
                "allowed here; name an allowed endpoint IRI.",
                detail=where,
            )
        if target not in allowlist:
            allowed = ", ".join(sorted(allowlist)) or "none are configured"
            raise QueryRefused(
                f"line {line}, column {column}: SERVICE <{target}> is refused: this endpoint "
                f"does not make requests to other services unless the operator allows them "
                f"(IQKG_SERVICE_ALLOWLIST; allowed: {allowed}).",
                detail=where,
            )


_ESCAPE = re.compile(r"\\[uU]")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_WORD = re.compile(r"(?<![A-Za-z0-9_])service(?![A-Za-z0-9_])", re.IGNORECASE)
_LOAD_WORD = re.compile(r"(?<![A-Za-z0-9_])load(?![A-Za-z0-9_])", re.IGNORECASE)
#: Words whose reading decides where a request reaches (network) or what it reads (dataset).
_REACH_WORDS = re.compile(
    r"(?<![A-Za-z0-9_])(service|load|from|graph)(?![A-Za-z0-9_])", re.IGNORECASE
)


def _unescape(iri: str) -> str:
    """An IRI reference's ``\\u``/``\\U`` escapes (SPARQL §19.8 UCHAR) as characters."""
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def _refuse_escapes_where_they_matter(text: str) -> None:
    """Fail closed on backslashes the tokenizer might misread.

    Outside string literals a backslash is a local-name escape (``ex:a\\#b``) or an IRI's
    ``\\u`` escape; both are read above, but a misreading there once let ``# …`` swallow
    a ``LOAD`` and a ``SERVICE``. So in a request that names SERVICE, LOAD, FROM or GRAPH,
    a backslash outside strings is refused rather than trusted.
    """
    if "\\" not in text or not _REACH_WORDS.search(text):
        return
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "string" and "\\" in match.group():
            line, column = _line_column(text, match.start())
            raise QueryRefused(
                f"line {line}, column {column}: a backslash escape outside a string, in a "
                "request that uses SERVICE, LOAD, FROM or GRAPH, is refused because iqkg "
                "cannot be certain how it reads; write the characters themselves.",
                detail={"line": line, "column": column},
            )


def _refuse_unread_words(reader: _Reader, pattern: re.Pattern[str], word: str) -> None:
    """Every occurrence of ``word`` in the raw text must be one read as a keyword.

    One the tokenizer filed under a string, IRI or comment may be a misreading
    (``FILTER(?a<'>')`` reads differently to Oxigraph), so the request is refused.
    """
    raw = len(pattern.findall(reader.text))
    read = sum(
        1
        for index, token in enumerate(reader.tokens)
        if (token.kind == "word" and token.text.upper() == word)
        or reader.fused(index, word) is not None
    )
    if raw > read:
        raise QueryRefused(
            f"the word {word} appears where iqkg cannot tell a command from text (in a "
            "string, IRI or comment); such requests are refused here."
        )


def _refuse_escaped_service(text: str) -> None:
    """``\\u`` escapes can spell an IRI the tokenizer does not read as one; with SERVICE
    anywhere in such a text, refuse rather than guess (fail closed)."""
    if _ESCAPE.search(text) and _SERVICE_WORD.search(text):
        raise QueryRefused(
            "a query that uses SERVICE may not contain \\u/\\U escapes; write the "
            "characters themselves."
        )


@lru_cache(maxsize=256)
def inspect_query(text: str, allowlist: frozenset[str] = frozenset()) -> QueryShape:
    """The shape of a read-only query; refuses updates and disallowed SERVICE calls."""
    reader = _Reader(text)
    start = reader.prologue_end()
    form = reader.keyword(start)
    if form in UPDATE_FORMS:
        raise QueryRefused(
            f"this is a SPARQL update ({form}); /sparql is read-only. Updates go to /update "
            "(POST, with the operator's token)."
        )
    _refuse_escaped_service(text)
    _refuse_escapes_where_they_matter(text)
    reader.check_services(allowlist)
    if form not in QUERY_FORMS:
        # Let Oxigraph word the syntax error, with its position; the form is a guess.
        return QueryShape("SELECT", volatile=True)
    from_graphs: list[str] = []
    from_named: list[str] = []
    for index, token in enumerate(reader.tokens):
        fused = reader.fused(index, "FROM")
        if fused is not None:
            graph = reader.expand(fused)
            if graph is not None:
                from_graphs.append(graph)
        elif token.kind == "word" and token.text.upper() == "FROM":
            named = reader.keyword(index + 1) == "NAMED"
            fused_named = (
                reader.fused(index + 1, "NAMED") if index + 1 < len(reader.tokens) else None
            )
            if fused_named is not None:
                graph, named = reader.expand(fused_named), True
            else:
                graph = reader.iri(index + 2 if named else index + 1)
            if graph is not None:
                (from_named if named else from_graphs).append(graph)
    volatile = any(t.kind == "word" and t.text.upper() in VOLATILE_WORDS for t in reader.tokens)
    return QueryShape(form, tuple(from_graphs), tuple(from_named), volatile)


@lru_cache(maxsize=256)
def inspect_update(text: str, allowlist: frozenset[str] = frozenset()) -> None:
    """Refuse the parts of an update that would reach the network (LOAD, SERVICE)."""
    reader = _Reader(text)
    if reader.keyword(reader.prologue_end()) in QUERY_FORMS:
        raise QueryRefused("this is a query, not an update; send it to /sparql.")
    _refuse_escaped_service(text)
    _refuse_escapes_where_they_matter(text)
    for index, token in enumerate(reader.tokens):
        is_load = token.kind == "word" and token.text.upper() == "LOAD"
        if is_load or reader.fused(index, "LOAD") is not None:
            line, column = _line_column(text, token.offset)
            raise QueryRefused(
                f"line {line}, column {column}: LOAD is refused: iqkg does not fetch data "
                "from the network; load files with `iqkg load` or INSERT DATA.",
                detail={"line": line, "column": column},
            )
    reader.check_services(allowlist)
    # Updates run in the server process, which has a network: no misreading is allowed.
    _refuse_unread_words(reader, _LOAD_WORD, "LOAD")
    _refuse_unread_words(reader, _SERVICE_WORD, "SERVICE")
