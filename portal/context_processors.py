from portal.navigation import build_menu


def portal(request):
    user = getattr(request, "user", None)
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    return {
        "current_member": member,
        "menu": build_menu(request.path) if member is not None else [],
    }
