"""Dateline under its own name: ``dateline.flows``, ``dateline.transforms``, ``dateline.cli`` …

Installed from the wheel, the packages sit inside this one (pyproject: ``tool.hatch.build.targets.wheel
.sources``), so a user's environment gains one top-level name, ``dateline``. In a checkout they stay
at the top of the repository (the design card's layout) and this package's path reaches them there.
"""

from pathlib import Path

_here = Path(__file__).resolve().parent
if not (_here / "flows").is_dir() and (_here.parent / "flows" / "__init__.py").is_file():
    __path__.append(str(_here.parent))  # a checkout: dateline.flows is <repository>/flows
