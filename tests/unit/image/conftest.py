"""Image test setup: put the repo root on sys.path for plain `pytest` runs."""
import pathlib
import sys

# No __init__.py here on purpose: a test package named `image` would shadow the real one.
_ROOT = str(pathlib.Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
