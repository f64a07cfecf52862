"""``POST /validate`` on the running server: formats in and out, languages, uploads, and
the refusals of input that would make a parser touch the network."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.submissions.helpers import MEDIA_TYPES, add_partner, bearer, fixture
from tests.support.listener import Listener
from tests.support.server import RunningServer

BASE = "https://w3id.org/iqkg/"


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.mark.parametrize("extension", sorted(MEDIA_TYPES))
def test_each_format_validates(client: httpx.Client, extension: str) -> None:
    response = client.post(
        "/validate",
        content=fixture(f"project.{extension}", "example"),
        headers={"Content-Type": MEDIA_TYPES[extension]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True and response.json()["triples"] == 23


def test_report_in_german_and_english(client: httpx.Client) -> None:
    body = fixture("shape-violations.ttl", "example")
    headers = {"Content-Type": "text/turtle"}
    german = client.post("/validate", content=body, headers={**headers, "Accept-Language": "de"})
    english = client.post(
        "/validate?lang=en", content=body, headers={**headers, "Accept-Language": "de"}
    )
    assert (
        german.headers["content-language"] == "de" and english.headers["content-language"] == "en"
    )
    (g,), (e,) = german.json()["results"], english.json()["results"]
    assert g["focusNode"] == e["focusNode"] == f"{BASE}id/partner/example/project-bridging-course"
    assert g["resultPath"] == f"{BASE}def#startYear" and g["value"]
    assert g["sourceShape"] == "https://w3id.org/iqkg/shapes#startYear"
    assert g["severity"] == "Violation" and g["message"] != e["message"]
    assert german.json()["summary"].startswith("Die Daten sind nicht gültig")
    unknown = client.post("/validate?lang=fr", content=body, headers=headers)
    assert unknown.status_code == 200, "an unknown ?lang is ignored: the fallback applies"
    assert unknown.headers["content-language"] == "en"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "sh:ValidationReport"),
        ("application/ld+json", "http://www.w3.org/ns/shacl#ValidationReport"),
        ("text/html", '<table class="report">'),
    ],
)
def test_report_representations(client: httpx.Client, accept: str, expected: str) -> None:
    response = client.post(
        "/validate",
        content=fixture("shape-violations.ttl", "example"),
        headers={"Content-Type": "text/turtle", "Accept": accept},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert expected in response.text


def test_multipart_upload(client: httpx.Client) -> None:
    for name in ("project.jsonld", "project.rdf", "project.nt"):
        response = client.post(
            "/validate",
            files={"file": (name, fixture(name, "example"), "application/octet-stream")},
        )
        assert response.status_code == 200, response.text
        assert response.json()["conforms"] is True
    # a form with no file part at all: nothing to validate
    no_file = client.post(
        "/validate",
        content=b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--b--\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=b", "Accept": "application/json"},
    )
    assert no_file.status_code == 400, no_file.text
    assert "holds no file" in no_file.json()["message"]
    # a file part whose format neither its content type nor its extension names
    unknown = client.post(
        "/validate",
        files={"other": ("a.txt", b"", "")},
        headers={"Accept": "application/json"},
    )
    assert unknown.status_code == 415, unknown.text


def test_with_a_token_ownership_is_checked_too(server: RunningServer, client: httpx.Client) -> None:
    token = add_partner(server, "Validator Delta", "delta")
    response = client.post(
        "/validate",
        content=fixture("about-curated.ttl", "delta"),
        headers={**bearer(token), "Content-Type": "text/turtle"},
    )
    shapes = {r["sourceShape"] for r in response.json()["results"]}
    assert "https://w3id.org/iqkg/shapes#PartnerIriSpace" in shapes
    assert response.json()["ownershipChecked"] is True and response.json()["partner"] == "delta"


def test_a_partner_field_checks_ownership_without_a_token(
    server: RunningServer, client: httpx.Client
) -> None:
    """The /submit page's partner field (a form field) or ?partner=: "conforms" then means
    that a submission of that partner would be accepted; without either, the report says
    that ownership was not checked."""
    add_partner(server, "Validator Theta", "theta")
    body = fixture("about-curated.ttl", "theta")
    plain = client.post("/validate", content=body, headers={"Content-Type": "text/turtle"})
    assert plain.json()["ownershipChecked"] is False
    assert "NOT checked" in plain.json()["ownershipNote"]
    by_query = client.post(
        "/validate?partner=theta", content=body, headers={"Content-Type": "text/turtle"}
    )
    by_form = client.post(
        "/validate",
        files={"file": ("about.ttl", body, "text/turtle")},
        data={"partner": "theta"},
        headers={"Accept": "text/html"},
    )
    assert by_query.json()["conforms"] is False and by_query.json()["partner"] == "theta"
    assert by_form.status_code == 200 and "iqsh:PartnerIriSpace" in by_form.text
    assert "id:network/berlin" in by_form.text and "as partner theta" in by_form.text
    unknown = client.post(
        "/validate?partner=nobody", content=body, headers={"Content-Type": "text/turtle"}
    )
    assert unknown.status_code == 400 and "nobody" in unknown.text
    token = add_partner(server, "Validator Iota", "iota")
    other = client.post(
        "/validate?partner=theta",
        content=body,
        headers={**bearer(token), "Content-Type": "text/turtle"},
    )
    assert other.status_code == 403


def test_syntax_errors_have_line_and_column(client: httpx.Client) -> None:
    response = client.post(
        "/validate",
        content=b'{\n  "@id": "http://example.org/a",\n  "http://example.org/p": [1,\n}',
        headers={"Content-Type": "application/ld+json", "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["line"] == 4
    assert (
        client.post("/validate", content=b"x", headers={"Content-Type": "image/png"}).status_code
        == 415
    )


# --- no network access while parsing ------------------------------------------------


def _refusals(port: int) -> list[tuple[str, bytes, str]]:
    url = f"http://127.0.0.1:{port}"
    rdf = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    about = '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&e;</rdf:value>'
    return [
        (
            "application/ld+json",
            f'{{"@context": "{url}/ctx.jsonld", "@id": "http://example.org/a"}}'.encode(),
            "remote context",
        ),
        (
            "application/ld+json",
            f'{{"@context": [{{"@import": "{url}/import.jsonld"}}], "@id": "http://example.org/a"}}'.encode(),
            "remote context",
        ),
        (
            "application/rdf+xml",
            f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{url}/rdf.dtd">\n'
            f"<rdf:RDF {rdf}/>".encode(),
            "external DTD",
        ),
        (
            "application/rdf+xml",
            f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{url}/entity">]>\n'
            f"<rdf:RDF {rdf}>{about}</rdf:Description></rdf:RDF>".encode(),
            "external or parameter entity",
        ),
        (
            "application/rdf+xml",
            f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{url}/p"> %p;]>\n'
            f"<rdf:RDF {rdf}/>".encode(),
            "external or parameter entity",
        ),
    ]


def test_network_access_is_refused_and_nothing_is_fetched(
    server: RunningServer, client: httpx.Client, listener: Listener
) -> None:
    token = add_partner(server, "Network Epsilon", "epsilon")
    for media_type, body, reason in _refusals(listener.port):
        for path, headers in (("/validate", {}), ("/submissions", bearer(token))):
            response = client.post(
                path,
                content=body,
                headers={**headers, "Content-Type": media_type, "Accept": "application/json"},
            )
            assert response.status_code == 400, (path, body, response.text)
            assert reason in response.json()["message"], response.json()["message"]
    # Every fetch would have connected before its answer came back: count them all now.
    assert listener.settled_connections() == 0


def test_entity_expansion_bomb_is_refused_quickly(client: httpx.Client) -> None:
    entities = "".join(
        f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY l0 "lol">{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/a"><rdf:value>&l9;</rdf:value>'
        "</rdf:Description></rdf:RDF>"
    ).encode()
    # Unrefused, this expands to 3 GB in ~40 s; the client's timeout is the only clock here.
    response = client.post(
        "/validate",
        content=bomb,
        headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400 and "nested entities" in response.json()["message"]
    flat = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "' + "x" * 5000 + '">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/a"><rdf:value>'
        + "&big;" * 2000
        + "</rdf:value></rdf:Description></rdf:RDF>"
    ).encode()
    response = client.post(
        "/validate",
        content=flat,
        headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400 and "expand" in response.json()["message"]
    harmless = fixture("project.rdf", "example").replace(
        b"<rdf:RDF",
        b'<!DOCTYPE rdf:RDF [<!ENTITY iq "https://w3id.org/iqkg/def#">]>\n<rdf:RDF',
        1,
    )
    response = client.post(
        "/validate", content=harmless, headers={"Content-Type": "application/rdf+xml"}
    )
    assert response.status_code == 200, response.text


_RDF_OPEN = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://example.org/a"><rdf:value>'
)
_RDF_CLOSE = "</rdf:value></rdf:Description></rdf:RDF>"
_A = "A" * 1000
_NESTED = f'"{"&a;" * 100}"'


@pytest.mark.parametrize(
    ("subset", "use"),
    [
        # No whitespace after <!ENTITY: Oxigraph reads a parameter entity and expands it.
        (f'<!ENTITY%a "{_A}"> <!ENTITY%b {_NESTED}>', "&b;"),
        (f'<!ENTITY%a "{_A}"><!ENTITY%b {_NESTED}>', "&b;"),
        (f'<!ENTITY %a "{_A}"> <!ENTITY %b {_NESTED}>', "&b;"),
        # Tabs and newlines, or nothing at all, between <!ENTITY and the name.
        (f'<!ENTITY\ta "{_A}"> <!ENTITY\tb {_NESTED}>', "&b;"),
        (f'<!ENTITY\na "{_A}">\n<!ENTITY\nb\n{_NESTED}>', "&b;"),
        (f'<!ENTITYa "{_A}"> <!ENTITYb {_NESTED}>', "&b;"),
        (f'<!entity a "{_A}"> <!ENTITY b {_NESTED}>', "&b;"),
        # A "]>" inside a quoted value must not hide the declarations after it.
        (f'<!ENTITY q "x]>"> <!ENTITY a "{_A}"> <!ENTITY b {_NESTED}>', "&b;"),
        (f"<!ENTITY q 'x]>'> <!ENTITY a \"{_A}\"> <!ENTITY b {_NESTED}>", "&b;"),
        (f'<!-- ]> --> <!ENTITY a "{_A}"> <!ENTITY b {_NESTED}>', "&b;"),
        # Declarations the naive and the grammar reading of the DOCTYPE disagree on.
        (f'<!ENTITY q "<"> <!ENTITY a "{_A}"> <!ENTITY b {_NESTED}>', "&b;"),
        # External and parameter references without the usual spacing.
        ('<!ENTITY%p SYSTEM "http://127.0.0.1:9/p">%p;', "x"),
        ('<!ENTITY e\tSYSTEM\t"http://127.0.0.1:9/e">', "&e;"),
        ('<!ENTITY e PUBLIC "-//x//y" "http://127.0.0.1:9/e">', "&e;"),
        # Unterminated or oddly shaped declarations.
        (f'<!ENTITY a "{_A}', "&a;"),
        (f'<!ENTITY a "{_A}" junk>', "&a;"),
    ],
)
def test_entity_declaration_forms_are_refused_before_expansion(
    client: httpx.Client, subset: str, use: str
) -> None:
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ {subset} ]>\n{_RDF_OPEN}{use}{_RDF_CLOSE}'
    ).encode()
    response = client.post(
        "/validate",
        content=body,
        headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code == 400, response.text[:300]
    # Refused by the declaration check, before any expansion (not by a parser giving up).
    assert "entit" in response.json()["message"].lower(), response.text[:300]
    assert len(response.content) < 10_000  # no expanded literal anywhere in the answer


@pytest.mark.parametrize(
    "body",
    [
        # A second DOCTYPE, and entity declarations outside any DOCTYPE.
        f'<!DOCTYPE r [<!ENTITY a "x">]><!DOCTYPE r [<!ENTITY b "y">]>{_RDF_OPEN}&a;{_RDF_CLOSE}',
        f'<!DOCTYPE r><!ENTITY%a "x">{_RDF_OPEN}x{_RDF_CLOSE}',
        f'<!ENTITY a "x">{_RDF_OPEN}x{_RDF_CLOSE}',
        # Never closed.
        f'<!DOCTYPE r [<!ENTITY a "{_A}">{_RDF_OPEN}&a;{_RDF_CLOSE}',
    ],
)
def test_undelimited_doctypes_are_refused(client: httpx.Client, body: str) -> None:
    response = client.post(
        "/validate",
        content=body.encode(),
        headers={"Content-Type": "application/rdf+xml", "Accept": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400, response.text[:300]


def test_plain_entities_with_any_spacing_still_work(client: httpx.Client) -> None:
    harmless = fixture("project.rdf", "example").replace(
        b"<rdf:RDF",
        b'<!DOCTYPE rdf:RDF [\n\t<!ENTITY\tiq\n"https://w3id.org/iqkg/def#"  >\n'
        b"<!-- the vocabulary -->\n]>\n<rdf:RDF",
        1,
    )
    response = client.post(
        "/validate", content=harmless, headers={"Content-Type": "application/rdf+xml"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("media_type", "body", "line"),
    [
        ("text/turtle", b"<urn:x:s> <urn:x:p> <<( <urn:x:s> <urn:x:p> <urn:x:o> )>> .", 1),
        ("text/turtle", b'@prefix : <urn:x:> .\n:a :b "<<" .\n:s :p :o {| :q :r |} .', 3),
        ("text/turtle", b"@prefix : <urn:x:> .\n<< :s :p :o >> :q :r .", 2),
        (
            "application/n-triples",
            b'<urn:x:a> <urn:x:b> "<<" .\n'
            b"<urn:x:s> <urn:x:p> <<( <urn:x:s> <urn:x:p> <urn:x:o> )>> .",
            2,
        ),
        (
            "application/trig",
            b"<urn:g> { <urn:x:s> <urn:x:p> <<( <urn:x:s> <urn:x:p> <urn:x:o> )>> }",
            1,
        ),
    ],
)
def test_triple_terms_are_refused_with_their_line(
    client: httpx.Client, media_type: str, body: bytes, line: int
) -> None:
    response = client.post(
        "/validate",
        content=body,
        headers={"Content-Type": media_type, "Accept": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert "triple terms" in response.json()["message"]
    assert f"body:{line}" in response.json()["message"]
