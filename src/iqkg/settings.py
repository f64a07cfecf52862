"""The one place that reads ``IQKG_*`` configuration.

Every other module receives a :class:`Settings` (or just the values it needs), so a test
can build a server over any store and base without touching the environment.
Values come from the environment, then from an optional TOML file named by
``IQKG_CONFIG`` (same keys, lower case), then from the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from iqkg.faults import parse_crash_at

DEFAULT_BASE = "https://w3id.org/iqkg/"


def _project_root() -> Path:
    """The checkout holding ontology/, shapes/, data/ and queries/ (editable install)."""
    return Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Configuration of one iqkg installation."""

    model_config = SettingsConfigDict(env_prefix="IQKG_", extra="ignore")

    # --- the graph -------------------------------------------------------------
    base: str = Field(DEFAULT_BASE, description="Base IRI of every term, resource and graph.")
    store: Path = Field(
        Path("var/store"),
        description=(
            "Directory of the on-disk Oxigraph store; an http(s) URL here is the SPARQL query "
            "endpoint of a remote store instead (see store_url)."
        ),
    )
    store_url: str | None = Field(
        None,
        description=(
            "SPARQL 1.1 query endpoint of a remote store (set by an http(s) URL in "
            "IQKG_STORE); none: the embedded store in `store`."
        ),
    )
    store_update: str | None = Field(
        None, description="SPARQL 1.1 update endpoint of the remote store (default: store_url)."
    )
    store_user: str | None = Field(None, description="User name for the remote store (Basic).")
    store_password_file: Path | None = Field(
        None, description="File holding the remote store's password (never the password itself)."
    )
    store_engine: Literal["oxigraph", "fuseki", "virtuoso", "generic"] = Field(
        "oxigraph",
        description="The remote store's engine: how its per-query timeout and default graph go.",
    )
    knowledge_dir: Path = Field(
        default_factory=_project_root,
        description="Folder holding ontology/, shapes/, data/ and queries/.",
    )

    # --- queries ---------------------------------------------------------------
    query_timeout: float = Field(30.0, gt=0, description="Deadline of a query, in seconds.")
    dump_timeout: float = Field(
        300.0,
        gt=0,
        description="Deadline of writing the dumps (/dumps/) of one dataset version, in seconds.",
    )
    max_query_bytes: int = Field(100_000, gt=0, description="Largest accepted query text.")
    row_limit: int = Field(100_000, gt=0, description="Most rows a SELECT returns.")
    query_workers: int = Field(2, ge=1, description="Query worker processes.")
    worker_memory_mb: int = Field(
        4096, ge=0, description="Address-space cap of a query worker in MiB (0: none)."
    )
    queue_size: int = Field(32, ge=1, description="Queries waiting for a worker before 503.")
    client_worker_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of the query workers one client (address, or its token) may hold.",
    )
    client_queue_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of the queue one client may fill; past either share: 503 for it.",
    )
    health_grace: float = Field(
        10.0,
        ge=0,
        description="Seconds the worker pool may be short before /health says degraded.",
    )
    crash_at: str | None = Field(
        None,
        description="Tests only: SIGKILL the server at a named crash point (name[:n]).",
    )
    result_cache_bytes: int = Field(
        64 << 20,
        ge=0,
        description="Bytes of answers kept for identical queries on the same data (0: off).",
    )
    service_allowlist: list[str] = Field(
        default_factory=list, description="SPARQL SERVICE endpoints a query may call."
    )
    checkpoints_dir: Path | None = Field(
        None,
        description="Read-only store snapshots the query workers read (default: beside the store).",
    )

    # --- server and writes -----------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    max_header_bytes: int = Field(
        65_536, ge=1024, description="Largest request line + headers; more gets a 400."
    )
    head_timeout: float = Field(
        10.0, gt=0, description="Seconds a connection may take to send a request's head."
    )
    body_timeout: float = Field(
        60.0, gt=0, description="Seconds a request's body may take to arrive, in all."
    )
    keep_alive_timeout: float = Field(
        5.0, gt=0, description="Seconds an idle kept-alive connection stays open."
    )
    max_connections: int = Field(
        1000, ge=1, description="Connections + requests in progress before 503 (uvicorn)."
    )
    access_log: bool = Field(
        False, description="Log every request (costs ~15% of cheap-query throughput)."
    )
    admin_token: str | None = Field(
        None, description="Operator token; enables /update and writes to the graph store."
    )
    admin_user: str = Field(
        "admin",
        description="Operator's user name for HTTP Basic authentication (password: the token).",
    )
    default_graph: Literal["union", "stored"] = Field(
        "union",
        description=(
            "What queries see as their default graph: 'union' (the store's default graph and "
            "every public named graph) or 'stored' (the store's default graph only, as in "
            "Fuseki and the Oxigraph server without union mode)."
        ),
    )
    max_submission_bytes: int = Field(10_000_000, gt=0)
    max_submission_triples: int = Field(200_000, gt=0)
    concurrent_validations: int = Field(
        2,
        ge=1,
        description="Checking worker processes (parse + SHACL); as many more may wait, then 503.",
    )
    validation_timeout: float = Field(
        60.0, gt=0, description="Deadline of parsing + validating one body, in seconds."
    )
    validation_share_bytes: int = Field(
        1_000_000,
        ge=0,
        description=(
            "A body of at least this many bytes is checked by every idle checking worker at "
            "once, each validating a share (~35% faster at 100k triples, ~25% more CPU); "
            "0: never shared."
        ),
    )
    partners_db: Path | None = Field(
        None, description="SQLite file of partners and token hashes (default: beside the store)."
    )

    # --- the command line as a client ------------------------------------------
    token: str | None = Field(
        None,
        description="A partner's token for `iqkg submit` (kept out of shell history).",
    )

    @model_validator(mode="before")
    @classmethod
    def _store_url_in_store(cls, data: Any) -> Any:
        """``IQKG_STORE=https://…`` names a remote store: kept as text, not as a Path (which
        would fold its ``//``); the local folder beside it stays the default one."""
        if isinstance(data, dict):
            store = data.get("store")
            if isinstance(store, str) and store.lower().startswith(("http://", "https://")):
                data = {k: v for k, v in data.items() if k != "store"}
                data.setdefault("store_url", store)
        return data

    def store_password(self) -> str | None:
        """The remote store's password, read from ``store_password_file`` (one line)."""
        if self.store_password_file is None:
            return None
        return self.store_password_file.read_text(encoding="utf-8").rstrip("\r\n")

    @field_validator("crash_at")
    @classmethod
    def _crash_point_exists(cls, value: str | None) -> str | None:
        if value:
            parse_crash_at(value)  # a misspelt point must not silently never fire
        return value or None

    @field_validator("base")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("IQKG_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)

    @property
    def ontology_dir(self) -> Path:
        return self.knowledge_dir / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.knowledge_dir / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.knowledge_dir / "data"

    @property
    def queries_dir(self) -> Path:
        return self.knowledge_dir / "queries"

    @property
    def server_url(self) -> str:
        """Where this installation's own server answers (for the CLI as its client).

        A server listening on every interface (``0.0.0.0``/``::``) is reached on loopback.
        """
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def partners_path(self) -> Path:
        """Where partners and token hashes live: never in the queryable store."""
        return self.partners_db or self.store.parent / f"{self.store.name}-partners.sqlite"

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with some values replaced (CLI flags win over the environment)."""
        return self.model_copy(update={k: v for k, v in values.items() if v is not None})
