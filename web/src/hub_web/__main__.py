"""``python -m hub_web``: serve the web app (port 8080 by default, ``HUB_WEB_HTTP_PORT``)."""

from __future__ import annotations

import uvicorn

from hub_web.app import create_app
from hub_web.settings import WebSettings


def main() -> None:
    settings = WebSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        forwarded_allow_ips="*" if settings.environment == "production" else "127.0.0.1",
    )


if __name__ == "__main__":
    main()
