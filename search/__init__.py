"""Chinese search: analysis, the whoosh index, the in-memory catalog, ranking. whoosh stays in here."""
