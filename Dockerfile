# memql: multi-stage build on Node 20 / Debian bookworm.
# docker build -t memql . && docker run -p 8019:8019 -v memql-data:/data memql

# ---- build: install everything, generate the Prisma client, compile TypeScript (as npm start runs it)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY prisma ./prisma
COPY prisma.config.ts ./
# npm ci's postinstall also bundles the browser pages (web/) and memql/client (src/client/).
COPY web ./web
COPY src ./src
COPY README.md schema.graphql tsconfig.json ./
# npm ci's postinstall compiles the server into dist/ too (scripts/build-server.mjs), as for npm start.
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled code, production dependencies, migrations; non-root
FROM node:20-bookworm-slim AS runtime
# MALLOC_ARENA_MAX=2: glibc's malloc keeps two arenas instead of one per thread (16 on 2 cores),
# about 150 MiB less resident memory for the same work (BENCHMARKS.md, "Where the memory goes").
ENV NODE_ENV=production \
    PORT=8019 \
    MEMQL_DATA_DIR=/data \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/web/dist ./web/dist
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8019
# Same settings as outside Docker (see README): DATABASE_URL, CHROMA_URL, MEMQL_ADMIN_KEY, ...
# Migrations are applied by the server at start.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8019)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/index.js"]
