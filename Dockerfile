# The app image: one image, run as the web app or as a separate worker.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm install --no-audit --no-fund
COPY . .
RUN node_modules/.bin/next build
EXPOSE 3000
CMD ["npm", "start"]
