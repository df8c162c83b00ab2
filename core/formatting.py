"""How the directory prints a distance (the ``distance`` filter of core.jinja2)."""


def distance(km: float | None) -> str:
    """450 m, 1,2 km, 12 km: as a French reader expects."""
    if km is None:
        return ""
    if km < 1:
        return f"{max(10, round(km * 1000, -1)):.0f} m"
    if km < 10:
        return f"{km:.1f} km".replace(".", ",")
    return f"{km:.0f} km"
