"""SHACL validation (pySHACL) and the rendering of its reports for people and machines."""
