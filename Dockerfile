# syntax=docker/dockerfile:1
# The fledge-controller image (ghcr.io/fledge-dev/fledge-controller).
#
# Build stage: the official Swift 6.3 image on Debian 12 (bookworm). The binary is linked with
# --static-swift-stdlib, so the Swift runtime, Foundation and Dispatch are inside it; what it
# still needs from the system is glibc, libstdc++, libgcc_s and zlib — which the runtime image has.
# `make build-static` (hack/build-static.sh) builds the same binary outside Docker and checks that.
#
# Runtime stage: debian:bookworm-slim plus CA certificates (the binary talks TLS to the API server
# and to Prometheus). Same Debian release as the build stage, so the glibc the binary was linked
# against is the one it runs with; bookworm-slim already has libstdc++6, libgcc-s1 and zlib1g.
#
#   docker build -t ghcr.io/fledge-dev/fledge-controller:0.1.0 .

ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src

# Resolve dependencies first, in their own layer: it only reruns when the manifest changes.
# (Package.resolved is optional: the glob copies it when the build context has one.)
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve

COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product fledge-controller \
 && install -D -m 0755 \
      "$(swift build -c release --static-swift-stdlib --show-bin-path)/fledge-controller" \
      /out/fledge-controller \
 && strip /out/fledge-controller

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/fledge-controller /usr/local/bin/fledge-controller
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/fledge-controller"]
