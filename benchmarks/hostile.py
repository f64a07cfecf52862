"""What hostile clients cost everyone else (issue #9's report), measured on a real server.

    python -m benchmarks.hostile [--seconds 20]

Three figures, each against a server over the curated data on loopback:

1. ``/health`` latency (p50/p99/max) while four clients post 200 kB bodies (2,000 typed
   subjects, each with violations) to ``/validate`` asking for a Turtle report — before
   the fix the report was serialised on the event loop and ``/health`` stalled for 18 s;
2. the cheap query's latency while four clients send runaway and deeply nested queries;
3. the statuses of one replay of the hostile-request corpus
   (``tests/data/hostile/requests.json``): how many 5xx, and which.

Each phase is bounded in time and sends traffic only to the server it started on
127.0.0.1. Markdown goes to ``benchmarks/results/hostile.md``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.report import machine
from tests.server.test_hostile_requests import PARTNER, REQUESTS, body_of, fill
from tests.submissions.helpers import add_partner, fixture, submit
from tests.support.server import ROOT, RunningServer, start_server

ADMIN_TOKEN = "hostile-benchmark-admin-token"
CHEAP = (
    "SELECT ?label WHERE { <https://w3id.org/iqkg/id/programme/iq> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
NESTED = "SELECT * WHERE " + "{" * 30_000 + "}" * 30_000
CHAIN = "SELECT * WHERE { FILTER(1" + "+1" * 20_000 + ") }"
#: 2,000 typed subjects without the label the shapes require: ~200 kB, 2,000+ results.
BIG_BODY = b"".join(
    b"<https://w3id.org/iqkg/id/partner/x/n%d> "
    b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    b"<https://w3id.org/iqkg/def#RegionalNetwork> .\n" % i
    for i in range(2000)
)


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms ({len(ordered)} requests)"
    )


def under_load(
    server: RunningServer,
    attack: Callable[[httpx.Client], httpx.Response],
    probe: Callable[[httpx.Client], httpx.Response],
    seconds: float,
    clients: int = 4,
    *,
    one_address: bool = False,
) -> tuple[list[float], Counter[int], Counter[int]]:
    """Probe latencies and statuses while ``clients`` threads repeat ``attack``.

    The attackers come from addresses of their own (127.0.0.2, …: four clients), or with
    ``one_address`` all from 127.0.0.2 (one client with four connections).
    """
    stop = threading.Event()
    attack_statuses: Counter[int] = Counter()

    def attacker(number: int) -> None:
        address = "127.0.0.2" if one_address else f"127.0.0.{number + 2}"
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=server.url, timeout=120, transport=transport) as client:
            while not stop.is_set():
                try:
                    attack_statuses[attack(client).status_code] += 1
                except httpx.TransportError:
                    attack_statuses[0] += 1

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    latencies: list[float] = []
    probe_statuses: Counter[int] = Counter()
    time.sleep(1)  # let the attack get going
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=server.url, timeout=60) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            probe_statuses[probe(client).status_code] += 1
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(180)
    return latencies, probe_statuses, attack_statuses


def replay_corpus(server: RunningServer) -> Counter[str]:
    token = add_partner(server, "Hostile Benchmark", PARTNER)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        created = submit(client, token, fixture("project.ttl", PARTNER))
        values = {
            "{ADMIN_TOKEN}": ADMIN_TOKEN,
            "{PARTNER_TOKEN}": token,
            "{PARTNER}": PARTNER,
            "{SUBMISSION_ID}": created.json()["id"],
        }
        outcome: Counter[str] = Counter()
        for entry in REQUESTS:
            headers = {k: fill(v, values) for k, v in entry.get("headers", {}).items()}
            try:
                response = client.request(
                    entry["method"],
                    fill(entry["path"], values),
                    headers=headers,
                    content=body_of(entry, values),
                )
                status = response.status_code
            except httpx.TransportError as error:
                outcome[f"transport error ({type(error).__name__}): {entry['id']}"] += 1
                continue
            if status >= 500:
                outcome[f"{status}: {entry['id']}"] += 1
            else:
                outcome[f"{status // 100}xx"] += 1
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each load phase")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/hostile.md")
    args = parser.parse_args()
    lines = [
        "# Hostile clients: what they cost everyone else",
        "",
        f"`python -m benchmarks.hostile --seconds {args.seconds:g}`",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        server = start_server(
            Path(tmp) / "store",
            # Result cache off: every cheap query must get a worker, as a new query would.
            env={
                "IQKG_ADMIN_TOKEN": ADMIN_TOKEN,
                "IQKG_QUERY_TIMEOUT": "5",
                "IQKG_RESULT_CACHE_BYTES": "0",
            },
        )
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                quiet: list[float] = []
                for _ in range(100):
                    started = time.perf_counter()
                    client.get("/health")
                    quiet.append(time.perf_counter() - started)
            lines += ["", "## 1. `/health` while 4 clients post 200 kB bodies to `/validate`", ""]
            lines.append(f"- quiet: {percentiles(quiet)}")
            latencies, probes, attacks = under_load(
                server,
                lambda c: c.post(
                    "/validate",
                    content=BIG_BODY,
                    headers={"Content-Type": "application/n-triples", "Accept": "text/turtle"},
                ),
                lambda c: c.get("/health"),
                args.seconds,
            )
            lines.append(f"- under load: {percentiles(latencies)}; statuses {dict(probes)}")
            lines.append(f"- the posts' statuses: {dict(attacks)}")
            print("\n".join(lines[-3:]), flush=True)

            lines += [
                "",
                "## 2. The cheap query while runaway or nested queries keep coming",
                "",
                "Result cache off, 2 query workers, per-client share 0.5: one greedy client "
                "holds at most one worker; four distinct clients can hold both.",
                "",
            ]
            attacks_cycle = [RUNAWAY, NESTED, CHAIN]
            counter = iter(range(10**9))

            def attack(client: httpx.Client) -> httpx.Response:
                query = attacks_cycle[next(counter) % len(attacks_cycle)]
                return client.post(
                    "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
                )

            def cheap(client: httpx.Client) -> httpx.Response:
                return client.post(
                    "/sparql", content=CHEAP, headers={"Content-Type": "application/sparql-query"}
                )

            with httpx.Client(base_url=server.url, timeout=60) as client:
                quiet.clear()
                for _ in range(100):
                    started = time.perf_counter()
                    cheap(client)
                    quiet.append(time.perf_counter() - started)
            lines.append(f"- quiet: {percentiles(quiet)}")
            for one_address, who in ((True, "one client, 4 connections"), (False, "4 clients")):
                latencies, probes, attacks = under_load(
                    server, attack, cheap, args.seconds, one_address=one_address
                )
                lines.append(
                    f"- under attack by {who}: {percentiles(latencies)}; statuses {dict(probes)}"
                )
                lines.append(f"  - the attackers' statuses: {dict(attacks)} (deadline 5 s)")
                print("\n".join(lines[-2:]), flush=True)

            lines += ["", "## 3. One replay of the hostile-request corpus", ""]
            outcome = replay_corpus(server)
            fives = {k: v for k, v in outcome.items() if not k.endswith("xx")}
            lines.append(f"- {len(REQUESTS)} requests: {dict(sorted(outcome.items()))}")
            lines.append(f"- 5xx or transport errors: {sum(fives.values())}")
            print("\n".join(lines[-2:]), flush=True)
            alive = server.process.poll() is None
            lines.append(f"- server process alive afterwards: {alive}")
        finally:
            server.stop()
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
