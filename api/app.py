"""``create_app(settings)``: the one app for production, the CLI and the tests."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from litestar import Litestar, MediaType, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from msgspec import Struct

from .drafting import DraftingController, DraftingPages
from .editorial import ProposalController, ReleaseController
from .exchange import exchange_handlers
from .fastpath import FastReads
from .history import HistoryController
from .problems import EXCEPTION_HANDLERS, no_nul_in_path
from .routes import ConceptController, SearchController
from .services import Services
from .settings import Settings
from .web import WebController

HERE = Path(__file__).parent
VERSION = "0.1.0"
log = logging.getLogger("shuyu")


class Health(Struct):
    status: str
    revision: int
    worker: int  # the process id: which worker answered


def services_from_state(state: State) -> Services:
    return state.services


@get("/healthz", sync_to_thread=False, media_type=MediaType.JSON, tags=["health"])
def healthz(state: State) -> Health:
    """Liveness: answers without touching the store or the index."""
    return Health(status="ok", revision=state.services.catalog.revision, worker=os.getpid())


async def follow_change_log(services: Services, interval: float) -> None:
    """Apply new revisions to the catalog and index, so published versions are found without a restart."""
    while True:
        await asyncio.sleep(interval)
        try:
            await anyio.to_thread.run_sync(services.search.catch_up)
        except Exception:  # keep following; the next round retries
            log.exception("could not catch up with the change log")


# the OpenAPI viewer from our own static files: /schema works on an intranet or behind a firewall
SWAGGER_UI = SwaggerRenderPlugin(
    path="/",
    js_url="/static/swagger-ui/swagger-ui-bundle.js",
    css_url="/static/swagger-ui/swagger-ui.css",
    standalone_preset_js_url="/static/swagger-ui/swagger-ui-standalone-preset.js",
    favicon="<link rel='icon' type='image/png' href='/static/swagger-ui/favicon-32x32.png'>",
)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        services = await anyio.to_thread.run_sync(Services, settings)
        app.state.services = services
        follower = asyncio.create_task(follow_change_log(services, settings.sync_interval))
        try:
            yield
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
            services.close()

    return Litestar(
        route_handlers=[
            ConceptController,
            HistoryController,
            SearchController,
            ProposalController,
            ReleaseController,
            WebController,
            *exchange_handlers(settings),
            DraftingController,
            DraftingPages,
            healthz,
            create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False,
                                       guards=[no_nul_in_path]),
        ],
        dependencies={"services": Provide(services_from_state, sync_to_thread=False)},
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(
            title="shuyu 术语",
            version=VERSION,
            description="A versioned registry of the terms, reference-architecture concepts and standards "
            "of China's digital-village programme.",
            path="/schema",
            render_plugins=[SWAGGER_UI, JsonRenderPlugin()],
        ),
        request_max_body_size=1_048_576,
    )


def create_asgi(settings: Settings | None = None) -> FastReads:
    """What is served: the app behind the fast path for the hottest reads (see ``api/fastpath.py``)."""
    return FastReads(create_app(settings))


def app_from_environment() -> FastReads:
    """Factory for uvicorn workers: settings come from ``SHUYU_*`` variables."""
    return create_asgi(Settings.from_env())
