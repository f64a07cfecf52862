"""``/health``: can this server answer as configured, and which dataset version it serves.

``200 {"status": "ok"}`` only when the store answers, the newest checkpoint was published
and the query worker pool is whole (or has been short for less than ``IQKG_HEALTH_GRACE``
seconds: a worker killed at its deadline is replaced within about a second, and that is
not an outage). Otherwise ``503 {"status": "degraded", "reasons": [...]}``, each reason
a sentence for the operator, so a load balancer stops sending traffic and a person sees
why. The check itself is cheap and never waits on the worker pool. It heals nothing
itself: a failed checkpoint publish is retried by the query pool in the background
(:meth:`~iqkg.query.workers.WorkerPool.start`), so an idle server turns 200 again on its
own.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from iqkg.server.services import get_services

router = APIRouter()

#: Seconds the store has to answer a version read before it counts as unreachable.
STORE_TIMEOUT = 5.0


@router.api_route("/health", methods=["GET", "HEAD"], tags=["meta"])
async def health(request: Request) -> JSONResponse:
    services = get_services(request)
    settings = services.settings
    dataset = services.dataset
    reasons: list[str] = []
    report: dict[str, object] = {"status": "ok"}
    try:
        store = await asyncio.wait_for(run_in_threadpool(dataset.health), STORE_TIMEOUT)
        reasons += store.problems
        if store.ok:
            version = await run_in_threadpool(lambda: dataset.version)
            graphs = await run_in_threadpool(lambda: len(dataset.public_graphs()))
            report |= {"datasetVersion": version, "graphs": graphs}
    except TimeoutError:
        reasons.append(f"the store did not answer within {STORE_TIMEOUT:g} s")
    except Exception as error:  # whatever the store raises, the answer is "unreachable"
        reasons.append(f"the store cannot be read: {type(error).__name__}: {error}")
    pools = {"queryWorkers": services.sparql.pool, "checkingWorkers": services.checking.pool}
    for key, pool in pools.items():
        report[key] = {  # pids: for operators and tests
            "pids": pool.pids,
            "size": pool.size,
            "busy": pool.busy,
            "waiting": pool.waiting,
            "startFailures": pool.start_failures,
        }
        reasons += [f"{pool.kind.name} workers: {p}" for p in pool.problems(settings.health_grace)]
        checkpoints = pool.checkpoints
        if checkpoints is not None and checkpoints.publish_error is not None:
            reasons.append(
                "the newest data is not visible to queries: publishing the query "
                f"checkpoint failed ({checkpoints.publish_error}); retrying"
            )
    if reasons:
        report |= {"status": "degraded", "reasons": reasons}
    return JSONResponse(report, status_code=503 if reasons else 200)
