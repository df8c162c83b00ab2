"""The gestionnaire uploads a décomptes file in the back-office and watches the batch
reach "Accepté": the page is refreshed by static/js/import_progress.js polling the JSON
status URL (strict CSP, no inline script), never reloaded."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_login, screenshot
from tests.claims.conftest import consultation, csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_batch_page_follows_the_import_to_accepted_without_reloading(
    page, alice, gestionnaire, tmp_path, monkeypatch
):
    from playwright.sync_api import expect

    from claims.models import ImportBatch
    from claims.services import decomptes_import_run

    # The upload only queues (a worker would take it): the test plays the worker below,
    # while the page is open.
    queued: list[int] = []
    monkeypatch.setattr("claims.tasks.run_decomptes_import.delay", queued.append)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: csp_errors.append(message.text) if "Content Security Policy" in message.text else None,
    )
    path = tmp_path / "noemie.csv"
    path.write_bytes(csv_file(*(consultation(f"P{index}", alice, rank=1 + index % 3) for index in range(6))))

    browser_login(page, gestionnaire)
    page.goto("/gestion/claims/importbatch/importer/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    batch = ImportBatch.objects.get()
    assert queued == [batch.pk] and page.url.endswith(f"/importbatch/{batch.pk}/change/")
    state = page.locator("[data-import-state]")
    assert state.inner_text() == "En attente"
    page.evaluate("window.notReloaded = true")
    screenshot(page, "import-batch-queued")

    decomptes_import_run(batch_id=batch.pk)  # the worker

    expect(state).to_have_text("Accepté", timeout=15_000)  # polled each second by the page's script
    assert page.evaluate("window.notReloaded") is True
    assert page.locator('[data-import-count="written"]').inner_text() == "6"
    assert page.locator('[data-import-bar="written"]').get_attribute("max") == "6"
    assert page.locator("[data-import-done]").is_visible()
    screenshot(page, "import-batch-accepted")
    assert csp_errors == []
