"""Reporters: turn an `Analysis` into text for people and machines. They never re-analyse."""
