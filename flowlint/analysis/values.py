"""Abstract values: taint labels on a tree of access paths, plus what the value is known to be.

A `Value` is a node of an access-path tree: the labels on the node itself, the *kinds* the
value may have (a project function or class, an instance, an external API path such as
`sqlite3.connect()`, a builtin container), and its fields (`.attr`, `[0]`, `["key"]`, `[*]`).
Labels on a node cover all its fields. Trees are immutable and compared structurally, so the
fixpoint loops can test for change.

Two kinds of label: `Taint` (concrete data from a source site) and `ParamTaint` (symbolic:
"whatever the caller passes in parameter i at this path", which is how summaries express
taint-in-taint-out and parameters that reach sinks). Traces ride on labels but take no part
in equality, so they never stop a fixpoint from converging.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from typing import NamedTuple, Union

from flowlint.analysis.fields import Fields
from flowlint.analysis.strings import join_kinds

MAX_DEPTH = 4
MAX_NODES = 48  # nodes in one tree: beyond, its deepest level folds into the one above
MAX_SUMMARY_LABELS = 48  # labels in one summary value's whole tree before it is cut to one level
MAX_NODE_LABELS = 32  # labels on one node before only MAX_SITES source sites per kind of data stay
MAX_SITES = 8
MAX_TRACE = 60

# ("a", name) attribute, ("i", literal) constant index or key, ("*",) unknown index
Key = tuple
ANY: Key = ("*",)
KEYS: Key = ("k",)  # the keys of a dict, when they carry data (`index[name] = 1`)
DERIVED: Key = ("~",)  # data computed from a value (`str(x)`, `lib.f(x)`): its data, not the object


def attr_key(name: str) -> Key:
    return ("a", name)


def index_key(value: object) -> Key:
    return ("i", value)


def key_text(key: Key) -> str:
    if key[0] == "a":
        return f".{key[1]}"
    if key[0] == "i":
        return f"[{key[1]!r}]"
    if key[0] == "k":
        return ".keys()"
    if key[0] == "~":
        return "(derived)"
    return "[*]"


class Step(NamedTuple):
    """One step of a witness trace."""

    path: str
    line: int
    column: int
    kind: str  # source | step | call | return | sink
    note: str


class Site(NamedTuple):
    """Where a source or sink is in the project, and the name it was matched by."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    symbol: str


class _Label:
    """Labels are made and compared by the million: slotted, hash cached, trace not compared."""

    __slots__ = ("_key", "_hash", "trace")
    _fields: tuple[str, ...] = ()

    def __init__(self, key: tuple, trace: tuple[Step, ...]) -> None:
        self._key = key
        self._hash = hash(key)
        self.trace = trace

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is type(self) and self._key == other._key)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        return (_rebuild, (type(self), self._key, self.trace))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._key!r}"

    def with_trace(self, trace: tuple[Step, ...]):
        label = object.__new__(type(self))
        label._key, label._hash, label.trace = self._key, self._hash, trace
        return label


def _rebuild(cls: type, key: tuple, trace: tuple[Step, ...]) -> _Label:
    label = object.__new__(cls)
    label._key, label._hash, label.trace = key, hash(key), trace
    return label


class Taint(_Label):
    """Concrete data of one origin from one source site."""

    __slots__ = ()

    def __init__(self, origin: str, site: Site, categories: frozenset[str], marks: frozenset[str],
                 trace: tuple[Step, ...] = (), default_of: int = -1, fields: Fields | None = None) -> None:
        # default_of >= 0: the data is the default value of that parameter, present only when
        # a call omits the argument; fields: what each field of the value carries (`categories`
        # is their union), while the data is still the source's value and not one of its fields
        super().__init__((origin, site, categories, marks, default_of, fields), trace)

    origin = property(lambda self: self._key[0])
    site = property(lambda self: self._key[1])
    categories = property(lambda self: self._key[2])
    marks = property(lambda self: self._key[3])
    default_of = property(lambda self: self._key[4])
    fields = property(lambda self: self._key[5])

    def evolve(self, categories: frozenset[str] | None = None, marks: frozenset[str] | None = None,
               default_of: int | None = None) -> Taint:
        origin, site, old_categories, old_marks, old_default, fields = self._key
        if categories is not None and categories != old_categories:
            fields = None  # categories cleared or added: the fields' no longer say what it carries
        return Taint(origin, site, old_categories if categories is None else categories,
                     old_marks if marks is None else marks, self.trace,
                     old_default if default_of is None else default_of, fields)

    def field(self, name: str) -> Taint | None:
        """The data of field `name` of this value: its categories, or None when it carries none."""
        found = self.fields.field(name)
        categories = found.categories if isinstance(found, Fields) else found
        if not categories:
            return None
        origin, site, _, marks, default_of, _ = self._key
        return Taint(origin, site, categories, marks, self.trace, default_of,
                     found if isinstance(found, Fields) else None)


