# One image for every Tributary process; docker-compose.yml picks the command (the same npm scripts the README
# documents): `npm run db:migrate`, `npm run start:web`, `npm run start:worker`.
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY apps/web/package.json apps/web/
COPY apps/worker/package.json apps/worker/
COPY packages/api/package.json packages/api/
COPY packages/cli/package.json packages/cli/
COPY packages/connectors/package.json packages/connectors/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/engine/package.json packages/engine/
COPY packages/ingress/package.json packages/ingress/
COPY packages/queue/package.json packages/queue/
COPY packages/runner/package.json packages/runner/
COPY packages/sandbox/package.json packages/sandbox/
RUN npm install --no-audit --no-fund
COPY . .
# The Prisma CLI needs a DATABASE_URL even to generate (any value; nothing is contacted).
RUN DATABASE_URL=postgresql://build@localhost/build npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PORT=3000
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
CMD ["npm", "run", "start:web"]
