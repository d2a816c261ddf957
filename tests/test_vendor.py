"""The browser libraries the query page ships with: pinned, committed with their licences, matching VERSIONS."""

from __future__ import annotations

import hashlib
import re

from tests.conftest import ROOT

VENDOR = ROOT / "montagne_kg" / "serving" / "static" / "vendor"
SCRIPT = ROOT / "tools" / "refresh-vendor.sh"


def versions() -> list[tuple[str, str, str, str]]:
    return [tuple(line.split()) for line in (VENDOR / "VERSIONS").read_text().splitlines()]


def test_every_vendored_file_is_the_pinned_version_named_in_versions() -> None:
    listed = versions()
    assert {name for _, _, name, _ in listed} == {p.name for p in VENDOR.iterdir() if p.is_file()} - {"VERSIONS"}
    pins = dict(re.findall(r"^(@?[\w./-]+)@([\d.]+) ", SCRIPT.read_text(), flags=re.MULTILINE))
    for package, version, name, sha256 in listed:
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == sha256, f"{name} differs from VERSIONS"
        assert pins[package] == version, f"{package} {version} is not the version pinned in {SCRIPT.name}"


def test_every_vendored_package_has_its_licence() -> None:
    for package, _, _, _ in versions():
        licence = VENDOR / "licenses" / (package.lstrip("@").replace("/", "-") + ".LICENSE")
        assert licence.exists() and licence.stat().st_size > 100, f"no licence for {package}"


def test_the_pages_never_load_code_from_elsewhere() -> None:
    for path in (ROOT / "montagne_kg" / "serving").rglob("*"):
        if path.suffix in (".html", ".js", ".svg", ".css") and "vendor" not in path.parts:
            external = re.search(r"""<(script|link|img)[^>]*(src|href)=["']https?://""", path.read_text())
            assert external is None, f"{path} loads {external.group()}"
