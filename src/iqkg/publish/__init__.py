"""Linked-data publication: resource descriptions, pages, ontology and shapes
documentation, VoID/DCAT, dumps and the JSON-LD context, all read from the dataset.

The server layer (``server/publication.py``, ``server/pages.py``) only negotiates and
renders; everything here is plain Python over :class:`~iqkg.store.dataset.Dataset`.
"""
