"""Conda env files are valid, exactly pinned and agree with the pip pins.

Conda channels are unreachable here, so instead of solving the envs we check
that what they pin is what the tested .venv runs.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import REPO

ENV_FILES = sorted((REPO / "envs").glob("*.yaml"))
CONDA_TO_PIP = {"pyyaml": "pyyaml", "pyarrow": "pyarrow", "pandas": "pandas"}


def pip_pins() -> dict[str, str]:
    pins = {}
    for name in ("requirements.txt", "requirements-slurm.txt", "constraints.txt"):
        for line in (REPO / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                package, version = line.split("==", 1)
                pins[package.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_there_are_env_files():
    assert ENV_FILES


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: p.name)
def test_env_file_is_valid_and_pinned(path):
    env = yaml.safe_load(path.read_text())
    assert set(env) <= {"name", "channels", "dependencies"}, path
    assert env["channels"][:2] == ["conda-forge", "bioconda"] and "defaults" not in env["channels"]
    pins = pip_pins()
    for dep in env["dependencies"]:
        assert isinstance(dep, str), f"{path.name}: nested pip sections are not used here: {dep}"
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*=\s*([0-9][0-9A-Za-z.\-]*)", dep)
        assert match, f"{path.name}: '{dep}' is not pinned to an exact version (name =x.y.z)"
        name, version = match.group(1).lower(), match.group(2)
        if name == "python":
            continue
        pip_name = CONDA_TO_PIP.get(name, name)
        assert pins.get(pip_name) == version, f"{path.name}: {name} ={version} but pip pins {pins.get(pip_name)}"


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-slurm.txt"])
def test_requirements_are_exact_pins(name):
    for line in (REPO / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-]*", line), line
            assert line.lower() in (REPO / "constraints.txt").read_text().lower(), f"{name}: {line} not in constraints.txt"


def test_every_rule_uses_a_conda_env_that_exists():
    for rule_file in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for env in re.findall(r'conda:\s*\n\s*"([^"]+)"', rule_file.read_text()):
            assert (rule_file.parent / env).resolve().is_file(), f"{rule_file.name}: {env}"


def test_official_reference_config_is_valid():
    """resources/references-ncbi.yaml merges into a config the schema accepts."""
    import jsonschema

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    official = yaml.safe_load((REPO / "resources" / "references-ncbi.yaml").read_text())
    config.update(official)
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    jsonschema.validate(config, schema)
    assert set(map(int, official["references"]["gene_info"])) == set(official["organisms"])
