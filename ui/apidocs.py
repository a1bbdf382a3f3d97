"""The API's documentation pages (/docs: Swagger UI, /redoc: ReDoc) served from local files, so they render on the
ministry's network with no Internet.

FastAPI's default pages load Swagger UI, ReDoc, a favicon and Google Fonts from CDNs: offline, /docs is a blank
page. The assets come from the pinned `fastapi-offline` wheel (Swagger UI and ReDoc bundles, MIT / Apache-2.0) and
are served under /docs/assets/; the pages are FastAPI's own, pointed at them, without Google Fonts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs/assets"


def assets_dir() -> Path:
    """The folder of the local Swagger UI / ReDoc bundles (inside the installed fastapi-offline package)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install_api_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc from local assets; `app` must be created with `docs_url=None, redoc_url=None`."""
    if app.docs_url or app.redoc_url:
        raise ValueError("create the app with docs_url=None and redoc_url=None: the local pages replace FastAPI's")
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} — tài liệu"
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_dir()), name="api-docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
