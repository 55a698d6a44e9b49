// protocolkit serve: only what helps. The pages work without it; with it, the register sorts in place and each
// answer in the form is checked as it is filled, by the server's own checker.
"use strict";

function sortRegister(table, column, button) {
  const th = button.closest("th");
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("thead th").forEach((h) => h.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  // the cell under the column, counting spans (a file that cannot be read has one cell across five columns)
  const key = (row) => {
    let at = 0;
    for (const cell of row.cells) {
      if (column < at + cell.colSpan) return at === column ? cell.dataset.value || "" : "";
      at += cell.colSpan;
    }
    return "";
  };
  rows.sort((a, b) => {
    const order = key(a).localeCompare(key(b), "en-GB", { numeric: true, sensitivity: "base" });
    return ascending ? order : -order;
  });
  body.append(...rows);
}

function showMessages(form, result, touched) {
  form.querySelectorAll("[data-field]").forEach((box) => {
    const name = box.dataset.field;
    if (!touched.has(name)) return;
    const holder = document.getElementById("f-" + name + "-msg");
    const input = document.getElementById("f-" + name);
    if (!holder) return;
    const messages = result.fields[name] || [];
    holder.replaceChildren(...messages.map((m) => {
      const p = document.createElement("p");
      p.className = "msg msg-" + m.severity;
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = m.severity.charAt(0).toUpperCase() + m.severity.slice(1) + ": ";
      p.append(hidden, document.createTextNode(m.text));
      return p;
    }));
    const bad = messages.some((m) => m.severity === "error");
    box.classList.toggle("field-problem", messages.length > 0);
    if (input) {
      if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
  });
}

function liveChecks(form) {
  const touched = new Set();
  let timer = null;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    const data = new FormData(form);
    try {
      const response = await fetch(form.dataset.validate, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrf_token") || "" },
      });
      if (!response.ok || mine !== asked) return;
      showMessages(form, await response.json(), touched);
      form.dataset.checked = String(mine);
    } catch (e) {
      // the server is away: the form still saves, and says then what is wrong
    }
  };
  form.addEventListener("change", (event) => {
    const box = event.target.closest("[data-field]");
    if (box) touched.add(box.dataset.field);
    clearTimeout(timer);
    timer = setTimeout(check, 150);
  });
}

// A short key suggested from a name, as `protocolkit new` makes one, while the key is still empty.
function slugOf(name) {
  return name.toLowerCase().replace(/\b(school|academy)\b/g, "").replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
}

function suggestKeys(form) {
  form.addEventListener("change", (event) => {
    const m = /^schools\.(\d+)\.name$/.exec(event.target.name || "");
    if (!m) return;
    const key = form.elements["schools." + m[1] + ".id"];
    if (key && !key.value.trim()) {
      key.value = slugOf(event.target.value);
      const id = form.elements["id"];
      if (id && !id.value.trim() && m[1] === "0") id.value = key.value;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table[data-sortable]").forEach((table) => {
    table.querySelectorAll("th button[data-sort]").forEach((button) => {
      button.addEventListener("click", () => sortRegister(table, Number(button.dataset.sort), button));
    });
  });
  const form = document.getElementById("partnership");
  if (form) {
    suggestKeys(form);
    liveChecks(form);
    const focus = form.dataset.focus && document.getElementById(form.dataset.focus);
    if (focus) focus.focus();
  }
  const first = document.getElementById("summary") || document.getElementById("banner");
  if (first && !(form && form.dataset.focus)) first.focus();
});
