GESTIONNAIRE_PERMISSIONS = [
    "guarantees.view_guaranteerow",
    "guarantees.view_guaranteecell",
    "guarantees.view_pmssvalue",
]