class ParamTaint(_Label):
    """Symbolic: whatever the caller passes in parameter `param`, at `path` below it, with
    pending effects to apply to it (categories cleared (globs), then added; marks added)."""

    __slots__ = ()

    def __init__(self, param: int, path: tuple[Key, ...], clears: frozenset[str] = frozenset(),
                 adds: frozenset[str] = frozenset(), marks: frozenset[str] = frozenset(),
                 trace: tuple[Step, ...] = ()) -> None:
        super().__init__((param, path, clears, adds, marks), trace)

    param = property(lambda self: self._key[0])
    path = property(lambda self: self._key[1])
    clears = property(lambda self: self._key[2])
    adds = property(lambda self: self._key[3])
    marks = property(lambda self: self._key[4])

    def evolve(self, path: tuple[Key, ...] | None = None, clears: frozenset[str] | None = None,
               adds: frozenset[str] | None = None, marks: frozenset[str] | None = None) -> ParamTaint:
        param, old_path, old_clears, old_adds, old_marks = self._key
        return ParamTaint(param, old_path if path is None else path, old_clears if clears is None else clears,
                          old_adds if adds is None else adds, old_marks if marks is None else marks, self.trace)


Label = Union[Taint, ParamTaint]


def with_step(label: Label, step: Step) -> Label:
    trace = label.trace + (step,)
    if len(trace) > MAX_TRACE:
        trace = trace[: MAX_TRACE // 2] + trace[-(MAX_TRACE // 2):]
    return label.with_trace(trace)


def clear_categories(categories: frozenset[str], globs: frozenset[str]) -> frozenset[str]:
    return frozenset(c for c in categories if not any(fnmatch.fnmatchcase(c, g) for g in globs))


def apply_effects(label: Label, clears: frozenset[str], adds: frozenset[str], marks: frozenset[str]) -> Label:
    """The label after a transform/sanitizer/guard: clear, then add categories, then mark."""
    if not (clears or adds or marks):
        return label
    if isinstance(label, Taint):
        categories = clear_categories(label.categories, clears) | adds
        return label.evolve(categories=categories, marks=label.marks | marks)
    return label.evolve(clears=label.clears | clears, adds=clear_categories(label.adds, clears) | adds,
                        marks=label.marks | marks)


class Value:
    """An immutable node of an access-path tree (see the module docstring)."""

    __slots__ = ("labels", "kinds", "fields", "depth", "size", "tainted", "_hash", "_collapsed")

    def __init__(self, labels: frozenset[Label] = frozenset(), kinds: frozenset[str] = frozenset(),
                 fields: dict[Key, Value] | None = None) -> None:
        self.labels = labels
        self.kinds = kinds
        self._hash: int | None = None
        self._collapsed: frozenset[Label] | None = None
        if not fields:
            self.fields: dict[Key, Value] = {}
            self.depth = 0
            self.size = 1
            self.tainted = bool(labels)
            return
        depth = max(v.depth for v in fields.values()) + 1
        if depth > MAX_DEPTH:  # trees stay bounded however values nest (loops, recursion)
            fields = {k: v.truncated(MAX_DEPTH - 1) for k, v in fields.items()}
            depth = MAX_DEPTH
        size = 1 + sum(v.size for v in fields.values())
        while size > MAX_NODES and depth > 1:  # and however wide: objects with many attributes
            depth -= 1
            fields = {k: v.truncated(depth - 1) for k, v in fields.items()}
            size = 1 + sum(v.size for v in fields.values())
        self.fields = fields
        self.depth = depth
        self.size = size
        self.tainted = bool(labels) or any(v.tainted for v in fields.values())

    def truncated(self, depth: int) -> Value:
        """This tree cut at `depth`: deeper fields fold their labels into the node that remains."""
        if self.depth <= depth:
            return self
        if depth <= 0:
            return Value(self.collapse_labels(), self.kinds)
        return Value(self.labels, self.kinds, {k: v.truncated(depth - 1) for k, v in self.fields.items()})

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Value):
            return NotImplemented
        return self.labels == other.labels and self.kinds == other.kinds and self.fields == other.fields

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.labels, self.kinds, frozenset(self.fields.items())))
        return self._hash

    def __repr__(self) -> str:
        parts = []
        if self.labels:
            parts.append("labels=" + ",".join(sorted(_label_text(x) for x in self.labels)))
        if self.kinds:
            parts.append("kinds=" + ",".join(sorted(self.kinds)))
        for key, value in self.fields.items():
            parts.append(f"{key_text(key)}={value!r}")
        return "Value(" + " ".join(parts) + ")"

    def __reduce__(self):  # picklable despite __slots__ and the cached hash
        return (Value, (self.labels, self.kinds, self.fields))

    @property
    def empty(self) -> bool:
        return not self.labels and not self.kinds and not self.fields

    def is_tainted(self) -> bool:
        return self.tainted

    # -------------------------------------------------------- combining
    def join(self, other: Value) -> Value:
        if other is self or other.empty:
            return self
        if self.empty:
            return other
        fields = dict(self.fields)
        for key, value in other.fields.items():
            mine = fields.get(key)
            fields[key] = value if mine is None else mine.join(value)
        return Value(_union_labels(self.labels, other.labels), join_kinds(self.kinds, other.kinds), fields)

    def with_labels(self, labels: Iterable[Label]) -> Value:
        return Value(_union_labels(self.labels, frozenset(labels)), self.kinds, self.fields)

    def with_kinds(self, kinds: Iterable[str]) -> Value:
        return Value(self.labels, self.kinds | frozenset(kinds), self.fields)

    def only_kinds(self) -> Value:
        return Value(frozenset(), self.kinds, {})

    # -------------------------------------------------------- paths
    def read(self, key: Key) -> Value:
        """The value at `.attr` / `[k]`: the field (with `[*]` for any index), covered by this
        node's labels. A symbolic label on this node becomes the symbolic label of the field.
        Any item (`[*]`) of an external (API) object is any of its fields."""
        if key == DERIVED:
            return Value(self.derived_labels())
        if key[0] == "*":
            child = EMPTY
            # an external object's items are whatever it holds: `df.loc[m, c] = v` then `df.to_dict()`
            opaque = self.fields and any(k.startswith("api:") for k in self.kinds)
            for k, v in self.fields.items():
                if k[0] in ("i", "*") or opaque:
                    child = child.join(v)
        else:
            child = self.fields.get(key, EMPTY)
            if key[0] == "i" and ANY in self.fields:
                child = child.join(self.fields[ANY])
        inherited = frozenset(filter(None, (_descend(label, key) for label in self.labels)))
        if not inherited:
            return child
        return Value(_union_labels(child.labels, inherited), child.kinds, child.fields)

    def read_path(self, path: Iterable[Key]) -> Value:
        value = self
        for key in path:
            value = value.read(key)
        return value

    def write(self, key: Key, value: Value, strong: bool = True) -> Value:
        fields = dict(self.fields)
        if not strong and key in fields:
            value = fields[key].join(value)
        fields[key] = value
        return Value(self.labels, self.kinds, fields)

    def write_path(self, path: tuple[Key, ...], value: Value, strong: bool = True) -> Value:
        """Assign at a path below this node. Paths beyond MAX_DEPTH are folded into the deepest node."""
        if not path:
            return value if strong else self.join(value)
        if len(path) > MAX_DEPTH:
            folded = Value(value.collapse_labels(), value.kinds)
            return self.write_path(path[:MAX_DEPTH], folded, strong=False)
        head, rest = path[0], path[1:]
        strong = strong and head[0] != "*"
        child = self.fields.get(head)
        if child is None:
            child = EMPTY
        return self.write(head, child.write_path(rest, value, strong), strong=True)

    def collapse_labels(self) -> frozenset[Label]:
        """Every label in the tree: what a sink or an unmodelled call sees of this value."""
        if not self.fields:
            return self.labels
        if self._collapsed is None:  # immutable: computed once (truncation asks again and again)
            labels = set(self.labels)
            for value in self.fields.values():
                labels.update(value.collapse_labels())
            self._collapsed = frozenset(labels)
        return self._collapsed

    def derived_labels(self) -> frozenset[Label]:
        """The labels of data computed from this value: every label in the tree, where a
        parameter's label stands for the parameter's data and no longer for the object itself
        (so a caller's argument does not lend its kinds to `sessionmaker(bind=engine)()`)."""
        return frozenset(_derived(label) for label in self.collapse_labels())

    def collapsed(self) -> Value:
        return Value(self.collapse_labels(), frozenset(), {})

    def map_labels(self, fn: Callable[[Label], Label | None]) -> Value:
        if not self.tainted:
            return self
        labels = frozenset(x for x in (fn(label) for label in self.labels) if x is not None)
        fields = {k: v.map_labels(fn) for k, v in self.fields.items()}
        return Value(labels, self.kinds, fields)

    def widened(self, limit: int = 4) -> Value:
        """This tree as a summary keeps it, small enough that applying it at every call site stays
        cheap however much data a function handles: a tree with more than MAX_SUMMARY_LABELS
        labels is cut to its top node's fields; on each node, beyond `limit` symbolic labels of
        one parameter they merge into their common prefix (`p.a, p.b, p.c, ...` -> `p`), and
        beyond `limit` source sites of data of one kind only the first `limit` sites are kept
        (the flow is still found; a finding names fewer of the places the data came from)."""
        if not self.tainted:
            return self
        value = self.truncated(1) if len(self.collapse_labels()) > MAX_SUMMARY_LABELS else self
        return value._widened_nodes(limit)

    def _widened_nodes(self, limit: int) -> Value:
        if not self.tainted:
            return self
        labels = fewer_sites(self.labels, limit)
        symbolic: dict[tuple, list[ParamTaint]] = {}
        for label in labels:
            if isinstance(label, ParamTaint):
                symbolic.setdefault((label.param, label.clears, label.adds, label.marks), []).append(label)
        if any(len(group) > limit for group in symbolic.values()):
            kept = {label for label in labels if not isinstance(label, ParamTaint)}
            for group in symbolic.values():
                if len(group) <= limit:
                    kept.update(group)
                    continue
                prefix = group[0].path
                for label in group[1:]:
                    prefix = prefix[: next((i for i, (x, y) in enumerate(zip(prefix, label.path)) if x != y),
                                           min(len(prefix), len(label.path)))]
                kept.add(min(group, key=lambda x: len(x.trace)).evolve(path=prefix))
            labels = frozenset(kept)
        fields = {k: v._widened_nodes(limit) for k, v in self.fields.items()}
        return Value(labels, self.kinds, fields)

    def elements(self) -> Value:
        """What iterating the value yields: any index field, covered by the node's labels."""
        return self.read(ANY)


