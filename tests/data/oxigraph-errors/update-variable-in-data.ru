PREFIX ex: <https://example.org/>
INSERT DATA {
  ex:a ex:b ?o .
}
