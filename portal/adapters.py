from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts exist only for members the insurer already holds."""

    def is_open_for_signup(self, request) -> bool:
        return False
