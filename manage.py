#!/usr/bin/env python
"""Django's manage.py; the same commands are available as `dasan <command>`."""
import sys

from dasan.cli import main

if __name__ == "__main__":
    main(sys.argv)
