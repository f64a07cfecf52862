"""RDF helpers: formats, IRIs, namespaces. Imports nothing else from iqkg but settings/errors."""
