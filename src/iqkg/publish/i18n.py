"""The words of the pages, in German and English (data carries its own labels)."""

from __future__ import annotations

from collections.abc import Callable

MESSAGES: dict[str, dict[str, str]] = {
    "site": {"de": "IQ-Wissensgraph", "en": "IQ knowledge graph"},
    "home": {"de": "Start", "en": "Home"},
    "ontology": {"de": "Ontologie", "en": "Ontology"},
    "shapes": {"de": "Formen (SHACL)", "en": "Shapes (SHACL)"},
    "sparql": {"de": "SPARQL-Editor", "en": "SPARQL editor"},
    "queries": {"de": "Fragenkatalog", "en": "Query catalogue"},
    "dumps": {"de": "Downloads", "en": "Downloads"},
    "void": {"de": "Datensatzbeschreibung (VoID)", "en": "Dataset description (VoID)"},
    "submit": {"de": "Daten einreichen", "en": "Submit data"},
    "context": {"de": "JSON-LD-Kontext", "en": "JSON-LD context"},
    "language": {"de": "Sprache", "en": "Language"},
    "skip": {"de": "Zum Inhalt springen", "en": "Skip to content"},
    "iri": {"de": "IRI", "en": "IRI"},
    "types": {"de": "Art", "en": "Kind"},
    "facts": {"de": "Aussagen", "en": "Statements"},
    "property": {"de": "Eigenschaft", "en": "Property"},
    "value": {"de": "Wert", "en": "Value"},
    "from": {"de": "Herkunft", "en": "From"},
    "incoming": {"de": "Verweise hierher", "en": "Links to this resource"},
    "incoming_note": {
        "de": "Ressourcen, die auf diese Ressource verweisen, nach Eigenschaft gruppiert.",
        "en": "Resources that point at this one, grouped by property.",
    },
    "sources": {"de": "Quellen", "en": "Sources"},
    "sources_note": {
        "de": "Woher die Aussagen stammen: Quelldokumente und die Graphen, in denen sie stehen.",
        "en": "Where the statements come from: source documents and the graphs holding them.",
    },
    "graphs": {"de": "Graphen", "en": "Graphs"},
    "generated": {"de": "erzeugt", "en": "generated"},
    "files": {"de": "Dateien", "en": "files"},
    "query_this": {"de": "Im SPARQL-Editor abfragen", "en": "Query this in the SPARQL editor"},
    "formats": {"de": "Als Daten", "en": "As data"},
    "map": {"de": "Landesnetzwerke auf der Karte", "en": "Regional networks on the map"},
    "map_note": {
        "de": "Jedes Bundesland führt zu seinem IQ-Landesnetzwerk.",
        "en": "Each federal state leads to its IQ regional network.",
    },
    "structure": {"de": "Aufbau des Programms", "en": "Structure of the programme"},
    "structure_note": {
        "de": "Programm → Koordinierung → Landesnetzwerke und Fachstellen → Handlungsfelder.",
        "en": "Programme → coordination → regional networks and competence centres → "
        "action fields.",
    },
    "not_found": {"de": "Nicht gefunden", "en": "Not found"},
    "not_found_text": {
        "de": "Zu dieser Adresse gibt es im Wissensgraphen nichts.",
        "en": "The knowledge graph has nothing at this address.",
    },
    "counts": {"de": "Der Graph in Zahlen", "en": "The graph in numbers"},
    "triples": {"de": "Tripel", "en": "triples"},
    "resources": {"de": "Ressourcen", "en": "resources"},
    "browse": {"de": "Stöbern", "en": "Browse"},
    "classes": {"de": "Klassen", "en": "Classes"},
    "object_properties": {"de": "Objekteigenschaften", "en": "Object properties"},
    "datatype_properties": {"de": "Dateneigenschaften", "en": "Datatype properties"},
    "annotation_properties": {"de": "Annotationseigenschaften", "en": "Annotation properties"},
    "external_terms": {"de": "Verwendete externe Begriffe", "en": "External terms used"},
    "definition": {"de": "Definition", "en": "Definition"},
    "domain": {"de": "Definitionsbereich", "en": "Domain"},
    "range": {"de": "Wertebereich", "en": "Range"},
    "subclass_of": {"de": "Unterklasse von", "en": "Subclass of"},
    "subproperty_of": {"de": "Untereigenschaft von", "en": "Subproperty of"},
    "inverse_of": {"de": "Umkehrung von", "en": "Inverse of"},
    "characteristics": {"de": "Merkmale", "en": "Characteristics"},
    "disjoint_with": {"de": "Disjunkt mit", "en": "Disjoint with"},
    "version": {"de": "Version", "en": "Version"},
    "version_iri": {"de": "Versions-IRI", "en": "Version IRI"},
    "licence": {"de": "Lizenz", "en": "Licence"},
    "labels": {"de": "Bezeichnungen", "en": "Labels"},
    "target": {"de": "Ziel", "en": "Target"},
    "no_shapes": {
        "de": "Es sind noch keine Formen veröffentlicht.",
        "en": "No shapes have been published yet.",
    },
    "file": {"de": "Datei", "en": "File"},
    "format": {"de": "Format", "en": "Format"},
    "size": {"de": "Größe", "en": "Size"},
    "dataset_version": {"de": "Datensatzversion", "en": "Dataset version"},
    "dumps_note": {
        "de": "Der ganze öffentliche Datensatz, neu erzeugt bei jeder Änderung der Daten.",
        "en": "The whole public dataset, regenerated whenever the data changes.",
    },
    "submissions_count": {"de": "Einreichungen", "en": "Submissions"},
    "counts_note": {
        "de": "Zahlen der kuratierten Daten; Einreichungen von Partnern zählen gesondert. "
        "VoID beschreibt die Vereinigung aller öffentlichen Graphen.",
        "en": "Figures of the curated data; partner submissions are counted apart. "
        "VoID describes the union of all public graphs.",
    },
    "contributions": {"de": "Beiträge von Partnern", "en": "Partner contributions"},
    "submission_graph": {
        "de": "Die Einreichung und ihre Herkunft",
        "en": "The submission and its provenance",
    },
    "truncated_note": {
        "de": "Tief verschachtelte leere Knoten sind hier gekürzt; "
        "„Abfragen“ zeigt sie vollständig.",
        "en": "Deeply nested blank nodes are cut short here; “query this” shows all of them.",
    },
    "contributed": {
        "de": "Beitrag eines Partners, nicht Teil der kuratierten Daten:",
        "en": "A partner's contribution, not part of the curated data:",
    },
    "search": {"de": "Suche", "en": "Search"},
    "search_label": {"de": "Im Wissensgraphen suchen", "en": "Search the knowledge graph"},
    "search_button": {"de": "Suchen", "en": "Search"},
    "search_hits": {"de": "Treffer", "en": "results"},
    "search_none": {
        "de": "Nichts gefunden. Weniger oder andere Wörter versuchen.",
        "en": "Nothing found. Try fewer or other words.",
    },
    "search_hint": {
        "de": "Sucht in Namen, Alternativnamen und Beschreibungen, auf Deutsch und Englisch.",
        "en": "Searches names, alternative names and descriptions, in German and English.",
    },
    "search_types": {"de": "Nach Art eingrenzen", "en": "Narrow by kind"},
    "search_all_types": {"de": "Alle Arten", "en": "All kinds"},
    "search_partner": {"de": "Partnerdaten", "en": "Partner data"},
    "match_exact": {"de": "genauer Treffer", "en": "exact match"},
    "match_prefix": {"de": "Anfang des Namens", "en": "start of name"},
    "match_word": {"de": "Wort im Namen", "en": "word in name"},
    "match_description": {"de": "in der Beschreibung", "en": "in the description"},
    "inferred_note": {
        "de": "Abgeleitete Aussagen (OWL-RL-Hülle) sind hier nicht aufgeführt; "
        "sie sind per SPARQL abfragbar.",
        "en": "Inferred statements (OWL RL closure) are not listed here; SPARQL can query them.",
    },
    # --- history panels (issue 8) ---
    "timeline": {"de": "Zeitleiste", "en": "Timeline"},
    "timeline_note": {
        "de": "Förderphasen, das begleitete Gesetz, die Evaluation und der politische Rahmen, "
        "nach Datum geordnet, jeweils mit den Quellen, die es angeben.",
        "en": "Funding phases, the law the programme accompanied, the evaluation and the "
        "political framework, ordered by date, each with the sources that state it.",
    },
    "undated": {"de": "ohne Datum", "en": "undated"},
    "coordinators": {"de": "Koordination im Zeitverlauf", "en": "Coordinators over time"},
    "coordinators_note": {
        "de": "Wer das Netzwerk koordinierte und wann – nur so weit, wie eine Quelle es sagt.",
        "en": "Who coordinated the network and when — only as far as a source says.",
    },
    "coordinator": {"de": "Koordinierende Stelle", "en": "Coordinating body"},
    "period": {"de": "Zeitraum", "en": "Period"},
    "from_year": {"de": "ab", "en": "from"},
    "until_year": {"de": "bis", "en": "until"},
    "attested_year": {"de": "belegt", "en": "attested"},
    "conflicts": {"de": "Abweichende Angaben", "en": "Conflicting claims"},
    "conflicts_note": {
        "de": "Quellen widersprechen sich hier; beide Angaben stehen nebeneinander, "
        "nichts ist stillschweigend aufgelöst.",
        "en": "Sources disagree here; both claims stand side by side, nothing is silently "
        "resolved.",
    },
    "statement_sources": {"de": "Aussagen und ihre Quellen", "en": "Statements and their sources"},
    "statement_sources_note": {
        "de": "Jede belegte Aussage mit den Quellen, die sie treffen, und der Stelle darin.",
        "en": "Each sourced statement with the sources that make it and the place in each.",
    },
    "cited_statements": {"de": "Aussagen aus dieser Quelle", "en": "Statements from this source"},
    "cited_statements_note": {
        "de": "Alle Aussagen des Wissensgraphen, die sich auf diese Quelle stützen.",
        "en": "Every statement of the knowledge graph that rests on this source.",
    },
    "subject": {"de": "Ressource", "en": "Resource"},
    "locator": {"de": "Stelle", "en": "Where"},
    "source_record": {"de": "Quellenangabe", "en": "source record"},
}


def translator(lang: str) -> Callable[[str], str]:
    def translate(key: str) -> str:
        entry = MESSAGES.get(key)
        return entry.get(lang, entry["en"]) if entry else key

    return translate
