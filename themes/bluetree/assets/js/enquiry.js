// Progressive enhancement for the enquiry forms (docs/enquiry-contract.md).
// Without this script the forms post normally and the server answers with a page.
// With it: JSON to the same endpoint, errors shown in place, nothing typed is lost.
(() => {
  const $ = (root, sel) => root.querySelector(sel);

  const enhance = (form) => {
    const summary = $(form, "[data-error-summary]");
    const list = $(summary, "ul");
    const button = $(form, "[data-submit]");
    const label = button.textContent;
    const msg = form.dataset;
    let sending = false;

    // Inputs of a field (one, or the whole radio/checkbox group).
    const inputs = (name) => form.querySelectorAll(`[name="${CSS.escape(name)}"]`);

    const setDescribedBy = (el, id, on) => {
      const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
      if (on) ids.push(id);
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    };

    const clear = () => {
      list.textContent = "";
      summary.hidden = true;
      form.querySelectorAll(".field-error").forEach((slot) => {
        slot.hidden = true;
        slot.textContent = "";
        const name = slot.id.slice(2, -6); // f-NAME-error
        inputs(name).forEach((el) => {
          el.removeAttribute("aria-invalid");
          setDescribedBy(el, slot.id, false);
        });
      });
    };

    // Fill the summary (and the field slots) and move focus to it.
    const show = (errors) => {
      for (const [name, text] of errors) {
        const li = document.createElement("li");
        const slot = name && form.querySelector(`#f-${CSS.escape(name)}-error`);
        if (slot) {
          slot.textContent = text;
          slot.hidden = false;
          inputs(name).forEach((el) => {
            el.setAttribute("aria-invalid", "true");
            setDescribedBy(el, slot.id, true);
          });
          const a = document.createElement("a");
          a.href = `#f-${name}`;
          a.textContent = text;
          li.append(a);
        } else {
          li.textContent = text;
        }
        list.append(li);
      }
      summary.hidden = false;
      summary.focus();
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
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
          // Show problems in the order of the fields on the page.
          const at = (n) => { const i = [...form.elements].findIndex((el) => el.name === n); return i < 0 ? 1e4 : i; };
          show(Object.entries(data.errors).sort((a, b) => at(a[0]) - at(b[0])));
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
