# syntax=docker/dockerfile:1
#
# tidtam container image: one static binary (CGO_ENABLED=0) on a small Debian
# runtime, running as an unprivileged user. The same image serves every role of
# docker-compose.yml (`tidtam migrate`, `tidtam api`, `tidtam worker`) and the
# all-in-one default (`tidtam serve`, embedded Temporal on SQLite under
# /var/lib/tidtam).
#
#   docker build -t tidtam .
#   docker run --rm -p 127.0.0.1:8080:8080 -v tidtam-data:/var/lib/tidtam tidtam

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Module downloads are their own layer so source edits do not refetch them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tidtam ./cmd/tidtam

FROM debian:bookworm-slim
# ca-certificates: SMTP over TLS and any HTTPS the binary calls.
# tzdata: Asia/Bangkok civil dates. curl: the compose healthchecks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tidtam \
 && useradd --system --uid 10001 --gid tidtam --home-dir /var/lib/tidtam --shell /usr/sbin/nologin tidtam \
 && install -d -o tidtam -g tidtam -m 0750 /var/lib/tidtam
COPY --from=build /out/tidtam /usr/local/bin/tidtam
# Inside a container the API must listen on all interfaces so a published
# port reaches it; publish it on the host's loopback (see docker-compose.yml).
ENV TIDTAM_DATA_DIR=/var/lib/tidtam \
    TIDTAM_HTTP_ADDR=0.0.0.0:8080 \
    TZ=Asia/Bangkok
WORKDIR /var/lib/tidtam
VOLUME ["/var/lib/tidtam"]
EXPOSE 8080
# Numeric so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/tidtam"]
CMD ["serve"]
