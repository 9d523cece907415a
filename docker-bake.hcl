# SPDX-License-Identifier: MIT
# Builds mini-init from images/Dockerfile: the binaries (build/<arch>/mini-init) and every image
# variant (scratch, distroless, distroless-nonroot, alpine) for the platforms in PLATFORMS. The
# Dockerfile's build stage assembles the init on the build platform, so nothing needs to be built
# first: `docker buildx bake` builds the images, `docker buildx bake binaries` writes the binaries,
# and `mini-init-tools images` runs both. Each variable below can be set from the environment.

# Registry and namespace the tags start with, for example "localhost:5000" or "ghcr.io/acme".
# Empty: plain local names, mini-init:<tag>.
variable "REGISTRY" {
  default = ""
}

# The init's version in the tags and labels; mini-init-tools passes mini_init_tools.version.VERSION,
# the release workflow the version docker/metadata-action reads from the git tag.
variable "VERSION" {
  default = "dev"
}

# Seconds since the epoch of the last commit: the images' creation time (the init layer's files are
# dated 0), so the same commit gives the same image digests.
variable "SOURCE_DATE_EPOCH" {
  default = "0"
}

# The commit the images are built from (label, provenance, the init's SBOM record).
variable "REVISION" {
  default = ""
}

# Where the source lives (org.opencontainers.image.source); CI sets it to the repository's URL.
variable "SOURCE_URL" {
  default = ""
}

# Comma-separated platforms to build: one per architecture the init is written for
# (mini_init_tools.abi_table.ARCHITECTURES); mini-init-tools passes that list.
variable "PLATFORMS" {
  default = "linux/amd64,linux/arm64,linux/riscv64"
}

# The bases, each the full reference the Dockerfile's FROM uses. The release workflow pins each by
# digest (name:tag@sha256:...); `mini-init-tools images --standin-bases` sets them to local stand-ins.
# The build stage's base runs on the build platform only.
variable "BUILDER_IMAGE" {
  default = "debian:bookworm-slim"
}
variable "ALPINE_VERSION" {
  default = "3.20"
}
variable "ALPINE_IMAGE" {
  default = "alpine:${ALPINE_VERSION}"
}
variable "DISTROLESS_IMAGE" {
  default = "gcr.io/distroless/static-debian12"
}
variable "DISTROLESS_NONROOT_IMAGE" {
  default = "gcr.io/distroless/static-debian12:nonroot"
}

# The platforms the distroless Debian 12 bases are published for (their config.bzl); the distroless
# variants build only these of PLATFORMS. Alpine publishes every platform the init can have.
variable "DISTROLESS_PLATFORMS" {
  default = "linux/amd64,linux/arm64,linux/arm/v7,linux/s390x,linux/ppc64le"
}

# The image BuildKit runs to make each image's SBOM (its SBOM generator protocol).
variable "SBOM_GENERATOR" {
  default = "docker/buildkit-syft-scanner:stable-1"
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

# The platforms of PLATFORMS that a base publishes (a comma-separated list).
function "platforms_published_by" {
  params = [published]
  result = [for platform in split(",", PLATFORMS) : platform if contains(split(",", published), platform)]
}

group "default" {
  description = "Every image variant for every platform"
  targets = ["scratch", "distroless", "distroless-nonroot", "alpine"]
}

# Placeholder that CI fills with docker/metadata-action's bake file (pass it with -f after this
# one): its labels are added to every image; the labels set below take precedence.
target "docker-metadata-action" {}

target "_common" {
  context = "."
  dockerfile = "images/Dockerfile"
  args = {
    BUILDER_IMAGE = BUILDER_IMAGE
    SOURCE_DATE_EPOCH = SOURCE_DATE_EPOCH
    REVISION = REVISION
    SOURCE_URL = SOURCE_URL
  }
}

target "_platforms" {
  platforms = split(",", PLATFORMS)
}

target "binaries" {
  description = "build/<arch>/mini-init for every platform, assembled on the build platform"
  inherits = ["_common", "_platforms"]
  target = "binaries"
  output = ["type=local,dest=build,platform-split=false"]
  attest = ["type=provenance,disabled=true"]
}

target "image" {
  name = item.variant
  description = item.description
  matrix = {
    item = [
      {
        variant = "scratch"
        description = "Nothing but the init at /sbin/mini-init: run a static app, or COPY --from it"
        platforms = split(",", PLATFORMS)
      },
      {
        variant = "distroless"
        description = "The init on distroless static (CA certificates, time zones, no shell)"
        platforms = platforms_published_by(DISTROLESS_PLATFORMS)
      },
      {
        variant = "distroless-nonroot"
        description = "The init on distroless static, running as nonroot (65532)"
        platforms = platforms_published_by(DISTROLESS_PLATFORMS)
      },
      {
        variant = "alpine"
        description = "The init on Alpine, with a shell as the default command"
        platforms = split(",", PLATFORMS)
      },
    ]
  }
  inherits = ["_common", "docker-metadata-action"]
  target = "mini-init-${item.variant}"
  platforms = item.platforms
  tags = variant_tags(item.variant)
  args = {
    ALPINE_IMAGE = ALPINE_IMAGE
    DISTROLESS_IMAGE = DISTROLESS_IMAGE
    DISTROLESS_NONROOT_IMAGE = DISTROLESS_NONROOT_IMAGE
  }
  labels = {
    "org.opencontainers.image.title" = "mini-init (${item.variant})"
    "org.opencontainers.image.description" = item.description
    "org.opencontainers.image.source" = SOURCE_URL
    "org.opencontainers.image.version" = VERSION
    "org.opencontainers.image.revision" = REVISION
    "org.opencontainers.image.created" = timeadd("1970-01-01T00:00:00Z", "${SOURCE_DATE_EPOCH}s")
    "org.opencontainers.image.licenses" = "MIT"
  }
  attest = [
    "type=provenance,mode=max",
    "type=sbom,generator=${SBOM_GENERATOR}",
  ]
}
