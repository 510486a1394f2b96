"""Starting the app (every CLI command, --help included) does not load the libraries of
one file format or of migrations: they are imported where they are used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openpyxl", "docx", "pdfplumber", "pdfminer", "icalendar", "alembic", "weasyprint")


def test_creating_the_app_imports_no_format_or_migration_library() -> None:
    probe = (
        "import sys; from config import TestConfig; from wsgi import create_app; "
        "config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}; "
        "config['DATABASE_URL'] = 'sqlite://'; create_app(config); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
