PREFIX ex: <http://example.org/>
# Parses; Oxigraph refuses to apply it: the graph does not exist.
DROP GRAPH ex:missing
