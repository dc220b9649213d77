// Progressive enhancement for the enquiry forms (docs/enquiry-contract.md).
// Without this script the forms post normally and the server answers with a page,
// and every section of questions is on the page at once.
// With it: one section at a time (Next checks its required questions, Back goes
// back), a review of the answers before sending, JSON to the same endpoint, errors
// shown in place. Every field stays in the form throughout: nothing typed is lost.
(() => {
  const $ = (root, sel) => root.querySelector(sel);
  const $$ = (root, sel) => [...root.querySelectorAll(sel)];
  const el = (tag, text) => { const e = document.createElement(tag); if (text) e.textContent = text; return e; };

  // Text of a heading, label or legend without "(required)" and "Step 1 of 4".
  const words = (node) => {
    const c = node.cloneNode(true);
    $$(c, ".marker, .form-progress").forEach((m) => m.remove());
    return c.textContent.replace(/\s+/g, " ").trim();
  };

  const enhance = (form) => {
    const summary = $(form, "[data-error-summary]");
    const list = $(summary, "ul");
    const button = $(form, "[data-submit]");
    const label = button.textContent;
    const msg = form.dataset;
    const steps = $$(form, "[data-step]");
    const last = steps.length - 1;
    const lang = document.documentElement.lang;
    let current = 0;
    let sending = false;

    // Inputs of a field (one, or the whole radio/checkbox group).
    const inputs = (name) => $$(form, `[name="${CSS.escape(name)}"]`);
    // The question a field asks: its group's legend, or its label.
    const question = (name) => {
      const group = $(form, `#f-${CSS.escape(name)}-group legend`);
      return words(group || $(form, `label[for="f-${CSS.escape(name)}"]`));
    };
    const stepOf = (node) => steps.findIndex((s) => s.contains(node));

    const setDescribedBy = (node, id, on) => {
      const ids = (node.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
      if (on) ids.push(id);
      if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
      else node.removeAttribute("aria-describedby");
    };

    const clear = () => {
      list.textContent = "";
      summary.hidden = true;
      $$(form, ".field-error").forEach((slot) => {
        slot.hidden = true;
        slot.textContent = "";
        inputs(slot.id.slice(2, -6)).forEach((node) => { // f-NAME-error
          node.removeAttribute("aria-invalid");
          setDescribedBy(node, slot.id, false);
        });
      });
    };

    // Fill the summary (and the field slots) and move focus to it. Each error
    // is [field, message, text of its summary link (default: the message)].
    const show = (errors) => {
      for (const [name, text, link] of errors) {
        const li = el("li");
        const slot = name && $(form, `#f-${CSS.escape(name)}-error`);
        if (slot) {
          slot.textContent = text;
          slot.hidden = false;
          inputs(name).forEach((node) => {
            node.setAttribute("aria-invalid", "true");
            setDescribedBy(node, slot.id, true);
          });
          const a = el("a", link || text);
          a.href = `#f-${name}`;
          li.append(a);
        } else {
          li.textContent = text;
        }
        list.append(li);
      }
      summary.hidden = false;
      summary.focus();
    };

    // The answer to one question as a person reads it.
    const answer = (name) => {
      const parts = [];
      for (const node of inputs(name)) {
        const v = node.value.trim();
        if (node.type === "radio" || node.type === "checkbox") { if (node.checked) parts.push(words(node.labels[0])); }
        else if (node.tagName === "SELECT") { if (v) parts.push(node.selectedOptions[0].text); }
        else if (node.type === "date" && v) parts.push(new Date(`${v}T12:00`).toLocaleDateString(lang, { dateStyle: "long", numberingSystem: "latn" }));
        else if (v) parts.push(v);
      }
      return parts.length ? new Intl.ListFormat(lang).format(parts) : msg.msgNone;
    };

    // The last section's review: every earlier section's questions and answers.
    const review = () => {
      const box = $(form, "[data-review-list]");
      box.textContent = "";
      steps.slice(0, last).forEach((step, i) => {
        const title = words($(step, "h2"));
        const dl = el("dl");
        const names = new Set($$(step, "[name]").map((n) => n.name));
        for (const name of names) {
          const dd = el("dd");
          dd.append(el("bdi", answer(name))); // phone numbers, emails, Arabic text: each keeps its order
          dl.append(el("dt", question(name)), dd);
        }
        const change = el("button", msg.msgChange);
        change.type = "button";
        change.className = "button button--secondary";
        change.setAttribute("aria-label", `${msg.msgChange}: ${title}`);
        change.addEventListener("click", () => go(i));
        box.append(el("h3", title), dl, change);
      });
      $(form, "[data-review]").hidden = false;
    };

    // Show section i alone; focus its heading, which reads "Step i of n: title".
    const go = (i, focus = true) => {
      steps.forEach((s, j) => { s.hidden = j !== i; });
      current = i;
      if (i === last) review();
      if (focus) $(steps[i], "h2").focus();
    };

    // The required questions of the current section left unanswered; the summary
    // names each by its question.
    const missing = () => {
      const names = new Set($$(steps[current], "[required]").map((n) => n.name));
      return [...names]
        .filter((name) => !inputs(name).some((n) => (n.type === "radio" || n.type === "checkbox" ? n.checked : n.value.trim())))
        .map((name) => [name, msg.msgMissing, question(name)]);
    };

    // A date the clinic is closed on: its input's data-closed maps a day of the week
    // (0 = Sunday) or a date to the message the server would give.
    const closed = () => $$(steps[current], "input[type=date][data-closed]")
      .filter((n) => n.value)
      .map((n) => {
        const days = JSON.parse(n.dataset.closed);
        return [n.name, days[n.value] || days[String(new Date(`${n.value}T12:00`).getDay())]];
      })
      .filter(([, text]) => text);

    // Problems in the order of the fields on the page.
    const at = (n) => { const i = [...form.elements].findIndex((e) => e.name === n); return i < 0 ? 1e4 : i; };
    const inOrder = (errors) => errors.sort((a, b) => at(a[0]) - at(b[0]));

    // Every problem of the section at once, as the server does: a closed day is
    // named even while the time of day is still unanswered.
    const next = () => {
      clear();
      const errors = inOrder([...missing(), ...closed()]);
      if (errors.length) show(errors);
      else go(current + 1);
    };

    steps.forEach((step) => {
      $$(step, "[data-next], [data-back]").forEach((n) => { n.hidden = false; });
      $(step, "h2").tabIndex = -1;
    });
    $$(form, "[data-nojs]").forEach((n) => { n.hidden = true; });
    $$(form, "[data-next]").forEach((b) => b.addEventListener("click", next));
    $$(form, "[data-back]").forEach((b) => b.addEventListener("click", () => { clear(); go(current - 1); }));

    // A link of the error summary opens the section of its field first. With the
    // keyboard this happens on Enter's keyup: moved earlier, the focus would take the
    // rest of the key press to the field, and Enter in a field sends the form.
    const follow = (event) => {
      const a = event.target.closest("a");
      const target = a && $(form, a.getAttribute("href"));
      if (!target || stepOf(target) < 0) return;
      event.preventDefault();
      go(stepOf(target), false);
      target.focus();
    };
    summary.addEventListener("click", follow);
    summary.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.target.closest("a")) e.preventDefault(); });
    summary.addEventListener("keyup", (e) => { if (e.key === "Enter") follow(e); });

    // The server's page with errors (sent without this script): open the section
    // of the first error, or the last one for a message about the whole form.
    if (summary.hidden) go(0, false);
    else {
      const a = $(summary, "a[href^='#f-']");
      const target = a && $(form, a.getAttribute("href"));
      go(target && stepOf(target) >= 0 ? stepOf(target) : last, false);
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (current < last) { next(); return; } // Enter in a field of an earlier section
      if (sending) return; // no double submission
      sending = true;
      button.disabled = true;
      button.textContent = msg.msgSending;
      clear();

      const body = {};
      for (const [k, v] of new FormData(form)) {
        if (k === "tried") (body.tried ||= []).push(String(v));
        else body[k] = String(v);
      }

      try {
        const res = await fetch(form.action, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
          credentials: "same-origin",
        });
        if (res.ok) {
          location.assign(msg.thanks);
          return; // keep the button disabled while the thank-you page loads
        }
        let data = {};
        try { data = await res.json(); } catch { /* not JSON */ }
        if (res.status === 422 && data.errors) {
          // Open the section of the first problem.
          const errors = inOrder(Object.entries(data.errors));
          const first = $(form, `#f-${CSS.escape(errors[0][0])}`);
          if (first && stepOf(first) >= 0) go(stepOf(first), false);
          show(errors);
        }
        else if (res.status === 429) show([["", msg.msgBusy]]);
        else if (res.status === 503) show([["", msg.msgUnavailable]]);
        else show([["", msg.msgError]]);
      } catch {
        show([["", msg.msgNetwork]]);
      }
      sending = false;
      button.disabled = false;
      button.textContent = label;
    });
  };

  document.querySelectorAll("form[data-enquiry-form]").forEach(enhance);
})();
