"""Cold ``import meta_auth_nb`` on top of a bare interpreter.

Each sample is a fresh interpreter (``sys.executable``, so the same one that
runs the benchmarks): ``python -c "import meta_auth_nb"`` and, as the
baseline, ``python -c "pass"``, run alternately. The figure is the median of
the import runs minus the median of the baseline runs: what importing the
package adds to start-up. Interpreter start, ``site`` and the editable-install
finder are in both and cancel out.

Bytecode: the runs use a private ``PYTHONPYCACHEPREFIX`` (a temporary
directory, so nothing is written into the source tree) with writing
enabled, and two unmeasured warm-up runs fill it, so the figure is for an
installed package with its ``.pyc`` files, as users have it, even where
``PYTHONDONTWRITEBYTECODE`` is set.

It also checks, in one more interpreter, that the import pulls in none of
pandas, httpx or ipywidgets (nor IPython, keyring, asyncio), and counts the
modules it adds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

RUNS = 20
HEAVY = ("pandas", "numpy", "httpx", "ipywidgets", "IPython", "keyring", "asyncio")

_PROBE = """
import sys
before = set(sys.modules)
import meta_auth_nb
added = sorted(set(sys.modules) - before)
import json
print(json.dumps({"added": added, "heavy": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY", repr(HEAVY))


def _time(code: str, env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True)
    return time.perf_counter() - started


def run(runs: int = RUNS, log: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="meta-auth-bench-pyc-") as cache:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME")}
        env["PYTHONPYCACHEPREFIX"] = cache
        cwd = cache  # not the repo: the package must come from the installation, as for a user
        for _ in range(2):  # fill the bytecode cache
            _time("import meta_auth_nb", env, cwd)
            _time("pass", env, cwd)
        bare: list[float] = []
        imported: list[float] = []
        for _ in range(runs):
            bare.append(_time("pass", env, cwd))
            imported.append(_time("import meta_auth_nb", env, cwd))
        probe = subprocess.run(
            [sys.executable, "-c", _PROBE], env=env, cwd=cwd, check=True, capture_output=True, text=True
        )
    facts = json.loads(probe.stdout)
    result = {
        "runs": runs,
        "bare_s": statistics.median(bare),
        "import_s": statistics.median(imported),
        "samples": {"bare": bare, "import": imported},
        "heavy_imported": facts["heavy"],
        "modules_added": len(facts["added"]),
    }
    result["added_s"] = result["import_s"] - result["bare_s"]
    log(
        f"  import: bare interpreter {result['bare_s'] * 1000:.1f} ms, with import {result['import_s'] * 1000:.1f} ms, "
        f"added {result['added_s'] * 1000:.1f} ms; {result['modules_added']} modules added; "
        f"heavy modules imported: {', '.join(result['heavy_imported']) or 'none'}"
    )
    return result


if __name__ == "__main__":
    run()
