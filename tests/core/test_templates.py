"""Templates, not strings: the portal's pages are Jinja2 templates (templates/jinja2/), the
admin, allauth, e-mails and PDFs Django templates (templates/), no name is found by both
engines, and no production module writes page markup in Python strings."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest
from django.template import TemplateDoesNotExist, defaultfilters, engines
from django.utils.html import escape
from django.utils.timezone import template_localtime

ROOT = Path(__file__).resolve().parents[2]
JINJA_DIR = ROOT / "templates" / "jinja2"
NOT_PRODUCTION = {"tools", "tests", ".venv", "var", "docs"}

# An opening tag of page markup, as a template would write it.
TAG = re.compile(
    r"<(?:a|article|b|br|button|code|div|em|form|h[1-6]|img|input|label|li|nav|ol|option|p|section|select|small"
    r"|span|strong|table|td|textarea|th|tr|ul)\b",
    re.IGNORECASE,
)
# The admin's computed cells (a link to a file, an import's error report) are written with
# format_html / format_html_join, which escape every value: allowed in admin.py modules.
ADMIN_CELL_BUILDERS = {"format_html", "format_html_join"}


def _names(folder: Path, *, skip: Path | None = None) -> list[str]:
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*.html") if skip is None or skip not in path.parents
    )


def test_no_template_name_is_found_by_both_engines():
    jinja_names = _names(JINJA_DIR)
    django_names = _names(ROOT / "templates", skip=JINJA_DIR)
    assert "home/home.html" in jinja_names and "emails/_base.html" in django_names
    for name in jinja_names:
        with pytest.raises(TemplateDoesNotExist):
            engines["django"].get_template(name)
    for name in django_names:
        with pytest.raises(TemplateDoesNotExist):
            engines["jinja2"].get_template(name)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _admin_cell_formats(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ADMIN_CELL_BUILDERS
        ):
            found.update(id(arg) for arg in node.args if isinstance(arg, ast.Constant))
    return found


def _markup_in_strings(path: Path, relative: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(relative))
    allowed = _docstrings(tree)
    if relative.name == "admin.py":
        allowed |= _admin_cell_formats(tree)
    return [
        f"{relative}:{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in allowed
        and TAG.search(node.value)
    ]


def test_no_production_module_writes_page_markup_in_strings():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_PRODUCTION or relative.parts[0].startswith(".") or "migrations" in relative.parts:
            continue
        offenders += _markup_in_strings(path, relative)
    assert offenders == [], "write page markup in a template (templates/jinja2/), not in Python:\n" + "\n".join(
        offenders
    )


def test_the_scan_sees_markup_in_strings_and_f_strings(tmp_path):
    module = tmp_path / "rows.py"
    module.write_text(
        'ROW = "<tr><td>{}</td></tr>"\n\ndef cell(x):\n    """A <td> cell."""\n    return f"<span>{x}</span>"\n'
    )
    assert len(_markup_in_strings(module, Path("claims/rows.py"))) == 2


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_values_print_as_a_french_reader_expects():
    assert _render("{{ amount }} · {{ day }}", amount=Decimal("12.5"), day=dt.date(2026, 3, 1)) == "12,5 · 1 mars 2026"
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # the next day in Paris
    assert _render('{{ moment|date("d/m/Y H:i") }}', moment=moment) == "02/03/2026 00:30"
    assert _render('{{ day|date("j F Y") }}', day=dt.date(2026, 8, 15)) == "15 août 2026"
    assert _render("{{ amount|euros }}", amount=Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert (
        _render("{{ text }}", text="<b>\"Tom\" & 'Jerry'</b>")
        == "&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;"
    )


@pytest.mark.parametrize(
    "fmt", ["d/m/Y", "d/m/Y H:i", "d/m/Y à H:i", "m/Y", "Y", "H:i", "j F Y", "F Y", "D d/m", "d\\h"]
)
def test_dates_print_as_djangos_date_filter_prints_them(fmt):
    values = [
        dt.date(2026, 1, 5),
        dt.date(999, 12, 31),
        dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 14, 9, 5),
    ]
    for value in values:
        if isinstance(value, dt.datetime) or not set(fmt) & set("Hi"):
            expected = defaultfilters.date(template_localtime(value), fmt)
            assert _render("{{ value|date(fmt) }}", value=value, fmt=fmt) == escape(expected), (value, fmt)


def test_a_variable_the_view_does_not_pass_is_an_error_not_an_empty_cell():
    with pytest.raises(jinja2.UndefinedError):
        _render("<td>{{ totl }}</td>", total=3)
    assert _render("{% if hint is defined %}{{ hint }}{% endif %}{{ hours|default(24) }}") == "24"
