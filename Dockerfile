# One Dockerfile for every Backdesk binary. The build argument SERVICE picks
# the service (onboarding, access, workqueue, router, audit, console) or ctl,
# the operator CLI; the image holds that one static binary and nothing else.
#
#   docker build --build-arg SERVICE=router -t backdesk-router .
#
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src

# Modules first, so that a code change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .

# Declared here, after the shared layers above, so that all seven images reuse
# them and only the build below differs.
ARG SERVICE
ARG TARGETOS
ARG TARGETARCH
ENV GOCACHE=/cache/go-build
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/cache/go-build \
    if [ -z "${SERVICE}" ]; then echo "build argument SERVICE is required" >&2; exit 1; fi && \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -tags timetzdata -ldflags "-s -w" -o /out/backdesk ./services/${SERVICE}/cmd/...

# CA certificates and the nonroot user (65532) come with the base image;
# time zone data is embedded in every binary (the timetzdata build tag), since
# practices and browsers name IANA zones and the image has no zoneinfo.
FROM gcr.io/distroless/static-debian12:nonroot
ARG SERVICE
LABEL org.opencontainers.image.title="backdesk-${SERVICE}" \
      org.opencontainers.image.source="https://github.com/backdesk/backdesk"
COPY --from=build /out/backdesk /usr/local/bin/backdesk
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/backdesk"]
