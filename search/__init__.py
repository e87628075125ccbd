"""Chinese search: analysis, the whoosh index, the in-memory catalog, ranking. whoosh stays in here."""

import os

# pypinyin's phrases are held by search/phrases.py, once and compactly; pypinyin itself is told not to
# load its own copy (its documented switch, read when pypinyin is first imported). Answers do not depend
# on it: search/phrases.py reads the phrases whether pypinyin loaded them or not.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")  # nothing here adds to pypinyin's dictionaries: no copy

# pypinyin's character readings are held by search/readings.py in a few arrays and handed to pypinyin in
# place of the dict it would load (same file, same readings), before anything here imports pypinyin
from .readings import install  # noqa: E402

install()
