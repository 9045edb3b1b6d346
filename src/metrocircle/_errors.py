"""The typed error hierarchy of metrocircle: every user-facing failure is one of these."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = [
    "AuthError",
    "ConflictError",
    "CrsError",
    "DataValidationError",
    "ExtensionError",
    "MetrocircleError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "ScenarioError",
    "StoreError",
    "UnknownIndicatorError",
    "UnknownUnitError",
]


class MetrocircleError(Exception):
    """Base class of every error metrocircle raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input: where it is and what is wrong.

    ``row`` is the 1-based line number in the file (the header is line 1), or 0 when
    the problem concerns the whole file.
    """

    file: str
    row: int
    field: str
    message: str
    code: str = dataclasses.field(default="", compare=False)
    """The ``problem.<code>`` entry of the message catalogue this problem says (empty: none yet)."""
    params: tuple[tuple[str, str], ...] = dataclasses.field(default=(), compare=False)
    """The values filling that entry's placeholders, as ``(name, value)`` pairs."""

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.message}"

    @classmethod
    def coded(cls, file: str, row: int, field: str, key: str, /, **params: object) -> Problem:
        """The problem ``problem.<key>`` of the catalogue, its ``message`` the English text.

        The code and values travel with it, so whoever shows it can say it in any language
        (:func:`metrocircle.problems.describe`).

        >>> str(Problem.coded("targets.csv", 4, "scope", "unknown_unit_code", code="500999"))
        'targets.csv:4:scope: unknown unit code 500999'
        """
        from metrocircle.messages import text

        values = {k: str(v) for k, v in params.items()}
        message = text(f"problem.{key}", "en", **values)
        return cls(file, row, field, message, key, tuple(values.items()))


class DataValidationError(ValueError, MetrocircleError):
    """Input data broke one or more rules; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], *, summary: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        head = summary or f"{len(self.problems)} problem(s) found"
        body = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{head}\n{body}" if body else head)


class CrsError(ValueError, MetrocircleError):
    """A coordinate reference system is missing, wrong, or not the expected one."""


class UnknownIndicatorError(KeyError, MetrocircleError):
    """An indicator id is not in the registry or the dataset."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown indicator"


class UnknownUnitError(KeyError, MetrocircleError):
    """A unit code is not one of the region's units."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown unit"


class ScenarioError(ValueError, MetrocircleError):
    """A scenario is unknown or its modifications do not fit the network."""


class StoreError(MetrocircleError):
    """The observation store could not be opened, migrated or written."""


class ConflictError(DataValidationError):
    """The input clashes with what is stored (a duplicate, or a review of a decided row)."""


class NotFoundError(KeyError, MetrocircleError):
    """A stored record (observation, batch, user, token) does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class AuthError(MetrocircleError):
    """Who is asking could not be established: no, wrong, expired or forged credentials."""


class PermissionDeniedError(MetrocircleError):
    """The user is known but may not do this; ``problems`` names the refused fields, if any."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        self.problems = problems
        super().__init__(message)


class ExtensionError(ImportError, MetrocircleError):
    """An extension could not be loaded or clashes with another; the message names it."""
