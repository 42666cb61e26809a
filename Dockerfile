# Lakehouse: a multi-stage Debian 12 build of lakehoused. The build stage installs the
# same -dev packages as scripts/run (scripts/lib.sh LH_BUILD_PACKAGES); the runtime stage
# only their shared libraries (and python3, which runs jobs' Python tasks). lakehoused runs
# as the non-root user "lakehouse" with its data dir as a volume.
#
#   docker build --network host -t lakehouse .
#   docker run --rm --network host -v lh-data:/var/lib/lakehouse lakehouse --listen 127.0.0.1:18080
FROM debian:12-slim AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      gcc make cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev \
      libcurl4-openssl-dev libssl-dev libzstd-dev libsnappy-dev zlib1g-dev libxxhash-dev \
      libpcre2-dev libyaml-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null \
 && cmake --build build -j"$(nproc)" --target lakehoused lakehouse-tool

FROM debian:12-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libmicrohttpd12 libjansson4 libsqlite3-0 libcurl4 libssl3 libzstd1 libsnappy1v5 \
      zlib1g libxxhash0 libpcre2-8-0 libyaml-0-2 tzdata ca-certificates curl openssl python3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/lakehouse --shell /usr/sbin/nologin lakehouse \
 && mkdir -p /var/lib/lakehouse && chown lakehouse:lakehouse /var/lib/lakehouse
COPY --from=build /src/build/lakehoused /src/build/lakehouse-tool /usr/local/bin/
USER lakehouse
VOLUME /var/lib/lakehouse
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["lakehoused", "--data-dir", "/var/lib/lakehouse"]
CMD ["--listen", "0.0.0.0:8080"]
