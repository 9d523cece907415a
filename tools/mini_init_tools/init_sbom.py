# SPDX-License-Identifier: MIT
"""The init's own SBOM record: an SPDX 2.3 document naming the built binary with its version,
sha256 and source revision.

The Dockerfile's build stage writes it next to the binary into the `init` stage, which BuildKit
scans for the image's SBOM attestation (BUILDKIT_SBOM_SCAN_STAGE); syft's SBOM cataloger and the
stand-in scanner both read it. Tag-value, not JSON, and standard library only: the build stage has
Debian's python3-minimal, which has no json module.

    python3 -m mini_init_tools.init_sbom --arch ARCH --binary FILE --output FILE
        [--revision COMMIT] [--source-url URL]

The creation time is SOURCE_DATE_EPOCH (0 when unset), so the same build writes the same bytes."""

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

from mini_init_tools.version import VERSION

PACKAGE_ID = "SPDXRef-Package-mini-init"
# SPDX's suggested namespace prefix for documents whose creator publishes no namespace of its own.
FALLBACK_NAMESPACE = "https://spdx.org/spdxdocs"


def _purl(arch: str, sha256: str, vcs_url: str) -> str:
    """A package URL that carries all three facts: version, checksum and (when known) the commit."""
    qualifiers = [f"arch={arch}", f"checksum=sha256:{sha256}"]
    if vcs_url:
        qualifiers.append(f"vcs_url={quote(vcs_url, safe='')}")
    return f"pkg:generic/mini-init@{quote(VERSION)}?{'&'.join(qualifiers)}"


def render_record(arch: str, sha256: str, revision: str, source_url: str, epoch: int) -> str:
    """The SPDX tag-value text of the record."""
    vcs_url = f"git+{source_url}@{revision}" if source_url and revision else ""
    name = f"mini-init-{VERSION}-{arch}"
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    lines = [
        "SPDXVersion: SPDX-2.3",
        "DataLicense: CC0-1.0",
        "SPDXID: SPDXRef-DOCUMENT",
        f"DocumentName: {name}",
        f"DocumentNamespace: {source_url or FALLBACK_NAMESPACE}/spdx/{name}-{sha256}",
        f"Creator: Tool: mini-init-tools-{VERSION}",
        f"Created: {created}",
        "",
        "PackageName: mini-init",
        f"SPDXID: {PACKAGE_ID}",
        f"PackageVersion: {VERSION}",
        "PackageFileName: /sbin/mini-init",
        "PackageSupplier: NOASSERTION",
        f"PackageDownloadLocation: {vcs_url or 'NOASSERTION'}",
        "FilesAnalyzed: false",
        f"PackageChecksum: SHA256: {sha256}",
        f"PackageSourceInfo: built from revision {revision or 'NOASSERTION'} for linux/{arch}",
        "PackageLicenseConcluded: MIT",
        "PackageLicenseDeclared: MIT",
        "PackageCopyrightText: NOASSERTION",
        f"ExternalRef: PACKAGE-MANAGER purl {_purl(arch, sha256, vcs_url)}",
        "",
        f"Relationship: SPDXRef-DOCUMENT DESCRIBES {PACKAGE_ID}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line: hash the binary, write the record."""
    parser = argparse.ArgumentParser(
        prog="python3 -m mini_init_tools.init_sbom",
        description="Write the SPDX record of a built init (version, sha256, source revision).",
    )
    parser.add_argument("--arch", required=True)
    parser.add_argument("--binary", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--revision", default="", help="the commit the init was built from")
    parser.add_argument("--source-url", default="", help="the repository, e.g. https://github.com/o/r")
    arguments = parser.parse_args(argv)
    epoch_text = os.environ.get("SOURCE_DATE_EPOCH") or "0"
    if not epoch_text.isdigit():
        print(f"init_sbom: SOURCE_DATE_EPOCH={epoch_text!r} is not a number", file=sys.stderr)
        return 1
    sha256 = hashlib.sha256(arguments.binary.read_bytes()).hexdigest()
    record = render_record(
        arguments.arch, sha256, arguments.revision, arguments.source_url, int(epoch_text)
    )
    arguments.output.write_text(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