EMPTY = Value()


def _derived(label: Label) -> Label:
    if isinstance(label, ParamTaint) and label.path[-1:] != (DERIVED,):
        return label.evolve(path=label.path + (DERIVED,))
    return label


def _descend(label: Label, key: Key) -> Label | None:
    """The label of a field: a source's data with field categories narrowed to the field's
    (None: the field is not personal data); a symbolic label's path extended. A third nested
    positional index widens to `[*]` (`p[*][0][1]` -> `p[*][0][*]`), so that tuple-heavy loops
    cannot multiply labels; string keys (`p[*]["name"]`) stay exact."""
    if isinstance(label, Taint):
        if label.fields is None:
            return label
        if key == KEYS:  # the keys of a record whose fields are declared: their names, no data
            return None
        name = _field_name(key)
        return label if name is None else label.field(name)
    if len(label.path) >= MAX_DEPTH or label.path[-1:] == (DERIVED,):
        return label
    path = label.path
    if _positional(key) and len(path) >= 2 and _positional(path[-1]) and _positional(path[-2]):
        return label if path[-1] == ANY else label.evolve(path=path[:-1] + (ANY,))
    return label.evolve(path=path + (key,))


def _field_name(key: Key) -> str | None:
    """The field `.name` or `["name"]` reads; None for an element (`[0]`, `[*]`)."""
    if key[0] == "a" or (key[0] == "i" and isinstance(key[1], str)):
        return key[1]
    return None


