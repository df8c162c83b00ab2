"""The one PDF renderer of the project: a Django template rendered to HTML, then to PDF
bytes by WeasyPrint.

Every PDF is tagged (PDF/UA-1 variant: structure tree, /MarkInfo, document language from
``<html lang="fr">``, title from ``<title>``), so that screen readers can read it.

Rendering never reaches outside the project: the URL fetcher serves only the project's
own static files and refuses everything else (network URLs, ``file://`` paths outside the
static directories, other hosts), so no template content - even one echoing member data -
can make the server fetch or embed anything else.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import get_template, render_to_string
from weasyprint import HTML
from weasyprint import __version__ as weasyprint_version
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/ua-1"


class ResourceRefused(ValueError):
    """A PDF template asked for something that is not one of the project's static files."""


def static_roots() -> list[Path]:
    roots = [Path(root).resolve() for root in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def static_base_url() -> str:
    """Relative URLs in PDF templates ("css/x.css") resolve into the project's static dir."""
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


def _find_static(path: str) -> Path | None:
    """``path`` is the path part of a file:// URL: either inside a static root, or the
    ``{% static %}`` form (``/static/css/x.css``) looked up through the staticfiles finders."""
    candidate = Path(path).resolve()
    if any(candidate.is_relative_to(root) for root in static_roots()):
        return candidate
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if path.startswith(prefix):
        try:
            found = finders.find(path.removeprefix(prefix))
        except SuspiciousFileOperation:
            return None
        if found:
            return Path(found).resolve()
    return None


class StaticFilesFetcher(URLFetcher):
    """Serves the project's static files and nothing else. A refusal is an exception:
    WeasyPrint then renders without the resource (and logs a warning)."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"PDF resources are limited to the portal's static files: {url[:200]}")
        path = _find_static(unquote(parts.path))
        if path is None or not path.is_file():
            raise ResourceRefused(f"Not one of the portal's static files: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


@functools.lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    # Building a FontConfiguration scans fontconfig: once per process, not per render.
    return FontConfiguration()


@functools.lru_cache(maxsize=64)
def template_version(*template_names: str) -> str:
    """A digest of the templates' source and of the renderer, part of every cache key: a
    change of layout renders new PDFs without anybody having to bump a number."""
    digest = hashlib.sha256(f"weasyprint {weasyprint_version} {PDF_VARIANT}".encode())
    for name in template_names:
        digest.update(Path(get_template(name).origin.name).read_bytes())
    return digest.hexdigest()[:16]


def html_to_pdf(html: str) -> bytes:
    """HTML to tagged PDF bytes, with the static-only fetcher. The title and language come
    from the HTML (``<title>``, ``<html lang>``)."""
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticFilesFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, font_config=_font_config())


def render_pdf(template_name: str, context: dict, *, title: str) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes.

    ``title`` becomes the HTML ``<title>`` hence the PDF's title metadata, which PDF/UA
    requires to be shown instead of the file name."""
    if not title.strip():
        raise ValueError("An accessible PDF needs a title.")
    html = render_to_string(template_name, {**context, "pdf_title": title})
    return html_to_pdf(html)
