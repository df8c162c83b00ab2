"""The installable portal: its web app manifest and the service worker that keeps the
tiers-payant card (and nothing else) on the phone for when there is no connection.

Both are public (the browser fetches a manifest without cookies) and hold no member data.
The service worker is served from the site's root so that its scope can be the card's
pages alone: it never sees another page, so it cannot cache one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from members.cards import CARD_VERSION_HEADER

THEME_COLOUR = "#0b4f8a"  # --brand of static/css/portal.css
CARD_CACHE_PREFIX = "carte-tiers-payant-"


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The installed app opens on the card: the one page that also works offline (the
    menu leads everywhere else)."""
    icons = [
        {"src": static(f"pwa/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {
            "src": static(f"pwa/icon-maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "id": reverse("home:home"),
        "name": "Espace Assuré santé",
        "short_name": "Espace Assuré",
        "description": "Votre complémentaire santé : remboursements, garanties et carte de tiers payant.",
        "lang": "fr",
        "dir": "ltr",
        "start_url": reverse("members:card"),
        "scope": reverse("home:home"),
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": THEME_COLOUR,
        "icons": icons,
        "shortcuts": [{"name": "Ma carte de tiers payant", "url": reverse("members:card")}],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker at each visit of the card: never a stale one.
    response["Cache-Control"] = "no-cache"
    return response


def _service_worker_source() -> str:
    return render_to_string(
        "home/service_worker.js",
        {
            "card_urls": [reverse("members:card"), reverse("members:card_pdf")],
            "static_prefix": static(""),
            "version_header": CARD_VERSION_HEADER,
            "cache_prefix": CARD_CACHE_PREFIX,
        },
    )
