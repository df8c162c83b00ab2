"""core.pdf, the one PDF renderer: tagged PDF/UA output, and a URL fetcher that never
reaches outside the project's static files."""

from __future__ import annotations

import base64
import http.server
import io
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from core import pdf

HOSTILE_HTML = """<!DOCTYPE html><html lang="fr"><head><title>Hostile</title>
<link rel="stylesheet" href="{origin}/style.css">
<link rel="attachment" href="file:///etc/passwd">
<style>@import url("{origin}/import.css"); body {{ background: url("{origin}/bg.png"); }}</style>
</head><body><p>Contenu</p><img src="{origin}/pixel.png" alt=""><img src="file:///etc/passwd" alt="">
<a rel="attachment" href="file:///etc/hostname">x</a></body></html>"""


@pytest.fixture
def local_server():
    """A web server on loopback that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def attachments(content: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(content)).attachments)


def test_the_pdf_is_tagged_with_title_and_language():
    content = pdf.html_to_pdf(
        '<html lang="fr"><head><title>Carte de tiers payant</title></head><body><h1>Carte</h1></body></html>'
    )
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert reader.metadata.title == "Carte de tiers payant"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()


def test_render_pdf_titles_the_document_and_refuses_an_untitled_one(db):
    content = pdf.render_pdf("pdf/attestation_affiliation.html", {"attestation": {}}, title="Attestation d'affiliation")
    assert PdfReader(io.BytesIO(content)).metadata.title == "Attestation d'affiliation"
    with pytest.raises(ValueError, match="title"):
        pdf.render_pdf("pdf/attestation_affiliation.html", {}, title=" ")


def test_a_template_cannot_fetch_the_network_or_local_files(local_server):
    origin, hits = local_server
    html = HOSTILE_HTML.format(origin=origin)

    # What an unguarded renderer does with this page: it calls the server and embeds files.
    unguarded = HTML(string=html).write_pdf()
    embedded = [data for versions in attachments(unguarded).values() for data in versions]
    assert hits and any(b"root:" in data for data in embedded)

    hits.clear()
    guarded = pdf.html_to_pdf(html)
    assert hits == []
    assert attachments(guarded) == {}
    assert b"root:" not in guarded


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode(),
        "data:image/png;base64,not base64!",
        "data:image/png;base64," + base64.b64encode(PNG + b"\x00" * pdf.MAX_INLINE_PNG_BYTES).decode(),
        "data:image/png," + PNG.decode("latin-1"),
        "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(),
        "DATA:image/png;base64," + base64.b64encode(PNG).decode(),
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "data:text/plain,secret",
        "file://otherhost" + str(settings.BASE_DIR / "static" / "css" / "portal.css"),
        (settings.BASE_DIR / "static" / ".." / "manage.py").as_uri(),
        "file:///static/../../etc/passwd",
        "file:///static/css/../../../manage.py",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(pdf.ResourceRefused):
        pdf.StaticFilesFetcher()(url)


def test_the_fetcher_decodes_an_inline_png_itself():
    response = pdf.StaticFilesFetcher()("data:image/png;base64," + base64.b64encode(PNG).decode())
    assert response.read() == PNG and response.content_type == "image/png"


def test_an_inline_png_is_drawn_without_any_fetch(local_server):
    origin, hits = local_server
    png = io.BytesIO()
    Image.new("L", (3, 3), 0).save(png, "PNG")
    src = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    content = pdf.html_to_pdf(
        f'<html lang="fr"><head><title>T</title></head><body><img src="{src}" alt="carré"><img src="{origin}/x.png" alt=""></body></html>'
    )
    images = [name for page in PdfReader(io.BytesIO(content)).pages for name in page["/Resources"].get("/XObject", {})]
    assert len(images) == 1 and hits == []


def test_every_pdf_gets_the_shared_stylesheet(db):
    content = pdf.render_pdf("pdf/attestation_affiliation.html", {"attestation": {}}, title="Attestation d'affiliation")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    # The page footer of static/pdf/base.css.
    assert "Attestation d'affiliation - page 1 / 1" in text


def test_a_stylesheet_is_part_of_the_layout_version():
    names = ("pdf/tiers_payant_card.html", "pdf/base.html")
    assert pdf.template_version(*names) != pdf.template_version(*names, stylesheets=("pdf/card.css",))


def test_the_fetcher_serves_the_projects_static_files():
    expected = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_bytes()
    fetcher = pdf.StaticFilesFetcher()
    direct = fetcher((Path(settings.BASE_DIR) / "static" / "css" / "portal.css").as_uri())
    assert direct.read() == expected and direct.content_type == "text/css"
    # The {% static %} form resolves against the base URL to file:///static/...
    assert fetcher("file:///static/css/portal.css").read() == expected


def test_a_template_may_use_a_static_stylesheet(monkeypatch):
    fetched = []
    real_fetch = pdf.StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        response = real_fetch(self, url, headers)
        fetched.append(url)
        return response

    monkeypatch.setattr(pdf.StaticFilesFetcher, "fetch", spy)
    pdf.html_to_pdf(
        '<html lang="fr"><head><title>T</title><link rel="stylesheet" href="css/portal.css"></head><body>x</body></html>'
    )
    assert fetched == [(Path(settings.BASE_DIR) / "static" / "css" / "portal.css").resolve().as_uri()]
