from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messagerie"

    def ready(self) -> None:
        from messaging.models import Category, Topic
        from messaging.selectors import forget_search_choices

        # The inbox search lists every category and objet from the cache: any change shows.
        for model in (Category, Topic):
            post_save.connect(forget_search_choices, sender=model, dispatch_uid=f"search-choices-{model.__name__}")
            post_delete.connect(
                forget_search_choices, sender=model, dispatch_uid=f"search-choices-del-{model.__name__}"
            )
