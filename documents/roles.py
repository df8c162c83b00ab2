GESTIONNAIRE_PERMISSIONS = ["documents.view_privatefile"]
