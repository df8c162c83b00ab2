// "Simuler un remboursement": show only the fieldsets the chosen act needs
// (days, glasses, eye, ear). Without JavaScript every fieldset stays visible.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("guarantees-units");
    var select = document.getElementById("id_act");
    if (!data || !select) { return; }
    var units = JSON.parse(data.textContent);
    var fieldsets = document.querySelectorAll("fieldset[data-unit]");
    function update() {
      var unit = units[select.value] || "";
      fieldsets.forEach(function (fieldset) {
        var wanted = fieldset.getAttribute("data-unit");
        // optical packages (children) are "act" units but still need the frame amount
        fieldset.hidden = select.value !== "" && wanted !== unit && !(wanted === "glass" && /verres|optique/.test(select.value));
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
