// "Écrire un message": the objet list follows the chosen category and the justificatifs
// of the chosen objet are shown. Without JavaScript the page works through the
// "Afficher les objets de cette catégorie" button and server-side validation.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compose-form");
  if (!form) return;
  const category = form.querySelector("#id_categorie");
  const topic = form.querySelector("#id_objet");
  const catalogue = form.querySelector("#objet-catalogue");
  const refresh = form.querySelector("#refresh-topics");
  if (!category || !topic || !catalogue) return;
  if (refresh) refresh.hidden = true;

  const placeholder = topic.options[0].cloneNode(true);

  function showJustificatifs() {
    form.querySelectorAll("[data-justificatifs-for]").forEach((panel) => {
      panel.hidden = panel.dataset.justificatifsFor !== topic.value;
    });
  }

  function fillTopics() {
    const chosen = topic.value;
    topic.replaceChildren(placeholder.cloneNode(true));
    Array.from(catalogue.options)
      .filter((option) => !category.value || option.dataset.category === category.value)
      .forEach((option) => {
        const copy = option.cloneNode(true);
        copy.selected = copy.value === chosen;
        topic.appendChild(copy);
      });
    topic.disabled = !category.value;
    showJustificatifs();
  }

  category.addEventListener("change", fillTopics);
  topic.addEventListener("change", showJustificatifs);
  fillTopics();
});
