# SPDX-License-Identifier: MIT
# Builds the stand-in bases (test fixtures, see Dockerfile beside this file) for both platforms and
# names them after the bases they replace. Run from the repository root, after the root filesystems
# exist in build/standins/; `mini-init-tools images --standin-bases` does both and pushes them.

# Where the stand-ins are pushed; `localhost:5000` is the registry `mini-init-tools stack up` starts.
variable "STANDIN_REGISTRY" {
  default = "localhost:5000/standin"
}

group "default" {
  description = "Every stand-in base for every platform"
  targets = ["standin-alpine", "standin-distroless-static", "standin-distroless-static-nonroot"]
}

target "_standin" {
  context = "."
  dockerfile = "images/standins/Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
}

target "standin-alpine" {
  description = "Stand-in for alpine:3.20: Debian busybox-static"
  inherits = ["_standin"]
  target = "alpine"
  tags = ["${STANDIN_REGISTRY}/alpine:3.20"]
}

target "standin-distroless-static" {
  description = "Stand-in for gcr.io/distroless/static-debian12"
  inherits = ["_standin"]
  target = "distroless-static"
  tags = ["${STANDIN_REGISTRY}/distroless-static:debian12"]
}

target "standin-distroless-static-nonroot" {
  description = "Stand-in for gcr.io/distroless/static-debian12:nonroot"
  inherits = ["_standin"]
  target = "distroless-static-nonroot"
  tags = ["${STANDIN_REGISTRY}/distroless-static:debian12-nonroot"]
}
