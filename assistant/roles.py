GESTIONNAIRE_PERMISSIONS = ["assistant.view_feedback"]
