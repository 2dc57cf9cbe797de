# The ORFEAS backend image, built from the repository root (the build needs the whole workspace):
#   docker build -t orfeas-backend .
# On a machine without a registry, `npm run image` builds this same file with podman and local
# base images (deploy/image/). Run: README.md, "Deploy".
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUST_IMAGE=rust:1-bookworm

FROM ${NODE_IMAGE} AS node

# ---- builder: Node 20 and Rust build the workspace, the napi addon and libnvml_sim.so included.
FROM ${RUST_IMAGE} AS builder
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/include/node /usr/local/include/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
# CI=true makes a missing cargo fail the build instead of producing an image without the addon.
ENV CI=true TURBO_TELEMETRY_DISABLED=1 CARGO_BUILD_JOBS=2
WORKDIR /src
# Every workspace's manifest first, so the dependency layer is rebuilt only when they change
# (deploy/test/image.test.ts checks that this list names every workspace).
COPY package.json package-lock.json ./
COPY packages/metrics/package.json packages/metrics/
COPY packages/gpu-sampler/package.json packages/gpu-sampler/
COPY packages/engines/package.json packages/engines/
COPY apps/backend/package.json apps/backend/
COPY apps/studio/package.json apps/studio/
COPY monitoring/package.json monitoring/
COPY deploy/package.json deploy/
# node-gyp builds better-sqlite3 against Node's headers here when no prebuilt binary can be fetched.
RUN --mount=type=cache,target=/root/.npm npm_config_nodedir=/usr/local npm ci --no-audit --no-fund
COPY tsconfig.base.json turbo.json Cargo.toml Cargo.lock ./
COPY crates crates
COPY packages packages
COPY apps apps
RUN --mount=type=cache,target=/src/target \
    npx turbo run build --filter=@orfeas/backend... \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node 20 slim with production dependencies, dist/, the addon, nvml-sim and the studio's files.
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="orfeas-backend" \
      org.opencontainers.image.description="ORFEAS generation backend (Hono + socket.io) with native GPU telemetry" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/orfeas/orfeas" \
      org.opencontainers.image.documentation="https://github.com/orfeas/orfeas#deploy" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# tini is PID 1: it forwards SIGTERM to node and reaps what node leaves behind.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 orfeas \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin orfeas \
 && mkdir -p /data && chown 10001:10001 /data
WORKDIR /app
COPY --from=builder /src/package.json ./
COPY --from=builder /src/node_modules node_modules
COPY --from=builder /src/packages/metrics/package.json packages/metrics/
COPY --from=builder /src/packages/metrics/dist packages/metrics/dist
COPY --from=builder /src/packages/engines/package.json packages/engines/
COPY --from=builder /src/packages/engines/dist packages/engines/dist
COPY --from=builder /src/packages/gpu-sampler/package.json packages/gpu-sampler/
COPY --from=builder /src/packages/gpu-sampler/dist packages/gpu-sampler/dist
COPY --from=builder /src/packages/gpu-sampler/native packages/gpu-sampler/native
COPY --from=builder /src/apps/backend/package.json apps/backend/
COPY --from=builder /src/apps/backend/dist apps/backend/dist
COPY --from=builder /src/apps/studio/package.json apps/studio/
COPY --from=builder /src/apps/studio/dist apps/studio/dist
# utility is the driver capability NVML needs: with it the NVIDIA container toolkit mounts
# libnvidia-ml.so.1. Without a GPU, ORFEAS_GPU=auto reports gpu_sampler_up 0 and no device series.
# The shutdown grace stays under the 10 s a container engine waits before SIGKILL.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5000 \
    ORFEAS_DATA_DIR=/data \
    ORFEAS_SHUTDOWN_GRACE_MS=8000 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=utility
VOLUME /data
EXPOSE 5000
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "apps/backend/dist/main.js"]
