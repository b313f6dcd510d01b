"""The import contracts in pyproject.toml hold on the code, and each one fails the lint step when broken.

`./dev lint` runs import-linter; a contract that nothing could break would guard nothing. For every
contract, a copy of the tree gets one import that breaks it (a lower layer importing a higher one, a
module importing what a `forbidden` contract keeps behind its door), and import-linter must report
that contract broken and exit non-zero.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("common", "integrations", "portfolio")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(tree / "pyproject.toml")],
        cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "COLUMNS": "250"},
        capture_output=True, text=True, timeout=120,
    )


def _violation(contract: dict) -> tuple[str, str]:
    """(the module that gets the bad import, the module it imports) for one contract."""
    if contract["type"] == "layers":
        return contract["layers"][-1], contract["layers"][0]
    if contract["type"] == "forbidden":
        return contract["source_modules"][0], contract["forbidden_modules"][0]
    raise AssertionError(f"no violation is known for a {contract['type']} contract: teach this test one")


def _add_import(tree: Path, importer: str, imported: str) -> None:
    path = tree / importer.replace(".", "/")
    target = path / "contract_probe.py" if path.is_dir() else path.with_suffix(".py")
    assert target.parent.is_dir(), f"{importer} is not in the tree"
    with target.open("a") as source:
        source.write(f"\nimport {imported}  # breaks the contract on purpose\n")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_code_keeps_every_contract(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout


@pytest.mark.parametrize("contract", _contracts(), ids=lambda contract: contract["name"][:60])
def test_a_broken_contract_fails_the_lint(tree, tmp_path, contract):
    broken = tmp_path / "broken"
    shutil.copytree(tree, broken)
    importer, imported = _violation(contract)
    _add_import(broken, importer, imported)
    result = _lint(broken)
    assert result.returncode != 0, f"import-linter let `{importer}` import `{imported}`:\n{result.stdout}"
    name_start = contract["name"].split()[0]
    broken_lines = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(name_start in line for line in broken_lines), result.stdout
    assert f"{importer}" in result.stdout and imported in result.stdout, result.stdout
