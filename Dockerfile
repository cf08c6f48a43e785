# syntax=docker/dockerfile:1
# One recipe for every image of the platform; which app it holds is a build argument
# (docker-compose.yml builds one image per app from it):
#   docker build --build-arg APP=volunteers --build-arg PORT=8001 -t community-hub/volunteers .
#   docker build --build-arg APP=web --build-arg PORT=8080 -t community-hub/web .
# APP is volunteers, issues, assets, notifications, participation, identity or web; the image runs "python -m hub_<APP>".
# A service image runs "--role api" unless told otherwise (compose runs "--role worker" beside it).

# The web map (Leaflet and its marker-clustering plugin) from npm, exactly as web/package-lock.json pins it (no dev packages: the
# browser-test tools stay out); only the web image keeps its files.
FROM node:22-slim AS web-assets
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
ARG APP
RUN mkdir /out && if [ "$APP" = web ]; then \
      cp -r node_modules/leaflet/dist /out/leaflet && cp -r node_modules/leaflet.markercluster/dist /out/markercluster; fi

FROM python:3.11-slim AS build
ARG APP
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never
RUN test -n "$APP" || { echo "build with --build-arg APP=<volunteers|issues|assets|notifications|participation|identity|web>"; exit 1; }
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
# Every workspace member's metadata is needed to resolve the lock file; only this app and what it
# depends on are installed (never the dev-only test kit).
COPY pyproject.toml uv.lock README.md ./
COPY libs libs
COPY services services
COPY cli cli
COPY web web
RUN uv sync --frozen --no-dev --no-editable --package "hub-$APP"
# The one entry point: python -m hub_<APP>, with the arguments the container is given.
RUN printf '#!/bin/sh\nexec python -m hub_%s "$@"\n' "$APP" > /app/.venv/bin/hub-app && chmod 755 /app/.venv/bin/hub-app

FROM python:3.11-slim
ARG APP
ARG PORT
RUN test -n "$PORT" || { echo "build with --build-arg PORT=<the app's HTTP port>"; exit 1; }
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin hub
COPY --from=build /app/.venv /app/.venv
COPY --from=web-assets /out /app/web-assets
# Services read HUB_HTTP_*, the web app HUB_WEB_HTTP_*; each ignores the other's.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HUB_APP=hub_${APP} \
    HUB_ROLE=api \
    HUB_HTTP_HOST=0.0.0.0 \
    HUB_HTTP_PORT=${PORT} \
    HUB_WEB_HTTP_HOST=0.0.0.0 \
    HUB_WEB_HTTP_PORT=${PORT} \
    HUB_WEB_LEAFLET_DIR=/app/web-assets/leaflet \
    HUB_WEB_MARKERCLUSTER_DIR=/app/web-assets/markercluster \
    HUB_LOG_FORMAT=json \
    HUB_ENVIRONMENT=production
USER 10001
WORKDIR /app
EXPOSE ${PORT}
ENTRYPOINT ["hub-app"]
