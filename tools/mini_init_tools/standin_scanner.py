# SPDX-License-Identifier: MIT
"""A stand-in for BuildKit's SBOM scanner image (docker/buildkit-syft-scanner), which cannot be
pulled here: a test fixture, copied alone into localhost:5000/standin/buildkit-syft-scanner.

It speaks BuildKit's SBOM generator protocol. BuildKit runs the image's entrypoint with
BUILDKIT_SCAN_SOURCE (the image's root filesystem, read-only), BUILDKIT_SCAN_SOURCE_EXTRAS
(optional: a directory holding one root filesystem per other scanned target, such as a stage that
sets BUILDKIT_SBOM_SCAN_STAGE) and BUILDKIT_SCAN_DESTINATION. For each filesystem it writes
DESTINATION/<name>.spdx.json, <name> being the filesystem's directory name: an in-toto statement
whose predicate is an SPDX 2.3 JSON document (BuildKit fills in the subject).

What it lists, as syft would for these bases: Debian packages (var/lib/dpkg/status and the
per-package files of var/lib/dpkg/status.d/ that distroless uses), Alpine packages
(lib/apk/db/installed), and the packages of SPDX documents found in the filesystem (*.spdx
tag-value, *.spdx.json), as syft's SBOM cataloger does. Standard library only."""

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

STATEMENT_TYPE = "https://in-toto.io/Statement/v0.1"
SPDX_PREDICATE = "https://spdx.dev/Document"
TOOL = "Tool: mini-init-standin-scanner"
DPKG_STATUS = "var/lib/dpkg/status"
DPKG_STATUS_DIRECTORY = "var/lib/dpkg/status.d"
APK_INSTALLED = "lib/apk/db/installed"
# Kernel file systems are never part of an image; nothing under them is scanned for SPDX files.
NOT_SCANNED = frozenset(("proc", "sys", "dev"))
LARGEST_EMBEDDED_SBOM_BYTES = 4 * 1024 * 1024
NO_ASSERTION = "NOASSERTION"

Package = dict[str, Any]


def _spdx_id(*parts: str) -> str:
    """An SPDX element id: only letters, digits, '.' and '-' are allowed."""
    return "SPDXRef-" + "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", part) for part in parts)


def _purl_reference(purl: str) -> dict[str, str]:
    return {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}


def _package(
    spdx_id: str, name: str, version: str, source_info: str, purl: str, supplier: str = ""
) -> Package:
    return {
        "SPDXID": spdx_id,
        "name": name,
        "versionInfo": version,
        "supplier": f"Person: {supplier}" if supplier else NO_ASSERTION,
        "downloadLocation": NO_ASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NO_ASSERTION,
        "licenseDeclared": NO_ASSERTION,
        "copyrightText": NO_ASSERTION,
        "sourceInfo": source_info,
        "externalRefs": [_purl_reference(purl)] if purl else [],
    }


def _paragraphs(text: str) -> Iterator[dict[str, str]]:
    """The blank-line separated paragraphs of a Debian control-style file, as field: value maps
    (continuation lines are dropped: no field used here spans lines)."""
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line[:1] not in ("", " ", "\t") and ":" in line:
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
        if fields:
            yield fields


def _os_release(root: Path) -> dict[str, str]:
    path = root / "etc" / "os-release"
    if not path.is_file():
        return {}
    pairs = (line.partition("=") for line in path.read_text(errors="replace").splitlines())
    return {key: value.strip('"') for key, _, value in pairs if key}


def debian_packages(root: Path) -> list[Package]:
    """Installed Debian packages from the dpkg database and from distroless's status.d files."""
    release = _os_release(root)
    distro = f"&distro={release['ID']}-{release['VERSION_ID']}" if "VERSION_ID" in release else ""
    sources = [root / DPKG_STATUS] if (root / DPKG_STATUS).is_file() else []
    if (root / DPKG_STATUS_DIRECTORY).is_dir():
        sources += sorted(path for path in (root / DPKG_STATUS_DIRECTORY).iterdir() if path.is_file())
    packages = []
    for source in sources:
        for fields in _paragraphs(source.read_text(errors="replace")):
            if "Package" not in fields or not fields.get("Status", "installed").endswith("installed"):
                continue
            name, version = fields["Package"], fields.get("Version", "")
            arch = fields.get("Architecture", "")
            purl = f"pkg:deb/debian/{name}@{quote(version)}?arch={arch}{distro}"
            packages.append(_package(
                _spdx_id("Package", "deb", name, arch), name, version,
                f"acquired package info from DPKG DB: {source.relative_to(root)}", purl,
                fields.get("Maintainer", ""),
            ))
    return packages


def alpine_packages(root: Path) -> list[Package]:
    """Installed Alpine packages from the apk database."""
    installed = root / APK_INSTALLED
    if not installed.is_file():
        return []
    packages = []
    for fields in _paragraphs(installed.read_text(errors="replace")):
        if "P" not in fields:
            continue
        name, version, arch = fields["P"], fields.get("V", ""), fields.get("A", "")
        purl = f"pkg:apk/alpine/{name}@{quote(version)}?arch={arch}"
        packages.append(_package(
            _spdx_id("Package", "apk", name, arch), name, version,
            f"acquired package info from APK DB: {APK_INSTALLED}", purl, fields.get("m", ""),
        ))
    return packages


