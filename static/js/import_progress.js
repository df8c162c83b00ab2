// Back-office import batch page: refresh the state and the progress bars from the admin's
// JSON status URL every second until the batch is accepted or refused (no reload, no
// inline script: the strict CSP allows this file only).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-import-status]");
  if (!box) return;
  const url = box.dataset.importStatus;
  const set = (selector, text) => box.querySelectorAll(selector).forEach((node) => (node.textContent = text));
  const refresh = async () => {
    let state;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      window.setTimeout(refresh, 3000);
      return;
    }
    set("[data-import-state]", state.status_label);
    const total = Math.max(state.line_count, state.validated, 1);
    set("[data-import-total]", String(total));
    for (const phase of ["validated", "computed", "written"]) {
      const bar = box.querySelector(`[data-import-bar="${phase}"]`);
      if (bar) {
        bar.max = total;
        bar.value = state[phase];
        bar.textContent = String(state[phase]);
      }
      set(`[data-import-count="${phase}"]`, String(state[phase]));
    }
    if (state.finished) {
      box.dataset.finished = "1";
      box.querySelector("[data-import-done]").hidden = false;
      return;
    }
    window.setTimeout(refresh, 1000);
  };
  if (box.dataset.finished !== "1") refresh();
});
