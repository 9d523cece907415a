"""Where things live in the repository: sources, generated files and build outputs."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INIT_SOURCES = REPO_ROOT / "init"
BUILD_DIR = REPO_ROOT / "build"
BUILDX_SCRIPTS = REPO_ROOT / "buildx"
BAKE_FILE = REPO_ROOT / "docker-bake.hcl"
STANDIN_BAKE_FILE = REPO_ROOT / "images" / "standins" / "docker-bake.hcl"
STANDIN_BUILD_DIR = BUILD_DIR / "standins"
# tini's source from Debian's archive, with its test suite (buildx/install-tools.sh fetches it).
TINI_SOURCE = BUILD_DIR / "peers" / "tini_0.19.0.orig.tar.gz"


def binary_path(arch: str) -> Path:
    """The built init for one architecture, named after Docker's TARGETARCH."""
    return BUILD_DIR / arch / "mini-init"
