// The SPARQL editor page (/sparql): YASGUI inside the site layout. Reads the page's
// settings from the global `iqkg` (examples, prefixes, base IRI, words in the page's
// language), declares the vocabulary's prefixes, shows query errors as readable text
// and makes result IRIs under the base link to this site's own pages.
"use strict";
(function () {
  const endpoint = new URL(iqkg.root + "sparql", window.location.href).href;
  const prefixLines = Object.entries(iqkg.prefixes)
    .map(([name, iri]) => "PREFIX " + name + ": <" + iri + ">")
    .join("\n");
  const defaultQuery = prefixLines + "\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n";

  // An error answer is JSON ({"message": ...}) or text; show its message, wrapped.
  function renderError(error) {
    let message = error.text || error.statusText || "";
    try {
      const parsed = JSON.parse(message);
      if (parsed && parsed.message) message = parsed.message;
    } catch (e) { /* not JSON: show the text itself */ }
    const box = document.createElement("div");
    box.className = "query-error";
    box.setAttribute("role", "alert");
    const heading = document.createElement("p");
    heading.className = "query-error-heading";
    heading.textContent = iqkg.words.error + (error.status ? " (" + error.status + ")" : "");
    const text = document.createElement("pre");
    text.textContent = message || iqkg.words.no_answer;
    box.append(heading, text);
    return Promise.resolve(box);
  }
  Yasgui.Yasr.defaults.errorRenderers = [renderError];

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: "iqkg-" + endpoint,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    tabName: iqkg.words.yasgui_query,
    yasqe: { value: defaultQuery },
    yasr: { prefixes: iqkg.prefixes },
  });
  const tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  if (iqkg.initialQuery) { tab.setQuery(iqkg.initialQuery); }

  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      const current = yasgui.getTab();
      current.setEndpoint(endpoint);
      current.setQuery(iqkg.examples[Number(button.dataset.index)].sparql);
    });
  });

  // Result IRIs under the base lead to this site's pages (as the pages' own links do).
  function localise(root) {
    root.querySelectorAll("a[href]").forEach((link) => {
      const href = link.getAttribute("href");
      if (!href.startsWith(iqkg.base)) return;
      const rest = href.slice(iqkg.base.length);
      if (rest.startsWith("/") || rest.startsWith("\\")) return;  // would leave the site
      link.setAttribute("href", iqkg.root + rest);
      link.removeAttribute("target");
      link.classList.add("local");
    });
  }
  // YASGUI has no translations: its own words (not the query, not the results) are
  // replaced by the page's where YASGUI draws them as plain text.
  function translate(root) {
    const words = iqkg.yasguiWords;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const word = words[node.nodeValue.trim()];
      if (word && word !== node.nodeValue.trim() && !node.parentElement.closest(".CodeMirror, tbody")) {
        found.push([node, word]);
      }
    }
    found.forEach(([node, word]) => { node.nodeValue = word; });
    root.querySelectorAll("input[placeholder]").forEach((input) => {
      const word = words[input.getAttribute("placeholder")];
      if (word) {
        input.setAttribute("placeholder", word);
        input.setAttribute("aria-label", word);
      }
    });
  }
  const results = document.getElementById("yasgui");
  function adapt() { localise(results); translate(results); }
  new MutationObserver(adapt).observe(results, { childList: true, subtree: true });
  adapt();
  window.iqkgEditor = yasgui;
})();
