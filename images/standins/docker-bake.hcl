# SPDX-License-Identifier: MIT
# Builds the stand-ins (test fixtures, see Dockerfile beside this file) and names them after the
# images they replace. Run from the repository root, after the root filesystems exist in
# build/standins/; `mini-init-tools images --standin-bases` does both, passes the platform lists
# below from the tool's architecture table, and pushes the stand-ins.

# Where the stand-ins are pushed; `localhost:5000` is the registry `mini-init-tools stack up` starts.
variable "STANDIN_REGISTRY" {
  default = "localhost:5000/standin"
}

# The platforms the images are built for (alpine's stand-in covers them all), those of them the
# distroless bases are published for, and the build platforms (the build stage's base and the SBOM
# scanner run there).
variable "PLATFORMS" {
  default = "linux/amd64,linux/arm64,linux/riscv64"
}
variable "DISTROLESS_PLATFORMS" {
  default = "linux/amd64,linux/arm64"
}
variable "BUILD_PLATFORMS" {
  default = "linux/amd64,linux/arm64"
}

group "default" {
  description = "Every stand-in for every platform"
  targets = ["standin"]
}

target "standin" {
  name = "standin-${item.stage}"
  description = item.description
  matrix = {
    item = [
      {
        stage = "alpine"
        description = "Stand-in for alpine:3.20: Debian busybox-static"
        tag = "alpine:3.20"
        platforms = PLATFORMS
      },
      {
        stage = "distroless-static"
        description = "Stand-in for gcr.io/distroless/static-debian12"
        tag = "distroless-static:debian12"
        platforms = DISTROLESS_PLATFORMS
      },
      {
        stage = "distroless-static-nonroot"
        description = "Stand-in for gcr.io/distroless/static-debian12:nonroot"
        tag = "distroless-static:debian12-nonroot"
        platforms = DISTROLESS_PLATFORMS
      },
      {
        stage = "debian"
        description = "Stand-in for debian:bookworm-slim with the build stage's packages installed"
        tag = "debian:bookworm-slim"
        platforms = BUILD_PLATFORMS
      },
      {
        stage = "buildkit-syft-scanner"
        description = "Stand-in for docker/buildkit-syft-scanner: BuildKit's SBOM generator protocol"
        tag = "buildkit-syft-scanner:stable-1"
        platforms = BUILD_PLATFORMS
      },
    ]
  }
  context = "."
  dockerfile = "images/standins/Dockerfile"
  # Dated like every file in them, so a stand-in built again anywhere has the same digest.
  args = {
    SOURCE_DATE_EPOCH = "0"
  }
  target = item.stage
  platforms = split(",", item.platforms)
  tags = ["${STANDIN_REGISTRY}/${item.tag}"]
  attest = ["type=provenance,disabled=true"]
}
