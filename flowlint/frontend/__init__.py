"""The frontend: source bytes -> libcst tree -> module IR. The only package that imports libcst.

`parse_source` never raises for bad input: a file that cannot be analysed becomes a
`Diagnostic` (FL903) and the run goes on with the other files.
"""

from __future__ import annotations

import sys

from flowlint import ir
from flowlint.results import Diagnostic

NOT_ANALYSED = "FL903"
# libcst's parser and our recursive builder both recurse with nesting depth.
RECURSION_LIMIT = 20_000


def parse_source(source: bytes, module: str, path: str, is_package: bool) -> ir.Module | Diagnostic:
    """Parse one file into IR, or explain why it could not be analysed."""
    import libcst as cst  # imported here so that runs served from the cache never load libcst

    from flowlint.frontend.build import IRBuilder

    if b"\x00" in source:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, "file not analysed: it contains NUL bytes (not Python source)")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        tree = cst.parse_module(source)
        return IRBuilder(tree, module, path, is_package, source.count(b"\n") + 1).build()
    except cst.ParserSyntaxError as err:
        first_line = str(err.message).splitlines()[0] if err.message else "invalid syntax"
        return Diagnostic(path, max(err.raw_line, 1), max(err.raw_column + 1, 1), NOT_ANALYSED,
                          f"file not analysed: syntax error: {first_line}")
    except (UnicodeDecodeError, LookupError) as err:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, f"file not analysed: cannot decode: {err}")
    except RecursionError:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, "file not analysed: nested too deeply")
    except (MemoryError, ValueError, SyntaxError) as err:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, f"file not analysed: {type(err).__name__}: {err}")
    finally:
        sys.setrecursionlimit(limit)
