"""Cheap-query latency of one client while another floods the server with runaways.

    python -m benchmarks.fairness --url http://127.0.0.1:8000 --seconds 20 --greedy 4

The greedy client (bound to 127.0.0.2) keeps ``--greedy`` connections each sending a
query that runs until its deadline; the polite client (127.0.0.3) sends cheap queries,
one at a time, different each time (no cache hits). Printed: the polite client's
latency percentiles and both clients' status counts. With per-client shares
(``IQKG_CLIENT_WORKER_SHARE`` < 1) the polite client keeps a worker of its own; without
them it waits behind the runaways.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter

import httpx

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


def _client(url: str, address: str) -> httpx.Client:
    return httpx.Client(
        base_url=url, timeout=120, transport=httpx.HTTPTransport(local_address=address)
    )


def run(url: str, seconds: float, greedy: int) -> dict[str, object]:
    stop = threading.Event()
    greedy_statuses: Counter[int] = Counter()

    def flood() -> None:
        with _client(url, "127.0.0.2") as client:
            while not stop.is_set():
                response = client.get("/sparql", params={"query": RUNAWAY})
                greedy_statuses[response.status_code] += 1
                if response.status_code == 503:
                    time.sleep(float(response.headers.get("retry-after", "1")))

    threads = [threading.Thread(target=flood) for _ in range(greedy)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # let the runaways take their places
    latencies: list[float] = []
    polite_statuses: Counter[int] = Counter()
    with _client(url, "127.0.0.3") as client:
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            n += 1
            started = time.perf_counter()
            response = client.get("/sparql", params={"query": f"ASK {{ ?s ?p {n} }}"})
            latencies.append(time.perf_counter() - started)
            polite_statuses[response.status_code] += 1
    stop.set()
    for thread in threads:
        thread.join()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "polite_requests": len(latencies),
        "polite_p50_ms": round(quantiles[49] * 1000, 1),
        "polite_p99_ms": round(quantiles[98] * 1000, 1),
        "polite_statuses": dict(polite_statuses),
        "greedy_statuses": dict(greedy_statuses),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--greedy", type=int, default=4)
    args = parser.parse_args(argv)
    print(run(args.url, args.seconds, args.greedy))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
