"""Development tools: benchmarks (``manage.py bench``), the insurer-scale data generator
(``generate_scale``), the load test, an SMTP sink and the demo data (``seed_demo``).

Installed with the development requirements only (requirements-dev.txt) and listed in
INSTALLED_APPS by the local and test settings, never by production: no production module
imports this package (tests/core/test_layers.py keeps it so).
"""
