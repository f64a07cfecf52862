"""``python -m iqkg`` is the ``iqkg`` command."""

import sys

from iqkg.cli import main

sys.exit(main())
