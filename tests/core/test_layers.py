"""The layers of the code base: development tools stay out of production."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCTION = {"tools", "tests", ".venv", "var", "docs"}


def _production_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_PRODUCTION or relative.parts[0].startswith("."):
            continue
        yield relative, ast.parse(path.read_text(), filename=str(relative))


def _imported_names(tree: ast.AST):
    # Every import, including those inside functions: a lazy import still needs the package.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_production_module_imports_the_tools_package():
    offenders = [
        f"{relative}: {name}"
        for relative, tree in _production_modules()
        for name in _imported_names(tree)
        if name == "tools" or name.startswith("tools.")
    ]
    assert offenders == []


def test_production_settings_run_without_the_tools_package(tmp_path):
    # As on a production machine, where tools/ is not installed (requirements-dev.txt and
    # the tools/ folder are for development): importing it must fail, and Django start.
    script = (
        "import sys; sys.modules['tools'] = None\n"
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "assert 'tools' not in settings.INSTALLED_APPS, settings.INSTALLED_APPS\n"
        "from django.core.management import call_command; call_command('check')\n"
        "print('production boots')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 50,
        "TOTP_ENCRYPTION_KEYS": "Tm90LWEtcmVhbC1rZXktYnV0LTMyLWJ5dGVzLWxvbmc=",
        "DJANGO_ALLOWED_HOSTS": "assure.example.fr",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "production boots" in result.stdout


def test_runtime_requirements_hold_no_development_package():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for package in ("pytest", "playwright", "ruff", "faker", "factory_boy", "hypothesis", "aiosmtpd"):
        assert f"{package}==" not in runtime
