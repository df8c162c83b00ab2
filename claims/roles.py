GESTIONNAIRE_PERMISSIONS = [
    "claims.view_decompte",
    "claims.view_decompteline",
    "claims.view_importbatch",
    "claims.add_importbatch",
    "claims.view_quoterequest",
    "claims.change_quoterequest",
    "claims.view_quoteline",
    "claims.change_quoteline",
    "claims.view_quotedocument",
    "claims.view_quoteevent",
]
