"""The one place the mini-init version is written; the build stamps it into both binaries."""

VERSION = "0.2.0"
