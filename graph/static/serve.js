"use strict";
// The start page's query box: runs the query with fetch and shows the answer as DOM text only.
(function () {
  const form = document.getElementById("query-form");
  const box = document.getElementById("query");
  const accept = document.getElementById("accept");
  const status = document.getElementById("status");
  const results = document.getElementById("results");

  function cell(tag, text) {
    const node = document.createElement(tag);
    node.textContent = text;
    return node;
  }

  function showText(text) {
    results.replaceChildren(cell("pre", text));
  }

  function showTable(vars, rows) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    vars.forEach((name) => head.appendChild(cell("th", name)));
    const body = table.createTBody();
    rows.forEach((row) => {
      const line = body.insertRow();
      vars.forEach((name) => line.appendChild(cell("td", row[name] ? row[name].value : "")));
    });
    results.replaceChildren(table);
  }

  document.querySelectorAll("a[data-query]").forEach((link) => {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      const response = await fetch(link.href);
      box.value = await response.text();
      box.focus();
    });
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "running…";
    results.replaceChildren();
    const started = performance.now();
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/sparql-query", "Accept": accept.value },
        body: box.value,
      });
    } catch (error) {
      status.textContent = "the request failed: " + error;
      return;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2) + " s";
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      status.textContent = response.status + " " + response.statusText + " after " + seconds;
      showText(await response.text());
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      if ("boolean" in data) {
        status.textContent = "ASK answered " + data.boolean + " in " + seconds;
        return;
      }
      showTable(data.head.vars, data.results.bindings);
      status.textContent = data.results.bindings.length + " row(s) in " + seconds;
      return;
    }
    showText(await response.text());
    status.textContent = type + " in " + seconds;
  });
})();
