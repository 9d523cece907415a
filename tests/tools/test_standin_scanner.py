# SPDX-License-Identifier: MIT
"""The stand-in SBOM scanner speaks BuildKit's generator protocol and lists what syft would for the
bases (dpkg, distroless status.d, apk) and the init's own SPDX record (mini_init_tools.init_sbom)."""

import json
from pathlib import Path
from typing import Any

import pytest
from mini_init_tools import standin_scanner
from mini_init_tools.init_sbom import render_record
from mini_init_tools.version import VERSION

SHA256 = "0123456789abcdef" * 4
REVISION = "f" * 40
DPKG_STATUS = """Package: busybox-static
Status: install ok installed
Maintainer: Debian Install System Team <debian-boot@lists.debian.org>
Architecture: arm64
Version: 1:1.35.0-4+b3
Description: Standalone rescue shell with tons of builtin utilities
 The second line of the description.

Package: removed-long-ago
Status: deinstall ok config-files
Architecture: arm64
Version: 1.0
"""
TZDATA_STATUS = "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"
APK_INSTALLED = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:aarch64\nm:Natanael Copa <ncopa@alpinelinux.org>\n\n"


def _packages(statement: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {package["name"]: package for package in statement["predicate"]["packages"]}


@pytest.fixture
def scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Run the scanner as BuildKit does on an image root and one extra stage; its statements by
    file name."""
    core = tmp_path / "src" / "core" / "sbom"
    (core / "var/lib/dpkg/status.d").mkdir(parents=True)
    (core / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    (core / "var/lib/dpkg/status.d/tzdata").write_text(TZDATA_STATUS)
    (core / "lib/apk/db").mkdir(parents=True)
    (core / "lib/apk/db/installed").write_text(APK_INSTALLED)
    (core / "etc").mkdir()
    (core / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    init_stage = tmp_path / "src" / "extras" / "sbom-init"
    init_stage.mkdir(parents=True)
    (init_stage / "mini-init.spdx").write_text(
        render_record("arm64", SHA256, REVISION, "https://github.com/acme/mini-init", 0)
    )
    output = tmp_path / "out"
    output.mkdir()
    monkeypatch.setenv("BUILDKIT_SCAN_SOURCE", str(core))
    monkeypatch.setenv("BUILDKIT_SCAN_SOURCE_EXTRAS", str(tmp_path / "src" / "extras"))
    monkeypatch.setenv("BUILDKIT_SCAN_DESTINATION", str(output))
    assert standin_scanner.main() == 0
    return {path.name: json.loads(path.read_text()) for path in output.iterdir()}


def test_one_in_toto_spdx_statement_per_scanned_filesystem(scanned: dict[str, Any]) -> None:
    assert sorted(scanned) == ["sbom-init.spdx.json", "sbom.spdx.json"]
    for statement in scanned.values():
        assert statement["_type"] == "https://in-toto.io/Statement/v0.1"
        assert statement["predicateType"] == "https://spdx.dev/Document"
        assert statement["predicate"]["spdxVersion"] == "SPDX-2.3"
    assert scanned["sbom.spdx.json"]["predicate"]["name"] == "sbom"


def test_installed_debian_and_alpine_packages_are_listed_with_purls(scanned: dict[str, Any]) -> None:
    packages = _packages(scanned["sbom.spdx.json"])
    assert sorted(packages) == ["busybox-static", "musl", "tzdata"]
    busybox = packages["busybox-static"]
    assert busybox["versionInfo"] == "1:1.35.0-4+b3"
    assert busybox["externalRefs"][0]["referenceLocator"] == (
        "pkg:deb/debian/busybox-static@1%3A1.35.0-4%2Bb3?arch=arm64&distro=debian-12"
    )
    assert busybox["supplier"].startswith("Person: Debian Install System Team")
    assert "status.d/tzdata" in packages["tzdata"]["sourceInfo"]
    assert packages["musl"]["externalRefs"][0]["referenceLocator"].startswith("pkg:apk/alpine/musl@")


def test_the_inits_record_keeps_version_checksum_and_revision(scanned: dict[str, Any]) -> None:
    init = _packages(scanned["sbom-init.spdx.json"])["mini-init"]
    assert init["versionInfo"] == VERSION
    assert init["checksums"] == [{"algorithm": "SHA256", "checksumValue": SHA256}]
    assert init["downloadLocation"] == f"git+https://github.com/acme/mini-init@{REVISION}"
    assert REVISION in init["comment"]
    purl = init["externalRefs"][0]["referenceLocator"]
    assert purl.startswith(f"pkg:generic/mini-init@{VERSION}?arch=arm64&checksum=sha256:{SHA256}")


def test_without_source_the_scanner_says_how_it_is_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BUILDKIT_SCAN_SOURCE", raising=False)
    monkeypatch.setenv("BUILDKIT_SCAN_DESTINATION", "/nonexistent")
    assert standin_scanner.main() == 1
    assert "BUILDKIT_SCAN_SOURCE is not set" in capsys.readouterr().err


def test_the_record_is_the_same_bytes_for_the_same_build() -> None:
    first = render_record("amd64", SHA256, REVISION, "", 1700000000)
    assert first == render_record("amd64", SHA256, REVISION, "", 1700000000)
    assert "Created: 2023-11-14T22:13:20Z" in first
    assert "PackageDownloadLocation: NOASSERTION" in first
