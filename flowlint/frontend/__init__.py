"""The frontend: source bytes -> libcst tree -> module IR. The only package that imports libcst.

`parse_source` never raises for bad input: a file that cannot be analysed becomes a
`Diagnostic` (FL903) and the run goes on with the other files.
"""

from __future__ import annotations

import ast
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
        return _syntax_error(source, path, err)
    except (UnicodeDecodeError, LookupError) as err:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, f"file not analysed: cannot decode: {err}")
    except RecursionError:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, "file not analysed: nested too deeply")
    except (MemoryError, ValueError, SyntaxError) as err:
        return Diagnostic(path, 1, 1, NOT_ANALYSED, f"file not analysed: {type(err).__name__}: {err}")
    except Exception as err:  # noqa: BLE001 - a parser bug on valid code (LibCST #1061: TypeError) costs one file
        return Diagnostic(path, 1, 1, NOT_ANALYSED, f"file not analysed: the parser failed on it "
                          f"({type(err).__name__}: {err})")
    finally:
        sys.setrecursionlimit(limit)


def _syntax_error(source: bytes, path: str, err: Exception) -> Diagnostic:
    """Where and why the file is not valid Python: CPython's own compiler says it best (libcst's
    native parser reports the token after the error, often on the next line); when CPython
    accepts the file, it is libcst's limit and its message is what there is."""
    try:
        compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python:
        if python.lineno:
            return Diagnostic(path, python.lineno, max(python.offset or 1, 1), NOT_ANALYSED,
                              f"file not analysed: syntax error: {python.msg}")
    except Exception:  # noqa: BLE001 - too deep or too big for CPython's parser: keep libcst's answer
        pass
    message = str(getattr(err, "message", "") or "invalid syntax").splitlines()[0]
    return Diagnostic(path, max(getattr(err, "raw_line", 1), 1), max(getattr(err, "raw_column", 0) + 1, 1),
                      NOT_ANALYSED, f"file not analysed: syntax error: {message}")
