"""``python -m api.cli``: the ``shuyu`` command."""

from . import main

main()
