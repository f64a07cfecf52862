// The /submit page: POST the picked file to /validate or /submissions and show the
// server-rendered report table (grouped by focus node) in the page's language.
"use strict";
(function () {
  const form = document.getElementById("submit-form");
  const status = document.getElementById("status");
  const reportBox = document.getElementById("report");
  const lang = form.dataset.lang;

  function show(text, cls) {
    status.textContent = text;
    status.className = cls || "";
  }

  function showReport(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    reportBox.replaceChildren();
    for (const node of doc.querySelectorAll("p.summary, p.ownership, table.report")) {
      reportBox.appendChild(document.importNode(node, true));
    }
  }

  async function errorText(response) {
    const text = await response.text();
    try {
      return JSON.parse(text).message || text;
    } catch (e) {
      return text;
    }
  }

  async function send(url, token) {
    const file = document.getElementById("file").files[0];
    if (!file) { show(form.dataset.nofile, "error"); return; }
    const data = new FormData();
    data.append("file", file, file.name);
    const partner = document.getElementById("partner");
    if (partner && partner.value.trim()) data.append("partner", partner.value.trim());
    const headers = { "Accept": "text/html, application/json;q=0.9" };
    if (token) headers["Authorization"] = "Bearer " + token;
    show(form.dataset.working, "");
    reportBox.replaceChildren();
    let response;
    try {
      response = await fetch(url + "?lang=" + lang, { method: "POST", body: data, headers: headers });
    } catch (e) {
      show(form.dataset.error + ": " + e, "error");
      return;
    }
    const type = response.headers.get("content-type") || "";
    const stored = response.status === 201 ||
      (url === "/submissions" && response.status === 200 && type.startsWith("application/json"));
    if (stored) {  // 200: the same content was submitted before; nothing new was written
      const body = await response.json();
      const said = body.unchanged ? form.dataset.unchanged : form.dataset.accepted;
      show(said + " " + body.id, "accepted");
      const link = document.createElement("a");
      link.href = body.url;
      link.id = "submission-link";
      link.textContent = body.url;
      status.append(" ", link);
      return;
    }
    if (response.ok || (response.status === 422 && type.startsWith("text/html"))) {
      if (response.status === 422) show(form.dataset.rejected, "error"); else show("", "");
      showReport(await response.text());
      return;
    }
    show(form.dataset.error + " " + response.status + ": " + (await errorText(response)), "error");
  }

  // With a token (or a partner field), validating checks the ownership rules as well,
  // exactly as submitting will; without, the report says that they were not checked.
  document.getElementById("validate").addEventListener("click", function () {
    send("/validate", document.getElementById("token").value.trim());
  });
  document.getElementById("submit").addEventListener("click", function () {
    const token = document.getElementById("token").value.trim();
    if (!token) { show(form.dataset.notoken, "error"); return; }
    send("/submissions", token);
  });
})();
