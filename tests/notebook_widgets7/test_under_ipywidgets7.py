"""The widget and autopilot tests again, under ipywidgets 7 (Colab ships 7; JupyterLab 4 ships 8).

`make test` builds `.venv-widgets7` with ipywidgets 7.x; these tests run
tests/notebook, and the leak guard's widget paths in a real kernel, there in
a subprocess and fail with its output if any fail.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON7 = ROOT / ".venv-widgets7" / "bin" / "python"


def _pytest_under_ipywidgets_7(*args: str) -> None:
    if not PYTHON7.exists():
        pytest.skip("no .venv-widgets7 (make test creates it)")
    version = subprocess.run(
        [str(PYTHON7), "-c", "import ipywidgets; print(ipywidgets.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version.startswith("7."), version
    result = subprocess.run(
        [str(PYTHON7), "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "-x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, f"ipywidgets {version}:\n{tail}"
    assert " passed" in result.stdout, tail


def test_widget_tests_pass_under_ipywidgets_7():
    _pytest_under_ipywidgets_7("tests/notebook", "tests/notebooks/test_autopilot.py")


def test_widget_state_is_guarded_in_a_kernel_under_ipywidgets_7():
    _pytest_under_ipywidgets_7("tests/guard/test_kernel_paths.py", "-k", "widget")
