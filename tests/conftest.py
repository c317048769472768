"""Test helpers shared by the suite: the tests folder is importable (fixture runner)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
