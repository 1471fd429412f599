# The ecs-gitops controller image: `ecs-gitops run` as a non-root user, git and ssh for the
# source, tini as PID 1. Build and push (see examples/controller/README.md):
#
#   docker build -t ghcr.io/your-org/ecs-gitops:0.1.0 .
#
# Base image: Node 24 (the newest LTS line; .ci/run tests the CLI on it) on Debian bookworm, slim.
# Pin it to a minor (node:24.x-bookworm-slim) or, better, a digest
# (node:24-bookworm-slim@sha256:...) once you have checked the current one; the floating major
# tag gets security fixes without a Dockerfile change but is not reproducible.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript, then drop dev dependencies ------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lock file decides every version. --ignore-scripts: the `prepare` script would compile
# before the sources are copied (they come next, so this layer stays cached while only code
# changes); no dependency needs an install script.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY controller/ ./controller/
COPY crds/ ./crds/
COPY scripts/build-schema-validators.js ./scripts/
# The same two steps as `npm run build`: compile, then the spec schemas' standalone validators.
RUN npx tsc -p tsconfig.build.json \
 && node scripts/build-schema-validators.js \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime -------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# git: the controller clones and fetches its source with the git CLI; openssh-client for ssh://
# and git@host:path URLs; ca-certificates for https:// remotes; tini as PID 1, so SIGTERM reaches
# node (the controller finishes the AWS call in flight and exits 0) and orphaned git/ssh
# processes are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git openssh-client tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Only what runs: compiled JavaScript, the bin, the JSON Schemas (read at run time), production
# dependencies and package.json (the version). Owned by root: the node user cannot change them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules/ ./node_modules/
COPY --from=build /app/dist/ ./dist/
COPY bin/ ./bin/
COPY crds/ ./crds/
# `ecs-gitops` on PATH (for `docker exec ... ecs-gitops status`); the cache dir for clones and
# commit trees, writable by the node user (uid 1000, from the base image).
RUN ln -s /app/bin/ecs-gitops.js /usr/local/bin/ecs-gitops \
 && mkdir -p /home/node/cache \
 && chown node:node /home/node/cache

# Listen on all interfaces, so that health checks and Prometheus reach the status port.
ENV ECS_GITOPS_HOST=0.0.0.0 \
    ECS_GITOPS_CACHE_DIR=/home/node/cache \
    NODE_ENV=production
USER node
# /healthz, /readyz, /metrics, /status (and POST /webhook with a webhook secret).
EXPOSE 9090
# No HEALTHCHECK: ECS ignores the image's and uses the container healthCheck of the task
# definition (examples/controller/ecs-gitops.taskdef). For plain docker, use --health-cmd.

# `docker run IMAGE` runs the controller; `docker run IMAGE validate /specs` (or diff, apply,
# status) runs another command of the same CLI.
#
# Two V8 heap flags keep the controller's memory near what it holds (measured by hand over 5,000
# services on moto, node 20, peak RSS): with V8's defaults 217 MB after the first reconcile.
# --max-semi-space-size=4 (MB; default 16): the young generation stops growing to 3 x 16 MB under a
# reconcile's allocation burst: 198 MB, but 262 MB after a second, warm reconcile.
# --heap-growing-percent=50: after a full GC the old generation may grow by half of what survived
# before the next one, instead of up to 4x (V8 sizes it for throughput, and one reconcile's garbage
# piled up under the next): 154 MB, 157 MB after the warm one, for 3-12 % more CPU in a reconcile
# (runs differ). test/bench checks that Node accepts them; the benchmark runs the CLI with the
# flags of this line (docs/benchmarks.md).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=4", "--heap-growing-percent=50", "/app/bin/ecs-gitops.js"]
CMD ["run"]
