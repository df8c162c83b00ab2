GESTIONNAIRE_PERMISSIONS = [
    "directory.view_professional",
    "directory.add_professional",
    "directory.change_professional",
    "directory.delete_professional",
    "directory.view_directoryimport",
]
