"""Source positions for the CST nodes the IR needs, computed in one code-generation pass.

libcst's own PositionProvider records every node through a MetadataWrapper (which deep-copies
the tree unless told not to) and costs about 4.5 parses (../shared/notes/libcst-cost.md). Here a
code-generation state records only the node types the IR builder asks for, with a cheap
position update per token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState

# start line, start column (0-based), end line, end column (0-based, exclusive)
Range = tuple[int, int, int, int]


class _RecordingState(CodegenState):
    __slots__ = ("line", "column", "wanted", "ranges", "comments", "_stack")

    def __init__(self, module: cst.Module, wanted: frozenset[type]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.wanted = wanted
        self.ranges: dict[int, Range] = {}
        self.comments: list[cst.Comment] = []
        self._stack: list[tuple[int, int]] = []

    def _advance(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            lines = value.splitlines(keepends=True)
            last = lines[-1]
            if last.endswith(("\n", "\r")):
                self.line += len(lines)
                self.column = 0
            else:
                self.line += len(lines) - 1
                self.column = len(last)
        else:
            self.column += len(value)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in self.wanted:
            self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in self.wanted:
            start = self._stack.pop()
            self.ranges.setdefault(id(node), (start[0], start[1], self.line, self.column))
            if type(node) is cst.Comment:
                self.comments.append(node)

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = (self.line, self.column)
        try:
            yield
        finally:
            if type(node) in self.wanted:
                end = (self.line, self.column)
                if start_node is not None and id(start_node) in self.ranges:
                    start = self.ranges[id(start_node)][:2]
                if end_node is not None and id(end_node) in self.ranges:
                    end = self.ranges[id(end_node)][2:]
                self.ranges[id(node)] = (start[0], start[1], end[0], end[1])


def compute_ranges(module: cst.Module, wanted: frozenset[type]) -> tuple[dict[int, Range], list[cst.Comment]]:
    """Ranges of every node of a wanted type, keyed by `id(node)` (valid while the tree lives),
    and the module's comments in source order (when `cst.Comment` is wanted)."""
    state = _RecordingState(module, wanted)
    module._codegen(state)
    return state.ranges, state.comments
