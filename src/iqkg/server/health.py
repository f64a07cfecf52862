"""``/health``: is the store reachable, and which dataset version is served."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

router = APIRouter()


@router.get("/health", tags=["meta"])
async def health(request: Request) -> dict[str, object]:
    dataset = request.app.state.dataset
    version = await run_in_threadpool(lambda: dataset.version)
    return {"status": "ok", "datasetVersion": version, "graphs": len(dataset.public_graphs())}
