# syntax=docker/dockerfile:1
# modstream — multi-stage: build with dev dependencies, run with production ones only, as a non-root user.
# Kafka mode from the environment:
#   docker run -e KAFKA_BROKERS=kafka:9092 -e REDIS_URL=redis://redis:6379 -p 9464:9464 modstream
# Embedded mode (no KAFKA_BROKERS): the HTTP API on 8080 (MODSTREAM_HTTP_HOST is 0.0.0.0 in the image).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=optional
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs scripts/
COPY src src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
COPY package.json package-lock.json ./
# The classifier (transformers.js + onnxruntime) is optional: build with --build-arg WITH_CLASSIFIER=1 to include it.
ARG WITH_CLASSIFIER=0
RUN if [ "$WITH_CLASSIFIER" = "1" ]; then npm ci --omit=dev --no-audit --no-fund; \
    else npm ci --omit=dev --omit=optional --no-audit --no-fund; fi && npm cache clean --force

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    MODSTREAM_HTTP_HOST=0.0.0.0 \
    MODSTREAM_METRICS_HOST=0.0.0.0 \
    KAFKAJS_NO_PARTITIONER_WARNING=1
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY schemas schemas
COPY lexicons lexicons
COPY models models
USER node
EXPOSE 8080 9464
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.KAFKA_BROKERS?(process.env.MODSTREAM_METRICS_PORT||9464):(process.env.MODSTREAM_HTTP_PORT||8080))+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run"]
