"""Every word iqkg says to a person, in German and English: one catalogue.

The pages (``t("key")`` in templates), the validation reports (``report_*``: text, JSON
and HTML alike) and the ownership problems of submissions (``ownership_*``) take their
words from :data:`MESSAGES`; the data carries its own labels. It sits at the bottom of the
layers so that every layer above can use it.
"""

from __future__ import annotations

from collections.abc import Callable

#: The languages iqkg speaks, the first the default of German-speaking pages' links.
LANGUAGES: tuple[str, ...] = ("de", "en")

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
    "triples": {"de": "Tripel", "en": "Triples"},
    "triples_lower": {"de": "Tripel", "en": "triples"},
    "resources": {"de": "Ressourcen", "en": "Resources"},
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
    "search_site": {"de": "Suche auf der Website", "en": "Site search"},
    "search_hits": {"de": "Treffer", "en": "results"},
    "search_hit_one": {"de": "Treffer", "en": "result"},
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
    # --- cards of the home page, the ontology page, the map -------------------------
    "research_questions": {"de": "Forschungsfragen", "en": "Research questions"},
    "for_partners": {"de": "für Partner", "en": "for partners"},
    "specialised_by": {"de": "Spezialisiert durch", "en": "Specialised by"},
    "map_credit": {"de": "Karte", "en": "Map"},
    # --- the SPARQL editor and the query catalogue -----------------------------------
    "editor_intro": {
        "de": "Fragen Sie den Wissensgraphen mit SPARQL 1.1 ab. Beispiele aus dem "
        "Fragenkatalog stehen links; die Präfixe des Vokabulars sind vorab deklariert. "
        "Endpunkt:",
        "en": "Query the knowledge graph with SPARQL 1.1. Examples from the query catalogue "
        "are on the left; the vocabulary's prefixes are declared in advance. Endpoint:",
    },
    "editor_heading": {"de": "Abfrage und Ergebnis", "en": "Query and results"},
    "examples": {"de": "Beispiele", "en": "Examples"},
    "catalogue_empty": {"de": "Der Katalog ist leer.", "en": "The catalogue is empty."},
    "prefixes_declared": {"de": "Vorab deklarierte Präfixe", "en": "Predeclared prefixes"},
    "prefixes_note": {
        "de": "Eine neue Abfrage beginnt mit diesen Präfixen; Ergebnisse werden mit ihnen "
        "abgekürzt. Links auf Ressourcen dieses Graphen führen zu ihren Seiten hier.",
        "en": "A new query starts with these prefixes; results are abbreviated with them. "
        "Links to resources of this graph lead to their pages here.",
    },
    "no_answer": {
        "de": "Der Endpunkt hat nicht geantwortet.",
        "en": "The endpoint did not answer.",
    },
    "queries_intro": {
        "de": "Forschungsfragen an den Wissensgraphen, jede als SPARQL-Abfrage mit "
        "erwarteter Antwort. Ein Klick öffnet sie im Editor.",
        "en": "Research questions to the knowledge graph, each a SPARQL query with its "
        "expected answer. A click opens it in the editor.",
    },
    # YASGUI's own words, replaced in the page (their English is YASGUI's text).
    "yasgui_query": {"de": "Abfrage", "en": "Query"},
    "yasgui_table": {"de": "Tabelle", "en": "Table"},
    "yasgui_response": {"de": "Antwort", "en": "Response"},
    "yasgui_simple_view": {"de": "Einfache Ansicht", "en": "Simple view"},
    "yasgui_ellipse": {"de": "Kürzen", "en": "Ellipse"},
    "yasgui_page_size": {"de": "Seitengröße:", "en": "Page size:"},
    "yasgui_filter": {"de": "Ergebnisse filtern", "en": "Filter query results"},
    "yasgui_add_tab": {"de": "Neuen Tab öffnen", "en": "Add a new tab"},
    "yasgui_add_tab_title": {"de": "Tab hinzufügen", "en": "Add tab"},
    "yasgui_show_table": {"de": "Ansicht Tabelle zeigen", "en": "Shows Table view"},
    "yasgui_show_response": {"de": "Ansicht Antwort zeigen", "en": "Shows Response view"},
    "yasgui_download": {"de": "Ergebnisse herunterladen", "en": "Download Results"},
    "yasgui_download_title": {"de": "Ergebnis herunterladen", "en": "Download result"},
    "yasgui_close_tab": {"de": "Tab schließen", "en": "Close tab"},
    # Names the editor's script gives YASGUI's unlabelled fields (for screen readers).
    "yasgui_editor": {"de": "SPARQL-Abfrage", "en": "SPARQL query"},
    "yasgui_endpoint": {"de": "SPARQL-Endpunkt", "en": "SPARQL endpoint"},
    "yasgui_tab_name": {"de": "Name des Tabs", "en": "Name of the tab"},
    "open_editor": {"de": "Zum SPARQL-Editor", "en": "Open the SPARQL editor"},
    "show_sparql": {"de": "SPARQL anzeigen", "en": "Show the SPARQL"},
    # --- partner pages ----------------------------------------------------------------
    "submit_title": {"de": "Daten prüfen und einreichen", "en": "Validate and submit data"},
    "submit_intro": {
        "de": "Wählen Sie eine RDF-Datei (Turtle, TriG, N-Triples, N-Quads, JSON-LD oder "
        "RDF/XML). „Prüfen“ validiert sie gegen die iqkg-Shapes, ohne etwas zu speichern; "
        "„Einreichen“ speichert sie mit Ihrem Partner-Token.",
        "en": "Pick an RDF file (Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML). "
        "“Validate” checks it against the iqkg shapes without storing anything; “Submit” "
        "stores it with your partner token.",
    },
    "submit_file": {"de": "RDF-Datei", "en": "RDF file"},
    "submit_token": {
        "de": "Partner-Token (zum Einreichen; beim Prüfen werden damit auch die "
        "Eigentumsregeln geprüft)",
        "en": "Partner token (for submitting; when validating, it also checks the ownership rules)",
    },
    "submit_validate": {"de": "Prüfen", "en": "Validate"},
    "submit_button": {"de": "Einreichen", "en": "Submit"},
    "submit_working": {"de": "Wird bearbeitet …", "en": "Working …"},
    "submit_accepted": {"de": "Angenommen als Einreichung", "en": "Accepted as submission"},
    "submit_unchanged": {
        "de": "Unverändert – derselbe Inhalt ist schon Einreichung",
        "en": "Unchanged – the same content is already submission",
    },
    "submit_rejected": {
        "de": "Abgelehnt – nichts wurde gespeichert.",
        "en": "Rejected – nothing was stored.",
    },
    "submit_nofile": {"de": "Bitte zuerst eine Datei wählen.", "en": "Please pick a file first."},
    "submit_notoken": {
        "de": "Zum Einreichen wird ein Partner-Token benötigt.",
        "en": "Submitting needs a partner token.",
    },
    "submissions_list": {"de": "Alle Einreichungen", "en": "All submissions"},
    "submissions_intro": {
        "de": "Einreichungen von Partnern, neueste zuerst; zurückgezogene bleiben verzeichnet.",
        "en": "Submissions by partners, newest first; withdrawn ones stay listed.",
    },
    "submissions_none": {
        "de": "Keine Einreichung passt zu diesen Filtern.",
        "en": "No submission matches these filters.",
    },
    "submission": {"de": "Einreichung", "en": "Submission"},
    "partner": {"de": "Partner", "en": "Partner"},
    "status": {"de": "Status", "en": "Status"},
    "status_any": {"de": "alle", "en": "any"},
    "status_accepted": {"de": "angenommen", "en": "accepted"},
    "status_withdrawn": {"de": "zurückgezogen", "en": "withdrawn"},
    "since": {"de": "Seit", "en": "Since"},
    "until": {"de": "Bis", "en": "Until"},
    "submissions_one": {"de": "1 Einreichung", "en": "1 submission"},
    "submissions_many": {"de": "{n} Einreichungen", "en": "{n} submissions"},
    "filter": {"de": "Filtern", "en": "Filter"},
    "modified": {"de": "Geändert", "en": "Modified"},
    "graph": {"de": "Graph", "en": "Graph"},
    "versions": {"de": "Versionen", "en": "Versions"},
    "validation_report": {"de": "Validierungsbericht", "en": "Validation report"},
    # --- VoID -------------------------------------------------------------------------
    "void_note": {
        "de": "Die Beschreibung des Datensatzes in VoID und DCAT: Graphen, Umfang, "
        "Lizenz, Endpunkte und Downloads.",
        "en": "The description of the dataset in VoID and DCAT: graphs, size, licence, "
        "endpoints and downloads.",
    },
    # --- errors -----------------------------------------------------------------------
    "error": {"de": "Fehler", "en": "Error"},
    # What each error means for the reader; the server's own message follows, in English.
    "error_text_400": {
        "de": "Die Anfrage ist so nicht verständlich; die Meldung unten sagt, woran es liegt.",
        "en": "The request cannot be understood as it is; the message below says why.",
    },
    "error_text_401": {
        "de": "Dafür ist eine Anmeldung mit einem Token nötig.",
        "en": "This needs you to sign in with a token.",
    },
    "error_text_403": {
        "de": "Mit diesen Zugangsdaten ist das nicht erlaubt.",
        "en": "These credentials do not allow this.",
    },
    "error_text_405": {
        "de": "Diese Adresse nimmt diese Art von Anfrage nicht an.",
        "en": "This address does not take this kind of request.",
    },
    "error_text_406": {
        "de": "In dem verlangten Format gibt es diese Seite nicht.",
        "en": "This page is not available in the format asked for.",
    },
    "error_text_413": {
        "de": "Die gesendeten Daten überschreiten die Grenze dieses Dienstes.",
        "en": "The data sent is larger than this service accepts.",
    },
    "error_text_415": {
        "de": "Die gesendeten Daten haben ein Format, das hier nicht gelesen wird.",
        "en": "The data sent is in a format this service does not read.",
    },
    "error_text_422": {
        "de": "Die Daten sind lesbar, erfüllen aber die Regeln nicht.",
        "en": "The data can be read but does not meet the rules.",
    },
    "error_text_500": {
        "de": "Im Dienst ist ein Fehler aufgetreten; bitte später erneut versuchen.",
        "en": "The service failed; please try again later.",
    },
    "error_text_503": {
        "de": "Der Dienst ist gerade ausgelastet oder nicht bereit; bitte gleich erneut versuchen.",
        "en": "The service is busy or not ready; please try again shortly.",
    },
    "error_text_504": {
        "de": "Die Antwort hat länger gedauert, als der Dienst erlaubt.",
        "en": "The answer took longer than the service allows.",
    },
    "error_text": {
        "de": "Die Anfrage konnte nicht beantwortet werden.",
        "en": "The request could not be answered.",
    },
    "error_detail": {"de": "Meldung des Servers (englisch)", "en": "The server's message"},
    "error_400": {"de": "Ungültige Anfrage", "en": "Bad request"},
    "error_401": {"de": "Anmeldung nötig", "en": "Authentication needed"},
    "error_403": {"de": "Nicht erlaubt", "en": "Forbidden"},
    "error_404": {"de": "Nicht gefunden", "en": "Not found"},
    "error_405": {"de": "Methode nicht erlaubt", "en": "Method not allowed"},
    "error_406": {"de": "Format nicht verfügbar", "en": "Not acceptable"},
    "error_413": {"de": "Zu groß", "en": "Too large"},
    "error_415": {"de": "Format nicht unterstützt", "en": "Unsupported media type"},
    "error_422": {"de": "Nicht verarbeitbar", "en": "Unprocessable"},
    "error_500": {"de": "Interner Fehler", "en": "Internal error"},
    "error_503": {"de": "Vorübergehend nicht verfügbar", "en": "Temporarily unavailable"},
    "error_504": {"de": "Zeitüberschreitung", "en": "Timed out"},
    # --- validation reports (validation/report.py) ---
    "report_conforms": {
        "de": "Die Daten entsprechen den iqkg-Shapes.",
        "en": "The data conforms to the iqkg shapes.",
    },
    "report_fails": {
        "de": "Die Daten sind nicht gültig: {counts}.",
        "en": "The data does not conform: {counts}.",
    },
    "report_warns": {
        "de": "Die Daten sind gültig, mit {counts}.",
        "en": "The data conforms, with {counts}.",
    },
    "report_unowned": {
        "de": (
            "Die Eigentumsregeln wurden NICHT geprüft (kein Partner angegeben): Eine Einreichung "
            "kann wegen Aussagen außerhalb des IRI-Raums des Partners noch abgelehnt werden. Geben "
            "Sie den Partner an (`--partner KÜRZEL`, im Web Token oder Partnerfeld), um wie beim "
            "Einreichen zu prüfen."
        ),
        "en": (
            "Ownership was NOT checked (no partner given): a submission may still be refused for "
            "statements outside the partner's IRI space. Give the partner (`--partner SLUG`, or "
            "the token or partner field on the web) to check it as submit will."
        ),
    },
    "report_owned": {
        "de": "Geprüft als Partner {partner}, mit den Eigentumsregeln für Einreichungen.",
        "en": "Checked as partner {partner}, with the ownership rules of submissions.",
    },
    "report_focus": {"de": "Ressource", "en": "Resource"},
    "report_path": {"de": "Eigenschaft", "en": "Property"},
    "report_value": {"de": "Wert", "en": "Value"},
    "report_shape": {"de": "Shape", "en": "Shape"},
    "report_severity": {"de": "Schweregrad", "en": "Severity"},
    "report_message": {"de": "Meldung", "en": "Message"},
    "report_Violation": {"de": "Verstoß", "en": "Violation"},
    "report_Warning": {"de": "Warnung", "en": "Warning"},
    "report_Info": {"de": "Hinweis", "en": "Info"},
    "report_Violation_one": {"de": "Verstoß", "en": "violation"},
    "report_Violation_many": {"de": "Verstöße", "en": "violations"},
    "report_Warning_one": {"de": "Warnung", "en": "warning"},
    "report_Warning_many": {"de": "Warnungen", "en": "warnings"},
    # --- ownership problems of submissions (submissions/ownership.py) ---
    "ownership_curated": {
        "de": (
            "Aussagen über kuratierte Ressourcen sind nicht erlaubt: {s} gehört zu den kuratierten "
            "Daten. Verweisen Sie darauf (als Objekt) von einer eigenen Ressource unter {space}."
        ),
        "en": (
            "Statements about curated resources are not allowed: {s} belongs to the curated data. "
            "Refer to it (as an object) from a resource of your own under {space}."
        ),
    },
    "ownership_partner": {
        "de": (
            "{s} gehört einem anderen Partner; Sie dürfen nur Ressourcen unter {space} beschreiben."
        ),
        "en": "{s} belongs to another partner; you may only describe resources under {space}.",
    },
    "ownership_foreign": {
        "de": (
            "{s} liegt außerhalb Ihres IRI-Raums; legen Sie Ressourcen unter {space} an (oder "
            "verwenden Sie leere Knoten)."
        ),
        "en": "{s} is outside your IRI space; create resources under {space} (or use blank nodes).",
    },
    "ownership_not-normal": {
        "de": (
            "Die IRI {s} ist nicht in Normalform (RFC 3986 §6: keine Punkt-Segmente, Schema und "
            "Host klein, keine unnötige Prozent-Kodierung); schreiben Sie {normal}."
        ),
        "en": (
            "The IRI {s} is not in normal form (RFC 3986 §6: no dot segments, lower-case scheme "
            "and host, no needless percent-encoding); write {normal}."
        ),
    },
    "ownership_untyped": {
        "de": (
            "{s} hat keinen Typ: Geben Sie jeder eigenen Ressource mit rdf:type eine Klasse der "
            "Ontologie (z. B. iq:Project), damit ihre Form geprüft werden kann."
        ),
        "en": (
            "{s} has no type: give every resource of your own a class of the ontology with "
            "rdf:type (e.g. iq:Project), so that its shape can check it."
        ),
    },
}


def message(key: str, lang: str) -> str:
    """The words of ``key`` in ``lang`` (English where it has none; the key if unknown)."""
    entry = MESSAGES.get(key)
    return entry.get(lang, entry["en"]) if entry else key


def translator(lang: str) -> Callable[[str], str]:
    def translate(key: str) -> str:
        entry = MESSAGES.get(key)
        return entry.get(lang, entry["en"]) if entry else key

    return translate
