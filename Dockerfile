# syntax=docker/dockerfile:1
# clipcut image: the web app built with Node, the binary with Go, and a slim
# Debian runtime with ffmpeg and the offline transcriber.

FROM node:20-bookworm AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY graph/schema /src/graph/schema
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/frontend/dist ./frontend/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/clipcut ./server

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates ffmpeg pocketsphinx pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data clipcut \
 && mkdir -p /data && chown clipcut /data
COPY --from=build /out/clipcut /usr/local/bin/clipcut
USER clipcut
ENV CLIPCUT_DATA_DIR=/data CLIPCUT_ADDR=:8080 CLIPCUT_LOG_FORMAT=json
EXPOSE 8080
# Liveness: /health answers 200 (no curl in the image; bash speaks HTTP).
HEALTHCHECK --interval=10s --timeout=3s CMD ["/usr/bin/env", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/clipcut"]
CMD ["serve"]
