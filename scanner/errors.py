"""Errors that end a run with one clear line (never a traceback)."""


class UserError(Exception):
    """Bad input or environment: printed as one line, exit code ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