def _positional(key: Key) -> bool:
    return key == ANY or (key[0] == "i" and not isinstance(key[1], str))


def _union_labels(a: frozenset[Label], b: frozenset[Label]) -> frozenset[Label]:
    """Union that keeps, for equal labels, the one with the shorter trace (a wins ties)."""
    if not b or a == b:
        return a
    if not a:
        return b
    if b <= a:
        shorter = {x: x for x in a}
        changed = False
        for label in b:
            mine = shorter[label]
            if len(label.trace) < len(mine.trace):
                shorter[label] = label
                changed = True
        return frozenset(shorter.values()) if changed else a
    union = a | (b - a)
    return union if len(union) <= MAX_NODE_LABELS else fewer_sites(union, MAX_SITES)


def fewer_sites(labels: frozenset[Label], limit: int) -> frozenset[Label]:
    """`labels` with at most `limit` source sites per kind of data (origin, categories, marks):
    the first sites in file order stay, so the flow is still found and the result deterministic."""
    groups: dict[tuple, list[Taint]] = {}
    for label in labels:
        if isinstance(label, Taint):
            groups.setdefault((label.origin, label.categories, label.marks, label.default_of), []).append(label)
    if all(len(group) <= limit for group in groups.values()):
        return labels
    kept = {label for label in labels if not isinstance(label, Taint)}
    for group in groups.values():
        kept.update(sorted(group, key=lambda label: label.site)[:limit])
    return frozenset(kept)


def _label_text(label: Label) -> str:
    if isinstance(label, Taint):
        return f"{label.origin}@{label.site.line}:{label.site.column}"
    return f"param{label.param}" + "".join(key_text(k) for k in label.path)
