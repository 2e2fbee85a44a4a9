#!/usr/bin/env python3
"""Former name of tools/plot.py, kept so existing commands still work: it plots experiment files
and run files alike. See tools/plot.py for the options."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
