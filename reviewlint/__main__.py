"""``python -m reviewlint``.

``python -m`` puts the working directory first on ``sys.path``; the linted tree may hold modules
named like reviewlint's own imports (``json.py``), which must never be imported.
"""

import sys

if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]
elif sys.path:
    import os

    if os.path.abspath(sys.path[0]) == os.getcwd():
        del sys.path[0]

from reviewlint.cli import main  # noqa: E402 - after sys.path is cleaned

if __name__ == "__main__":
    main()
