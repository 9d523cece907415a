# SPDX-License-Identifier: MIT
# Builds the mini-init images: every variant (scratch, distroless, distroless-nonroot, alpine) for
# linux/amd64 and linux/arm64 from the prebuilt binaries in build/<arch>/mini-init.
# `mini-init-tools images` runs it (building the binaries first); plain `docker buildx bake` works
# too once both binaries exist. Each variable below can be set from the environment.

# Registry and namespace the tags start with, for example "localhost:5000" or "ghcr.io/acme".
# Empty: plain local names, mini-init:<tag>.
variable "REGISTRY" {
  default = ""
}

# The init's version; mini-init-tools passes mini_init_tools.version.VERSION.
variable "VERSION" {
  default = "dev"
}

# Seconds since the epoch of the last commit: the images' creation time, so builds are reproducible.
variable "SOURCE_DATE_EPOCH" {
  default = "0"
}

# The commit the images are built from (org.opencontainers.image.revision).
variable "REVISION" {
  default = ""
}

# Where the source lives (org.opencontainers.image.source); CI sets it to the repository's URL.
variable "SOURCE_URL" {
  default = ""
}

# Base of the alpine variant: ALPINE_IMAGE:ALPINE_VERSION. Pinned by tag (add @sha256:... to pin
# by digest).
variable "ALPINE_IMAGE" {
  default = "alpine"
}
variable "ALPINE_VERSION" {
  default = "3.20"
}

# Base of the distroless variants; the nonroot variant uses its :nonroot tag.
variable "DISTROLESS_IMAGE" {
  default = "gcr.io/distroless/static-debian12"
}

# REGISTRY/mini-init:TAG, or mini-init:TAG when no registry is set.
function "image_name" {
  params = [tag]
  result = REGISTRY == "" ? "mini-init:${tag}" : "${REGISTRY}/mini-init:${tag}"
}

# mini-init:VARIANT and mini-init:VERSION-VARIANT; alpine also mini-init:VERSION-alpineX.Y.
function "variant_tags" {
  params = [variant]
  result = concat(
    [image_name(variant), image_name("${VERSION}-${variant}")],
    variant == "alpine" ? [image_name("${VERSION}-alpine${ALPINE_VERSION}")] : [],
  )
}

group "default" {
  description = "Every image variant for every platform"
  targets = ["scratch", "distroless", "distroless-nonroot", "alpine"]
}

# Placeholder that CI fills with docker/metadata-action's bake file (pass it with -f after this
# one): its labels and annotations are added to every image.
target "docker-metadata-action" {}

target "_common" {
  context = "."
  dockerfile = "images/Dockerfile"
  args = {
    SOURCE_DATE_EPOCH = SOURCE_DATE_EPOCH
    ALPINE_IMAGE = "${ALPINE_IMAGE}:${ALPINE_VERSION}"
    DISTROLESS_IMAGE = DISTROLESS_IMAGE
    DISTROLESS_NONROOT_IMAGE = "${DISTROLESS_IMAGE}:nonroot"
  }
  labels = {
    "org.opencontainers.image.source" = SOURCE_URL
    "org.opencontainers.image.version" = VERSION
    "org.opencontainers.image.revision" = REVISION
    "org.opencontainers.image.created" = timeadd("1970-01-01T00:00:00Z", "${SOURCE_DATE_EPOCH}s")
    "org.opencontainers.image.licenses" = "MIT"
  }
}

target "_platforms" {
  platforms = ["linux/amd64", "linux/arm64"]
}

target "image" {
  name = item.variant
  description = item.description
  matrix = {
    item = [
      {
        variant = "scratch"
        description = "Nothing but the init at /sbin/mini-init: run a static app, or COPY --from it"
      },
      {
        variant = "distroless"
        description = "The init on distroless static (CA certificates, time zones, no shell)"
      },
      {
        variant = "distroless-nonroot"
        description = "The init on distroless static, running as nonroot (65532)"
      },
      {
        variant = "alpine"
        description = "The init on Alpine, with a shell as the default command"
      },
    ]
  }
  inherits = ["_common", "_platforms", "docker-metadata-action"]
  target = "mini-init-${item.variant}"
  tags = variant_tags(item.variant)
  labels = {
    "org.opencontainers.image.title" = "mini-init (${item.variant})"
    "org.opencontainers.image.description" = item.description
  }
}
