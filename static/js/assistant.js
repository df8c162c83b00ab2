// "Une question ?": answers in place from /assistant/reponses/ (same origin only). Without
// JavaScript the form opens the assistant page, which gives the same answers.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".assistant__form");
  if (!form) return;
  const output = document.querySelector(".assistant__answers");
  const csrf = form.elements.csrfmiddlewaretoken.value;

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  const link = (href, text, className) => {
    const a = el("a", text, className);
    a.href = href;
    return a;
  };
  const phoneLine = (phone) => {
    const p = el("p", "Vous pouvez aussi appeler le ");
    p.append(link("tel:" + phone.number.replace(/\s/g, ""), phone.number), ", " + phone.hours + (phone.note ? " (" + phone.note + ")" : "") + ".");
    return p;
  };

  const feedback = (question, answer) => {
    const box = el("div", null, "assistant-feedback");
    box.append(el("span", "Cette réponse vous a-t-elle aidé ? "));
    for (const [value, label] of [["oui", "Oui"], ["non", "Non"]]) {
      const button = el("button", label, "button button--secondary");
      button.type = "button";
      button.addEventListener("click", async () => {
        const body = new URLSearchParams({ question, answer: answer.id, helpful: value });
        const response = await fetch(form.dataset.feedback, {
          method: "POST", body, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        });
        const data = await response.json().catch(() => ({}));
        box.replaceChildren(el("span", response.ok ? "Merci pour votre avis." : data.error || "Votre avis n'a pas pu être enregistré."));
      });
      box.append(button);
    }
    return box;
  };

  // The member's own figures (their formulas, pending payments, contract's contacts).
  const factsBlock = (facts, title) => {
    const box = el("div", null, "assistant-facts");
    facts.lines.forEach((line) => box.append(el("p", line)));
    if (facts.rows.length) {
      const wrap = el("div", null, "table-wrap");
      // A region that may scroll on a phone: reachable and named for keyboard users.
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Tableau (faites défiler horizontalement si besoin)");
      const table = el("table");
      table.append(el("caption", title, "visually-hidden"));
      const head = el("tr");
      facts.header.forEach((cell) => { const th = el("th", cell); th.scope = "col"; head.append(th); });
      const thead = el("thead");
      thead.append(head);
      table.append(thead);
      const body = el("tbody");
      for (const row of facts.rows) {
        const tr = el("tr");
        row.forEach((cell, i) => { const c = el(i === 0 ? "th" : "td", cell); if (i === 0) c.scope = "row"; tr.append(c); });
        body.append(tr);
      }
      table.append(body);
      wrap.append(table);
      box.append(wrap);
    }
    facts.links.forEach((item) => box.append(el("p").appendChild(link(item.url, item.label)).parentNode));
    return box;
  };

  const render = (data) => {
    output.replaceChildren();
    if (data.answers.length === 0) {
      output.append(el("p", "Je ne connais pas la réponse à « " + data.question + " ». Je préfère ne pas vous répondre au hasard."));
    }
    for (const answer of data.answers) {
      const item = el("article", null, "assistant-answer");
      item.append(el("h3", answer.title), el("p", answer.text));
      if (answer.points.length) {
        const list = el("ul");
        answer.points.forEach((point) => list.append(el("li", point)));
        item.append(list);
      }
      if (answer.facts) item.append(factsBlock(answer.facts, answer.title));
      if (answer.url) item.append(link(answer.url, answer.link_label, "button button--secondary"));
      item.append(feedback(data.question, answer));
      output.append(item);
    }
    if (data.handoff_url) output.append(el("p").appendChild(link(data.handoff_url, "Écrire à un conseiller", "button")).parentNode);
    output.append(phoneLine(data.phone));
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = form.elements.q.value.trim();
    if (question.length < 3) {
      output.replaceChildren(el("p", "Votre question est trop courte : écrivez-la en quelques mots."));
      return;
    }
    output.replaceChildren(el("p", "Recherche en cours…"));
    try {
      // Posted, never in the URL: the question may be about the member's health.
      const response = await fetch(form.dataset.api, {
        method: "POST", body: new URLSearchParams({ q: question }), credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
      const data = await response.json();
      if (!response.ok) {
        output.replaceChildren(el("p", data.error || "L'assistant est indisponible."));
        return;
      }
      render(data);
    } catch (failure) {
      form.submit(); // the page version still answers
    }
  });
});
