"""The one PDF renderer of the project: a Django template rendered to HTML, then to PDF
bytes by WeasyPrint.

Every PDF is tagged (PDF/UA-1 variant: structure tree, /MarkInfo, document language from
``<html lang="fr">``, title from ``<title>``), so that screen readers can read it.

Rendering never reaches outside the project: the URL fetcher serves only the project's
own static files and refuses everything else (network URLs, ``file://`` paths outside the
static directories, other hosts), so no template content - even one echoing member data -
can make the server fetch or embed anything else. The one exception is an inline PNG
(``data:image/png;base64,...``, such as a QR code drawn by the portal): it is decoded
locally, checked to be a PNG, and nothing is fetched.

Stylesheets live under ``static/pdf/``: each is parsed once per process and handed to
WeasyPrint already parsed (a ``<style>`` block is parsed again on every render). The shared
one, ``pdf/base.css``, comes first; a template's own ``{% block style %}`` (author origin)
still overrides it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import get_template, render_to_string
from weasyprint import CSS, HTML
from weasyprint import __version__ as weasyprint_version
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/ua-1"
BASE_STYLESHEET = "pdf/base.css"
PNG_DATA_URL_PREFIX = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_INLINE_PNG_BYTES = 256 * 1024


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
        if url.startswith(PNG_DATA_URL_PREFIX):
            return URLFetcherResponse(url, body=_inline_png(url), headers={"Content-Type": "image/png"})
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"PDF resources are limited to the portal's static files: {url[:200]}")
        path = _find_static(unquote(parts.path))
        if path is None or not path.is_file():
            raise ResourceRefused(f"Not one of the portal's static files: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


def _inline_png(url: str) -> bytes:
    """The bytes of a ``data:image/png;base64,`` URL, decoded here: only a PNG, only small."""
    encoded = url.removeprefix(PNG_DATA_URL_PREFIX)
    if len(encoded) > MAX_INLINE_PNG_BYTES * 4 // 3 + 4:
        raise ResourceRefused("Inline PNG too large.")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ResourceRefused("Inline PNG is not valid base64.") from None
    if not data.startswith(PNG_SIGNATURE):
        raise ResourceRefused("Inline image is not a PNG.")
    return data


@functools.lru_cache(maxsize=1)
def _fetcher() -> StaticFilesFetcher:
    # Building a URLFetcher builds urllib handlers that this one never uses: once per process
    # (its fetch() keeps no state).
    return StaticFilesFetcher()


@functools.lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    # Building a FontConfiguration scans fontconfig: once per process, not per render.
    return FontConfiguration()


def _stylesheet_path(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"PDF stylesheet not found in the static files: {name}")
    return Path(found).resolve()


@functools.lru_cache(maxsize=16)
def _stylesheet(name: str) -> CSS:
    # Parsed once per process (like the templates, a change needs a restart); WeasyPrint
    # only reads a CSS object while rendering, so every render can share it.
    return CSS(url=_stylesheet_path(name).as_uri(), url_fetcher=_fetcher(), font_config=_font_config())


@functools.lru_cache(maxsize=64)
def template_version(*template_names: str, stylesheets: tuple[str, ...] = ()) -> str:
    """A digest of the templates' and stylesheets' source and of the renderer, part of every
    cache key: a change of layout renders new PDFs without anybody having to bump a number."""
    digest = hashlib.sha256(f"weasyprint {weasyprint_version} {PDF_VARIANT}".encode())
    for name in template_names:
        # django-stubs leave out the backend template's `origin` property (Django has it).
        digest.update(Path(get_template(name).origin.name).read_bytes())  # type: ignore[attr-defined]
    for name in (BASE_STYLESHEET, *stylesheets):
        digest.update(_stylesheet_path(name).read_bytes())
    return digest.hexdigest()[:16]


def html_to_pdf(html: str, stylesheets: tuple[str, ...] = ()) -> bytes:
    """HTML to tagged PDF bytes, with the static-only fetcher and the given static
    stylesheets (already parsed). The title and language come from the HTML (``<title>``,
    ``<html lang>``)."""
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=_fetcher())
    return document.write_pdf(
        pdf_variant=PDF_VARIANT,
        font_config=_font_config(),
        stylesheets=[_stylesheet(name) for name in stylesheets],
    )


def render_pdf(template_name: str, context: dict, *, title: str, stylesheets: tuple[str, ...] = ()) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes, styled by
    ``pdf/base.css`` then ``stylesheets`` (names under ``static/``).

    ``title`` becomes the HTML ``<title>`` hence the PDF's title metadata, which PDF/UA
    requires to be shown instead of the file name."""
    if not title.strip():
        raise ValueError("An accessible PDF needs a title.")
    html = render_to_string(template_name, {**context, "pdf_title": title})
    return html_to_pdf(html, stylesheets=(BASE_STYLESHEET, *stylesheets))
