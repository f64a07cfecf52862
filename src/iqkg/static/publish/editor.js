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
    // Names for assistive technology: a button's name must contain its visible text.
    root.querySelectorAll("[aria-label], [title]").forEach((element) => {
      if (element.closest(".CodeMirror, tbody")) return;  // the query and the results
      ["aria-label", "title"].forEach((name) => {
        const word = words[element.getAttribute(name)];
        if (word) element.setAttribute(name, word);
      });
    });
  }
  // What YASGUI leaves out for assistive technology (axe-core, tests/server/
  // test_accessibility.py): names for its unlabelled fields, the editor's scrolling area
  // reachable by keyboard, and its "add tab" button announced as part of the tab list it
  // sits in (YASGUI moves through it with the arrow keys like a tab, and a tab list may
  // hold only tabs).
  function makeAccessible(root) {
    const names = iqkg.words;  // yasgui_editor, yasgui_endpoint, yasgui_tab_name
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach((field) => {
      field.setAttribute("aria-label", names.yasgui_editor);
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach((field) => {
      field.setAttribute("aria-label", names.yasgui_endpoint);
    });
    root.querySelectorAll(".tabsList input:not([aria-label])").forEach((field) => {
      field.setAttribute("aria-label", names.yasgui_tab_name);
    });
    root.querySelectorAll(".pageSizeWrapper select:not([aria-label])").forEach((field) => {
      const label = field.parentElement.querySelector(".pageSizerLabel");
      if (label) field.setAttribute("aria-label", label.textContent.replace(/:\s*$/, ""));
    });
    root.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach((area) => {
      area.setAttribute("tabindex", "0");
    });
    root.querySelectorAll(".tabsList button.addTab:not([role])").forEach((button) => {
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", "false");
    });
  }
  // A view YASR greys out (it has nothing to show, e.g. after an error) is disabled for
  // everyone, not only to the eye. YASR sets its class after drawing, so a change of
  // class is watched as well (this sets no class: it cannot call itself).
  function markDisabled(root) {
    root.querySelectorAll(".yasr_btn").forEach((button) => {
      if (button.classList.contains("disabled")) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    });
  }
  const results = document.getElementById("yasgui");
  function adapt() {
    localise(results); translate(results); makeAccessible(results); markDisabled(results);
  }
  new MutationObserver(adapt).observe(results, { childList: true, subtree: true });
  new MutationObserver(() => markDisabled(results)).observe(
    results, { attributes: true, attributeFilter: ["class"], subtree: true });
  adapt();
  window.iqkgEditor = yasgui;
})();
