"""Renderers: the design document (Markdown/HTML) and the Graphviz diagrams. No AWS calls here."""
