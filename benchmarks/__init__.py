"""Side-by-side benchmark of iqkg against pyoxigraph, rdflib-endpoint and Virtuoso."""
