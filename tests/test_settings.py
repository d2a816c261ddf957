"""The one settings table feeds the flags, the environment, /-/settings and the README."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from montagne_kg.serving import settings
from tests.conftest import ROOT


def test_every_setting_is_a_flag_a_variable_and_a_readme_row() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in settings.TABLE:
        if setting.secret:  # no flag: from the environment or a file only
            row = f"| (secret) | `{setting.env}` or `{setting.env}_FILE` |"
        else:
            row = f"| `{setting.flag}` | `{setting.env}` |"
        assert row in readme, f"the README has no row {row}"


def test_settings_page_shows_every_setting(client: FlaskClient) -> None:
    shown = client.get("/-/settings").get_json()
    assert sorted(shown) == sorted(s.name for s in settings.TABLE)
    assert shown["time_limit"] == 10.0 and shown["service_allow"] == ["https://query.wikidata.org/sparql"]


def test_flags_override_the_environment_which_overrides_defaults() -> None:
    parser = argparse.ArgumentParser()
    settings.add_flags(parser)
    environ = {"MONTAGNE_KG_MAX_ROWS": "7", "MONTAGNE_KG_TIME_LIMIT": "3"}
    chosen = settings.from_flags(parser.parse_args(["--time-limit", "2.5", "--service-allow"]), environ)
    assert (chosen.max_rows, chosen.time_limit, chosen.service_allow, chosen.per_client) == (7, 2.5, (), 4)


@pytest.mark.parametrize("argv,environ,message", [
    (["--time-limit", "0"], {}, "--time-limit 0: must be greater than 0"),
    (["--store", "ram"], {}, "--store ram: must be one of memory, disk"),
    ([], {"MONTAGNE_KG_PORT": "eighty"}, "MONTAGNE_KG_PORT='eighty'"),
    (["--service-override", "nonsense"], {}, "a SERVICE override must be IRI=URL"),
])
def test_a_bad_value_is_an_error_naming_the_setting(argv: list[str], environ: dict, message: str) -> None:
    parser = argparse.ArgumentParser()
    settings.add_flags(parser)
    with pytest.raises(settings.SettingError, match=message.replace("(", r"\(")):
        settings.from_flags(parser.parse_args(argv), environ)


def test_serve_refuses_a_bad_setting_with_a_message(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "montagne_kg.cli", "serve", "--build-dir", str(tmp_path),
                           "--time-limit", "0"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2 and "--time-limit 0: must be greater than 0" in done.stderr


def test_secret_settings_come_from_the_environment_or_a_file_and_are_masked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = settings.Setting("token", "", str, "a credential", secret=True)
    table = (*settings.TABLE, secret)
    cls = dataclasses.make_dataclass("WithSecret", [(s.name, object, dataclasses.field(default=s.parse(s.default)))
                                                    for s in table if s.name not in ("service_override",)]
                                     + [("service_override", object, dataclasses.field(default_factory=dict))],
                                     frozen=True)
    monkeypatch.setattr(settings, "TABLE", table)
    monkeypatch.setattr(settings, "Settings", cls)
    parser = argparse.ArgumentParser()
    settings.add_flags(parser)
    assert "--token" not in parser.format_help()
    (tmp_path / "token").write_text("s3cret\n")
    chosen = settings.from_environment({"MONTAGNE_KG_TOKEN_FILE": str(tmp_path / "token")})
    assert chosen.token == "s3cret" and settings.public(chosen)["token"] == settings.MASK
    assert settings.from_environment({"MONTAGNE_KG_TOKEN": "abc"}).token == "abc"
    assert settings.public(settings.from_environment({}))["token"] == ""


def test_the_environment_written_for_workers_reads_back_to_the_same_settings(build_dir: Path) -> None:
    chosen = settings.Settings(build_dir=build_dir, service_allow=("http://a/", "http://b/"),
                               service_override={"http://a/": "http://127.0.0.1:1/"}, allow_unsandboxed=True,
                               time_limit=2.5, trusted_proxies=())
    assert settings.from_environment(settings.environment(chosen)) == chosen


def test_settings_show_the_build_directory_relative_to_its_project_never_the_machines_layout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONTAGNE_KG_ROOT", raising=False)
    assert settings.public(settings.Settings(build_dir=ROOT / "build"))["build_dir"] == "build"
    assert settings.public(settings.Settings(build_dir=Path("elsewhere/build")))["build_dir"] == "elsewhere/build"
    outside = tmp_path / "builds"  # no project holds it: shown as it was given
    assert settings.public(settings.Settings(build_dir=outside))["build_dir"] == str(outside)
