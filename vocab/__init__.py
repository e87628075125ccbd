"""The bundled vocabulary sources and their loader."""
