"""Errors that end a run with exit status 2 and one clear message (never a traceback)."""


class FlowlintError(Exception):
    """A usage, configuration or policy error the user can fix; printed as `flowlint: error: ...`."""


class PolicyError(FlowlintError):
    """One or more mistakes in policy files; `messages` holds one line per mistake."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages
