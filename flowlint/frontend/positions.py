"""Source positions for the CST nodes the IR needs, computed in one code-generation pass.

libcst's own PositionProvider records every node through a MetadataWrapper (which deep-copies
the tree unless told not to) and costs about 4.5 parses (../shared/notes/libcst-cost.md). Here a
code-generation state notes, for the node types the IR builder asks for only, the index of the
first and past-the-last token each node wrote; token indices become character offsets and then
lines and columns once, after the pass, with C-speed helpers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState

# start line, start column (0-based), end line, end column (0-based, exclusive)
Range = tuple[int, int, int, int]

_LINE_BREAK = re.compile(r"\r\n?|\n")


class _NoRecord:
    """The context for a node whose position is not wanted: does nothing, shared."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_RECORD = _NoRecord()


class _SyntacticRecord:
    """Notes the tokens a node writes without its parentheses and surrounding whitespace."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _RecordingState, node: cst.CSTNode,
                 start_node: cst.CSTNode | None, end_node: cst.CSTNode | None) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        marks = self.state.marks
        start, end = self.start, len(self.state.tokens)
        if self.start_node is not None and id(self.start_node) in marks:
            start = marks[id(self.start_node)][0]
        if self.end_node is not None and id(self.end_node) in marks:
            end = marks[id(self.end_node)][1]
        marks[id(self.node)] = (start, end)


class _RecordingState(CodegenState):
    __slots__ = ("wanted", "marks", "comments", "_starts")

    def __init__(self, module: cst.Module, wanted: frozenset[type]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = wanted
        self.marks: dict[int, tuple[int, int]] = {}  # id(node) -> (first token, past-the-last token)
        self.comments: list[cst.Comment] = []
        self._starts: list[int] = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in self.wanted:
            self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in self.wanted:
            self.marks.setdefault(id(node), (self._starts.pop(), len(self.tokens)))
            if type(node) is cst.Comment:
                self.comments.append(node)

    def pop_trailing_newline(self) -> None:
        """Keeps the module's last newline: token indices already noted must stay valid."""

    def record_syntactic_position(  # type: ignore[override]  # a context manager, not a generator
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None,
    ) -> _SyntacticRecord | _NoRecord:
        if type(node) in self.wanted:
            return _SyntacticRecord(self, node, start_node, end_node)
        return _NO_RECORD

class NodeRanges:
    """The range of each recorded node, worked out when asked for (most never are)."""

    __slots__ = ("_marks", "_offsets", "_line_starts")

    def __init__(self, state: _RecordingState) -> None:
        self._marks = state.marks
        self._offsets = list(accumulate(map(len, state.tokens), initial=0))
        self._line_starts = [0]
        self._line_starts.extend(match.end() for match in _LINE_BREAK.finditer("".join(state.tokens)))

    def _position(self, token: int) -> tuple[int, int]:
        offset = self._offsets[token]
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def get(self, node: cst.CSTNode) -> Range | None:
        mark = self._marks.get(id(node))
        if mark is None:
            return None
        return self._position(mark[0]) + self._position(mark[1])


def compute_ranges(module: cst.Module, wanted: frozenset[type]) -> tuple[NodeRanges, list[cst.Comment]]:
    """The ranges of every node of a wanted type (valid while the tree lives), and the module's
    comments in source order (when `cst.Comment` is wanted)."""
    state = _RecordingState(module, wanted)
    module._codegen(state)
    return NodeRanges(state), state.comments
