"""Optional error tracking (Sentry), off unless SENTRY_DSN is set (production settings).

An error report leaves the insurer's machines: it must carry no member data. The SDK is
told not to collect personal data (``send_default_pii=False``), request bodies or local
variables, and ``scrub_event`` removes, before anything is sent, whatever could still
hold some: the request's body, cookies, query string and headers but a safe few, the
user but their id, breadcrumbs' data (SQL parameters) and the detail PostgreSQL adds to
a constraint error (the duplicated value, a NIR for instance).
"""

from __future__ import annotations

from typing import Any

from core.logs import without_detail

_SAFE_HEADERS = {"content-type", "content-length", "x-request-id"}


def scrub_event(event: Any, hint: dict[str, Any] | None = None) -> Any:
    """Sentry's ``before_send``: the event (a dict) without what may hold member data."""
    request = event.get("request")
    if isinstance(request, dict):
        url = str(request.get("url", ""))
        event["request"] = {
            "method": request.get("method", ""),
            "url": url.split("?", 1)[0],
            "headers": {
                name: value
                for name, value in (request.get("headers") or {}).items()
                if str(name).lower() in _SAFE_HEADERS
            },
        }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs or []
    for crumb in values:
        if isinstance(crumb, dict):
            crumb.pop("data", None)
    for exception in (event.get("exception") or {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = without_detail(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    event.pop("extra", None)
    return event


def error_tracking_init(*, dsn: str, environment: str, release: str = "") -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0.0,
    )
