"""``/health``: is the store reachable, and which dataset version is served."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

router = APIRouter()


@router.api_route("/health", methods=["GET", "HEAD"], tags=["meta"])
async def health(request: Request) -> dict[str, object]:
    dataset = request.app.state.dataset
    version = await run_in_threadpool(lambda: dataset.version)
    report: dict[str, object] = {
        "status": "ok",
        "datasetVersion": version,
        "graphs": len(dataset.public_graphs()),
    }
    pool = getattr(request.app.state, "query_pool", None)
    if pool is not None:  # the SPARQL service's worker processes (pids: for operators, tests)
        report["queryWorkers"] = {"pids": pool.pids, "busy": pool.busy, "waiting": pool.waiting}
    return report
