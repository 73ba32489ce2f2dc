"""``python -m reviewlint``.

``python -m`` puts the working directory first on ``sys.path``; the linted tree may hold modules
named like reviewlint's own imports (``json.py``), which must never be imported.
"""

import sys

if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]
elif sys.path:
    import os

    try:
        here = os.getcwd()
    except OSError:  # the working directory was deleted: whatever sys.path[0] was, drop it
        here = os.path.abspath(sys.path[0])
    if os.path.abspath(sys.path[0]) == here:
        del sys.path[0]

from reviewlint.cli import main  # noqa: E402 - after sys.path is cleaned

if __name__ == "__main__":
    main()
