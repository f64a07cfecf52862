"""The dataset: named graphs in an embedded Oxigraph store, and loading the curated files."""
