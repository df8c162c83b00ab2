// "Autour de moi": the browser's position is asked only when the member clicks, rounded
// to about 100 m and sent with this one search; nothing is kept by the portal.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("directory-form");
  const button = document.getElementById("around-me");
  const error = document.getElementById("around-me-error");
  if (!form || !button || !("geolocation" in navigator)) return;
  button.hidden = false;
  const showError = (message) => {
    error.textContent = message;
    error.hidden = false;
    button.disabled = false;
  };
  button.addEventListener("click", () => {
    error.hidden = true;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.lat.value = position.coords.latitude.toFixed(3);
        form.elements.lon.value = position.coords.longitude.toFixed(3);
        form.elements.lieu.value = "";
        form.submit();
      },
      (failure) => {
        if (failure.code === failure.PERMISSION_DENIED) {
          showError("Vous n'avez pas autorisé l'accès à votre position : saisissez une ville ou un code postal.");
        } else {
          showError("Votre position n'a pas pu être déterminée : saisissez une ville ou un code postal.");
        }
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
  // Typing a place replaces a previous "Autour de moi" position.
  form.elements.lieu.addEventListener("input", () => {
    form.elements.lat.value = "";
    form.elements.lon.value = "";
  });
});
