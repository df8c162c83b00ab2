GESTIONNAIRE_PERMISSIONS = ["notifications.view_notification"]
