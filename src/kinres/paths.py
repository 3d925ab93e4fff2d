"""Locations of the project's committed resources and schemas.

kinres is installed editable from its checkout (`pip install -e .`), so resources are found
relative to the source tree; KINRES_HOME overrides that for unusual installs.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("KINRES_HOME", Path(__file__).resolve().parents[2]))
RESOURCES = PROJECT_ROOT / "resources"
PANEL_DIR = RESOURCES / "panel"
KNOWLEDGE_DIR = RESOURCES / "knowledge"
SCHEMAS = PROJECT_ROOT / "workflow" / "schemas"
