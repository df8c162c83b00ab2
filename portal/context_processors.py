from portal.navigation import menu_html, site_urls


def portal(request):
    user = getattr(request, "user", None)
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    return {
        "current_member": member,
        "menu_html": menu_html(request.path) if member is not None else "",
        "site_urls": site_urls(),
    }
