# syntax=docker/dockerfile:1
# The fledge-controller image (ghcr.io/fledge-dev/fledge-controller).
#
# Build stage: the official Swift 6.3 image on Debian 12 (bookworm). The binary is linked with
# --static-swift-stdlib, so the Swift runtime, Foundation and Dispatch are inside it; what it
# still needs from the system is glibc, libstdc++ and libgcc_s — which the runtime image has.
# `make build-static` (hack/build-static.sh) builds the same binary outside Docker and checks that.
#
# Runtime stage: distroless cc-debian12 — glibc, libstdc++, libgcc, CA certificates and tzdata,
# no shell and no package manager. Same Debian release as the build stage, so the glibc the
# binary was linked against is the one it runs with.
#
#   docker build -t ghcr.io/fledge-dev/fledge-controller:0.1.0 .

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

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
      /out/fledge-controller

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/fledge-controller /usr/local/bin/fledge-controller
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/fledge-controller"]
