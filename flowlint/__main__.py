"""`python -m flowlint` runs the command line."""

from flowlint.cli import main

raise SystemExit(main())
