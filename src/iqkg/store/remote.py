"""A store reached over the SPARQL 1.1 Protocol: the remote implementation of ``SparqlStore``.

:class:`RemoteStore` speaks only SPARQL 1.1 Query and Update over HTTP (httpx), so it
works on any engine that serves them; it is proven against the Oxigraph server
(``oxigraph serve``, ``tests/store/``). What a caller may rely on is the contract of
:mod:`iqkg.store.interface`; how it is met here:

- **Datasets** go out as ``default-graph-uri``/``named-graph-uri`` (SPARQL 1.1 Protocol
  §2.1.4). ``PUBLIC`` names every named graph outside the hidden prefixes (listed by one
  query first). The protocol has no name for the store's *default* graph, so on an
  engine that has none either (``Engine.default_graph_iri``, :mod:`iqkg.store.engines`;
  the Oxigraph server) the public union is the public named graphs only, and
  ``QueryDataset.of(named=…)`` has an empty default graph. iqkg's own writes go to named graphs.
- **Deadlines**: the answer is streamed and the deadline checked at every chunk; past it
  the connection is closed (an engine stops a streaming evaluation when its socket
  closes) and the caller gets :class:`~iqkg.errors.QueryTimeout`. The engine's own
  per-query timeout parameter is sent where the engine has one (:mod:`iqkg.store.engines`); the
  Oxigraph server has only a server-wide ``--timeout-s``, which an operator must set.
  A cut-off or partial (``206``) answer is never passed on as complete.
- **Writes** (:meth:`RemoteStore.write_graphs`, :meth:`RemoteStore.update`) are the
  update text of :mod:`iqkg.store.changes`, changes and version bump, sent as one
  request: one transaction on the Oxigraph server and Fuseki, *not* on Virtuoso (each
  statement commits on its own; issue 14).
- **Errors** become iqkg's own at one place (:meth:`RemoteStore._exchange`): an
  unreachable or failing store is :class:`~iqkg.errors.StoreUnavailable`, a query the
  engine refuses a :class:`~iqkg.errors.QuerySyntaxError`. Credentials (HTTP Basic)
  travel in a header only; they are in no URL, message or log line.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from iqkg.errors import (
    InputError,
    IqkgError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
)
from iqkg.rdf.convert import from_ntriples, to_ntriples
from iqkg.rdf.iris import GRAPH_INFERRED, OWL, RDF, XSD, IriScheme
from iqkg.rdf.oxigraph_errors import map_exceptions
from iqkg.rdf.sparql_terms import Term, iri
from iqkg.store.changes import change_operations, stale_operations, version_operations
from iqkg.store.dataset import dataset_iri, hidden_graph_prefixes
from iqkg.store.engines import OXIGRAPH_SERVER, Engine, virtuoso_ask
from iqkg.store.interface import PUBLIC, GraphChange, QueryDataset, StoreHealth

log = logging.getLogger("iqkg.store.remote")

_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_FORM = "application/x-www-form-urlencoded"
_PLAIN_DATATYPES = (XSD + "string", RDF + "langString")
# What may hold the words SERVICE/LOAD without being the keywords: IRIs, strings, comments.
_NOT_KEYWORDS = re.compile(
    r"<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""
    r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"|#[^\n\r]*",
    re.DOTALL,
)
# The keywords, not a prefixed name's part (ex:service) nor a variable (?service).
_NETWORK_KEYWORD = re.compile(r"(?<![\w:?$.-])(SERVICE|LOAD)(?![\w:-])", re.IGNORECASE)


class RemoteStore:
    """A dataset on a SPARQL 1.1 Query (+ Update) endpoint, meeting ``SparqlStore``."""

    def __init__(
        self,
        query_url: str,
        iris: IriScheme,
        *,
        update_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        engine: Engine = OXIGRAPH_SERVER,
        connect_timeout: float = 5.0,
        query_timeout: float = 60.0,
        write_timeout: float = 120.0,
        health_timeout: float = 2.0,
        max_answer_bytes: int = 512 * 1024 * 1024,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        for url in (query_url, update_url):
            if url is not None:
                _check_url(url)
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.iris = iris
        self.engine = engine
        self.connect_timeout = connect_timeout
        #: The deadline of a query given none (the version, the services' own reads).
        self.query_timeout = query_timeout
        self.write_timeout = write_timeout
        self.health_timeout = health_timeout
        self.max_answer_bytes = max_answer_bytes
        auth = httpx.BasicAuth(user, password or "") if user is not None else None
        # trust_env=False: no proxy from the environment, no ~/.netrc; the store is
        # reached exactly where configured and with exactly these credentials.
        self._client = httpx.Client(
            auth=auth, transport=transport, trust_env=False, follow_redirects=False
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}, engine={self.engine.name!r})"

    def close(self) -> None:
        self._client.close()

    # --- the store interface -------------------------------------------------

    def select(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> list[dict[str, Term]]:
        answer = self._results(query, dataset, deadline)
        if "boolean" in answer or not isinstance(answer.get("results"), dict):
            raise InputError("select() needs a SELECT query")
        try:
            return [
                {name: _term(value) for name, value in binding.items()}
                for binding in answer["results"]["bindings"]
            ]
        except (KeyError, TypeError, AttributeError):
            raise self._malformed("SPARQL JSON results") from None

    def ask(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> bool:
        answer = self._results(query, dataset, deadline)
        boolean = answer.get("boolean", virtuoso_ask(answer))
        if not isinstance(boolean, bool):
            raise InputError("ask() needs an ASK query")
        return boolean

    def construct(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> bytes:
        content_type, body = self._query(query, dataset, deadline, _NTRIPLES)
        if content_type != _NTRIPLES:
            raise InputError("construct() needs a CONSTRUCT or DESCRIBE query")
        # Parsed and written again: a cut-off answer fails here, and the bytes are the
        # same as the embedded store's for the same triples.
        with map_exceptions({SyntaxError: lambda _: self._malformed("N-Triples")}):
            return to_ntriples(from_ntriples(body))

    def update(self, update: str, *, base_iri: str | None = None) -> str:
        """An operator's update, then the staleness mark of ``graph/inferred`` and the
        version bump, in one request (SPARQL 1.1 Update has no base parameter: a ``BASE``
        prologue carries ``base_iri``, and the operations after it use absolute IRIs)."""
        version = uuid.uuid4().hex
        meta = self.iris.graph("meta")
        after = [
            *stale_operations(meta, self.iris.graph(GRAPH_INFERRED)),
            *version_operations(meta, dataset_iri(self.iris), version),
        ]
        prologue = f"BASE {iri(base_iri)}\n" if base_iri else ""
        operations = update.rstrip().removesuffix(";")
        self._update(f"{prologue}{operations}\n;\n" + " ;\n".join(after))
        return version

    def write_graphs(self, changes: Sequence[GraphChange]) -> str:
        version = uuid.uuid4().hex
        meta = self.iris.graph("meta")
        parts = [
            *change_operations(
                changes, meta, blank_nodes_in_data=self.engine.blank_nodes_in_insert_data
            ),
            *version_operations(meta, dataset_iri(self.iris), version),
        ]
        try:
            self._update(" ;\n".join(parts))
        except InputError as error:
            raise InputError(
                f"the write cannot be applied: {error.message}; nothing was changed."
            ) from None
        return version

    @property
    def version(self) -> str:
        query = (
            f"SELECT ?v WHERE {{ GRAPH {iri(self.iris.graph('meta'))} "
            f"{{ {iri(dataset_iri(self.iris))} {iri(OWL + 'versionInfo')} ?v }} }}"
        )
        rows = self.select(query, dataset=QueryDataset("store"))
        return rows[0]["v"].value if rows else "0"

    def health(self) -> StoreHealth:
        try:
            self.ask("ASK {}", dataset=QueryDataset("store"), deadline=self._soon())
        except IqkgError as error:
            return StoreHealth(False, (f"the store does not answer a query: {error.message}",))
        return StoreHealth(True)

    # --- beyond the interface ------------------------------------------------

    def public_graphs(self, deadline: float | None = None) -> list[str]:
        """The named graphs outside the hidden prefixes (archive/, private/), sorted."""
        rows = self.select(
            self.engine.graphs_query, dataset=QueryDataset("store"), deadline=deadline
        )
        hidden = hidden_graph_prefixes(self.iris)
        return sorted(
            {
                g.value
                for row in rows
                if (g := row.get("g")) is not None
                and g.kind == "iri"
                and not g.value.startswith(hidden)
                and g.value not in self.engine.system_graphs
            }
        )

    # --- the protocol --------------------------------------------------------

    def _results(self, query: str, dataset: QueryDataset, deadline: float | None) -> dict[str, Any]:
        content_type, body = self._query(query, dataset, deadline, _RESULTS_JSON)
        if content_type not in (_RESULTS_JSON, "application/json"):
            raise InputError("select() and ask() need a SELECT or ASK query")
        try:
            answer = json.loads(body)
        except ValueError:
            raise self._malformed("SPARQL JSON results") from None
        if not isinstance(answer, dict):
            raise self._malformed("SPARQL JSON results")
        return answer

    def _query(
        self, query: str, dataset: QueryDataset, deadline: float | None, accept: str
    ) -> tuple[str, bytes]:
        """POST the query (URL-encoded, §2.1.2) with its dataset; the answer's type and body."""
        _refuse_network(query)
        if deadline is None:  # never wait forever on a store that stopped answering
            deadline = time.monotonic() + self.query_timeout
        params = [("query", query), *self._dataset_parameters(dataset, deadline)]
        started = time.monotonic()
        limit = max(deadline - started, 0.001)
        if self.engine.timeout_parameter:
            # Whole units, rounded up: the engine stops no earlier than the deadline.
            value = math.ceil(limit / self.engine.timeout_unit)
            params.append((self.engine.timeout_parameter, str(value)))
        try:
            return self._exchange(
                self.query_url,
                urlencode(params).encode(),
                {"Content-Type": _FORM, "Accept": accept},
                deadline,
                "query",
            )
        except StoreUnavailable as error:
            # An engine that stops a query at the timeout it was given answers an error
            # (Virtuoso: 500 with the part it had) once that time has passed.
            stopped = error.detail.get("status") is not None
            if stopped and self.engine.timeout_parameter and time.monotonic() - started >= limit:
                raise QueryTimeout("the query passed its deadline and was stopped") from None
            raise

    def _dataset_parameters(
        self, dataset: QueryDataset, deadline: float | None
    ) -> list[tuple[str, str]]:
        if dataset.scope == "store":
            return []  # the engine's own dataset: its default graph and every named graph
        if dataset.scope == "public":
            public = self.public_graphs(deadline)
            default = [*public, *filter(None, [self.engine.default_graph_iri])]
            named = public
        else:
            default = list(dataset.default_graphs)
            named = list(dataset.named_graphs)
            if not default and self.engine.default_graph_iri:
                default = [self.engine.default_graph_iri]
        if not default and not named:
            # Nothing named: the store's default graph alone. An empty default-graph-uri
            # list is no parameter at all, which is exactly that (with the engine's union
            # default graph off, as iqkg requires).
            return []
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]

    def _update(self, text: str) -> None:
        """POST one update request (§2.2.2); one transaction where the engine makes it one."""
        _refuse_network(text)
        deadline = time.monotonic() + self.write_timeout
        self._exchange(
            self.update_url,
            text.encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
            deadline,
            "update",
        )

    def _soon(self) -> float:
        return time.monotonic() + self.health_timeout

    def _exchange(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        deadline: float,
        operation: str,
    ) -> tuple[str, bytes]:
        """One request; the answer's media type and body, read in chunks until ``deadline``.

        The one place where HTTP and transport failures become iqkg's errors: nothing
        downstream looks at a status or an httpx exception.
        """
        where = _where(url)
        try:
            with self._client.stream(
                "POST", url, content=body, headers=headers, timeout=self._timeout(deadline)
            ) as response:
                status = response.status_code
                content = self._read(response, deadline, operation)
        except httpx.ConnectTimeout:
            raise StoreUnavailable(
                f"the store at {where} cannot be reached (no connection within "
                f"{self.connect_timeout:g} s); is it running, and is IQKG_STORE right?"
            ) from None
        except httpx.TimeoutException:
            if operation == "update":
                raise StoreUnavailable(
                    f"the store at {where} did not confirm the update in time; it may or may "
                    "not have been applied (compare the dataset version)."
                ) from None
            raise QueryTimeout("the query passed its deadline and was stopped") from None
        except httpx.ConnectError as error:
            raise StoreUnavailable(
                f"the store at {where} cannot be reached ({_reason(error)}); is it running, "
                "and is IQKG_STORE right?"
            ) from None
        except httpx.TransportError as error:
            raise StoreUnavailable(
                f"the connection to the store at {where} failed ({_reason(error)})."
            ) from None
        self._raise_for(status, content, where, operation)
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return content_type, content

    def _read(self, response: httpx.Response, deadline: float, operation: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if operation == "query" and time.monotonic() >= deadline:
                # Leaving the block closes the connection: the engine stops streaming.
                raise QueryTimeout("the query passed its deadline and was stopped")
            size += len(chunk)
            if size > self.max_answer_bytes:
                raise StoreUnavailable(
                    f"the store's answer is larger than {self.max_answer_bytes} bytes; "
                    "the query must be bounded (LIMIT) to run through the store interface."
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _raise_for(self, status: int, content: bytes, where: str, operation: str) -> None:
        if status == 206:
            raise QueryTimeout(
                "the store answered only part of the query (206 Partial Content, its own "
                "time limit); a partial answer is never passed on as complete."
            )
        if 200 <= status < 300:
            return
        said = _said(content)
        if status in (400, 422):
            raise QuerySyntaxError(f"the store refused the {operation}: {said}")
        if status == 406:
            raise InputError(f"the {operation}'s form does not fit this call: {said}")
        if status in (401, 403):
            raise StoreUnavailable(
                f"the store at {where} refused iqkg's credentials ({status}); check "
                "IQKG_STORE_USER and IQKG_STORE_PASSWORD_FILE."
            )
        if status == 500 and operation == "update" and self.health().ok:
            # Engines answer 500 for an update that parses but fails while applied (the
            # Oxigraph server: DROP GRAPH of a missing graph). A store that answers a
            # query right after is healthy: the failure was the update's own.
            raise InputError(f"the update cannot be applied: {said}; nothing was changed.")
        raise StoreUnavailable(
            f"the store at {where} failed the {operation} ({status}): {said}",
            detail={"status": status},
        )

    def _malformed(self, what: str) -> StoreUnavailable:
        return StoreUnavailable(
            f"the store's answer is not complete {what} (cut off, e.g. by the engine's own "
            "time limit); it is not passed on."
        )

    def _timeout(self, deadline: float) -> httpx.Timeout:
        left = max(deadline - time.monotonic(), 0.001)
        return httpx.Timeout(left, connect=min(left, self.connect_timeout))


def _term(value: dict[str, str]) -> Term:
    """A term of SPARQL 1.1 Query Results JSON (§3.2.2) as the interface's plain Term."""
    kind = value["type"]
    if kind == "uri":
        return Term("iri", value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    if kind in ("literal", "typed-literal"):
        datatype = value.get("datatype")
        language = value.get("xml:lang")
        return Term(
            "literal",
            value["value"],
            None if datatype in _PLAIN_DATATYPES else datatype,
            language,
        )
    raise InputError("a quoted triple cannot be answered through the store interface")


def _refuse_network(text: str) -> None:
    """Refuse text holding ``SERVICE`` or ``LOAD``: a remote engine runs them itself.

    The query policy above (:mod:`iqkg.query.policy`) refuses them in requests from
    outside; this is the store's own fail-closed check, for every request it sends
    (the Oxigraph server fetches both, with no switch to turn them off). A word in an
    IRI, a string or a comment is not the keyword.
    """
    found = _NETWORK_KEYWORD.search(_NOT_KEYWORDS.sub(" ", text))
    if found:
        raise QueryRefused(
            f"{found.group(1).upper()} is not sent to a remote store: the engine would fetch "
            "from the network itself, and iqkg never lets a store do that."
        )


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"the store URL must be an http(s) URL, not {_where(url)!r}")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "the store URL must not hold credentials; give them as IQKG_STORE_USER and "
            "IQKG_STORE_PASSWORD_FILE instead."
        )


def _where(url: str) -> str:
    """The URL without user information or query string: safe in a message."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _reason(error: httpx.TransportError) -> str:
    return type(error).__name__ + (f": {error}" if str(error) else "")


def _said(content: bytes) -> str:
    text = content.decode("utf-8", "replace").strip()
    return (text[:300] + " …") if len(text) > 300 else text or "(no message)"
