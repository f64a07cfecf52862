"""Query services: the catalogue of research questions and query execution."""
