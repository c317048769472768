"""Malformed inline annotations are FL905 diagnostics that name the problem."""

from __future__ import annotations

from engine_fixtures import ROOT, run_case


def test_bad_annotations_are_diagnostics():
    result = run_case(ROOT / "annotations" / "bad_annotations.py")
    assert result.analysis is not None
    messages = [(d.line, d.code, d.message) for d in result.analysis.diagnostics]
    assert messages == [
        (6, "FL905", "invalid annotation: source: unknown origin 'nobody'"),
        (10, "FL905", "invalid annotation: sink: unknown kind 'collection.nowhere'; expected one of "
                      "collection.store, collection.file, collection.index, collection.cache, "
                      "collection.object_store, collection.log, disclosure.third_party, processing.biometric, "
                      "processing.training"),
        (14, "FL905", "invalid annotation: unknown annotation 'sanitise'; expected one of guard, sanitizer, "
                      "sink, source, transform or ignore[...]"),
    ]
