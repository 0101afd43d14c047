"""The import direction holds (the contracts in pyproject.toml, `[tool.importlinter]`):
`cli → workers → tasks → providers | sinks → oddswatch`, the simulator on the kernel alone,
nothing but the CLI importing `workers`. Lazy imports inside functions count too.

CI runs `make test` only, so this test is what enforces the rule there (`make lint` runs
the same `lint-imports`). A broken contract fails with import-linter's own report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_contracts_are_kept() -> None:
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: run `make install`"
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}{result.stderr}"
    assert "0 broken" in result.stdout
