GESTIONNAIRE_PERMISSIONS = [
    "messaging.view_thread",
    "messaging.change_thread",
    "messaging.view_category",
    "messaging.add_category",
    "messaging.change_category",
    "messaging.view_topic",
    "messaging.add_topic",
    "messaging.change_topic",
]
