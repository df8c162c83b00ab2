"""Browser and system names from a User-Agent header, for the list of trusted browsers.
Only a label for the member to recognise their browser: never used for a security decision."""

from __future__ import annotations

import re

# Order matters: Edge and Opera also announce "Chrome", Chrome also announces "Safari".
_BROWSERS = (
    (re.compile(r"Edg(e|A|iOS)?/"), "Microsoft Edge"),
    (re.compile(r"(OPR|Opera)/"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"(Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"(Chrome|Chromium|CriOS)/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"(iPhone|iPad|iPod)"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
)


def _first(patterns: tuple[tuple[re.Pattern[str], str], ...], value: str, default: str) -> str:
    for pattern, name in patterns:
        if pattern.search(value):
            return name
    return default


def describe(user_agent: str) -> tuple[str, str]:
    """(browser, system), e.g. ("Firefox", "Windows")."""
    user_agent = user_agent or ""
    return _first(_BROWSERS, user_agent, "Navigateur inconnu"), _first(_SYSTEMS, user_agent, "système inconnu")
