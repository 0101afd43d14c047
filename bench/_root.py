"""Importing this puts the repository root on sys.path, so a bench script run as
`python bench/<name>.py` can import the test helpers it shares with the suite."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