def _tag_value_packages(text: str, source: str) -> list[Package]:
    """The packages of an SPDX tag-value document, with their checksums and references."""
    packages: list[Package] = []
    for line in text.splitlines():
        tag, _, value = line.partition(": ")
        if tag == "PackageName":
            packages.append(_package(
                _spdx_id("Package", "embedded", value), value, "",
                f"acquired package info from SPDX document: {source}", "",
            ))
        elif not packages:
            continue
        elif tag == "SPDXID":
            packages[-1]["SPDXID"] = _spdx_id("Embedded", value.removeprefix("SPDXRef-"))
        elif tag == "PackageVersion":
            packages[-1]["versionInfo"] = value
        elif tag == "PackageChecksum":
            algorithm, _, checksum = value.partition(": ")
            packages[-1].setdefault("checksums", []).append(
                {"algorithm": algorithm, "checksumValue": checksum}
            )
        elif tag == "PackageDownloadLocation":
            packages[-1]["downloadLocation"] = value
        elif tag == "PackageSourceInfo":
            packages[-1]["comment"] = value
        elif tag in ("PackageLicenseConcluded", "PackageLicenseDeclared"):
            packages[-1]["licenseConcluded" if tag.endswith("Concluded") else "licenseDeclared"] = value
        elif tag == "ExternalRef":
            category, kind, locator = value.split(" ", 2)
            packages[-1]["externalRefs"].append(
                {"referenceCategory": category, "referenceType": kind, "referenceLocator": locator}
            )
    return packages


def _json_packages(text: str, source: str) -> list[Package]:
    document: dict[str, Any] = json.loads(text)
    packages: list[Package] = []
    for package in document.get("packages", []):
        copied = dict(package)
        copied["SPDXID"] = _spdx_id("Embedded", str(package.get("SPDXID", package.get("name", ""))))
        copied.setdefault("sourceInfo", f"acquired package info from SPDX document: {source}")
        packages.append(copied)
    return packages


def embedded_sbom_packages(root: Path) -> list[Package]:
    """The packages of every SPDX document in the filesystem (*.spdx and *.spdx.json)."""
    packages: list[Package] = []
    for directory, subdirectories, files in os.walk(root):
        if Path(directory) == root:
            subdirectories[:] = [name for name in subdirectories if name not in NOT_SCANNED]
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            is_sbom = name.endswith((".spdx", ".spdx.json"))
            if not is_sbom or path.is_symlink() or path.stat().st_size > LARGEST_EMBEDDED_SBOM_BYTES:
                continue
            source = str(path.relative_to(root))
            text = path.read_text(errors="replace")
            packages += (
                _json_packages(text, source) if name.endswith(".json") else _tag_value_packages(text, source)
            )
    return packages


def spdx_document(name: str, packages: list[Package]) -> dict[str, Any]:
    """An SPDX 2.3 document describing `packages`, named after the scanned filesystem."""
    content = json.dumps(packages, sort_keys=True).encode()
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": (
            f"https://spdx.org/spdxdocs/mini-init-standin-scanner/{name}-"
            f"{hashlib.sha256(content).hexdigest()}"
        ),
        "creationInfo": {
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "creators": [TOOL],
        },
        "packages": packages,
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": package["SPDXID"],
            }
            for package in packages
        ],
    }


def scan(root: Path) -> dict[str, Any]:
    """The in-toto statement for one root filesystem."""
    packages = debian_packages(root) + alpine_packages(root) + embedded_sbom_packages(root)
    return {
        "_type": STATEMENT_TYPE,
        "predicateType": SPDX_PREDICATE,
        "subject": [],
        "predicate": spdx_document(root.name, packages),
    }


def targets(source: Path, extras: Path | None) -> list[Path]:
    """The main filesystem, then each extra one (an unset or missing extras directory is none)."""
    found = [source]
    if extras is not None and extras.is_dir():
        found += sorted(path for path in extras.iterdir() if path.is_dir())
    return found


def main() -> int:
    """Scan every target BuildKit passed; a protocol error is one line on stderr and exit 1."""
    try:
        source = Path(os.environ["BUILDKIT_SCAN_SOURCE"])
        destination = Path(os.environ["BUILDKIT_SCAN_DESTINATION"])
    except KeyError as missing:
        print(f"standin-scanner: {missing.args[0]} is not set (run me as a BuildKit SBOM generator)",
              file=sys.stderr)
        return 1
    extras_variable = os.environ.get("BUILDKIT_SCAN_SOURCE_EXTRAS")
    extras = Path(extras_variable) if extras_variable else None
    for root in targets(source, extras):
        statement = scan(root)
        (destination / f"{root.name}.spdx.json").write_text(json.dumps(statement, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
