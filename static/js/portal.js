// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first error summary so screen-reader users hear it at once.
  const alert = document.querySelector(".alert--error[role=alert]");
  if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
});

// On small screens the menu folds behind a "Menu" button; without JavaScript it stays open.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector(".main-nav");
  if (!nav) return;
  const list = nav.querySelector(".main-nav__list");
  list.id = list.id || "menu-principal";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "main-nav__toggle";
  button.textContent = "Menu";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", list.id);
  button.addEventListener("click", () => {
    const open = nav.classList.toggle("is-open");
    button.setAttribute("aria-expanded", String(open));
  });
  nav.insertBefore(button, list);
  nav.classList.add("is-collapsible");
});
