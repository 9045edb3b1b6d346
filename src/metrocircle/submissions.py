"""Submitting observations and reviewing them, as library results both faces render.

``metrocircle import observations --as USER`` and ``POST /api/observations`` are one
workflow (:func:`submit_observations`; a file read a chunk at a time:
:func:`submit_observation_chunks`): a district data officer's rows are checked against
their jurisdiction (all or nothing) and stored as ``submitted`` for review.
``metrocircle review accept|reject`` and ``POST /api/submissions/{batch_id}/review`` are
another (:func:`review_submission`): a reviewer or administrator decides every pending row of
a batch (never their own: the store keeps the four-eyes rule). Each returns a frozen result
whose :meth:`to_json` is what ``--json`` prints and what the API returns.

The store is reached through its public methods only (``submit_observations``, ``review``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from metrocircle._errors import PermissionDeniedError, Problem
from metrocircle.security import check_scopes, within_jurisdiction

if TYPE_CHECKING:
    from metrocircle.security import Principal
    from metrocircle.store import ObservationIn, ObservationRecord

__all__ = [
    "ReviewResult",
    "Reviewer",
    "SubmissionResult",
    "require_reviewer",
    "review_observation",
    "review_submission",
    "submission_result",
    "submit_observation_chunks",
    "submit_observations",
]


@dataclass(frozen=True)
class SubmissionResult:
    """What an import or a submission stored (or, replayed by its idempotency key, had).

    ``status`` is ``submitted`` (waits for review) or ``accepted`` (the store operator's own
    import); ``file`` is the file the rows came from (``None`` for a request body).
    """

    batch_id: str
    status: str
    rows: int
    ids: tuple[int, ...] = ()
    replayed: bool = False
    file: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "rows": self.rows,
            "ids": list(self.ids),
            "replayed": self.replayed,
            "file": self.file,
        }


def submission_result(res: Any, *, file: str | None = None) -> SubmissionResult:
    """A store's import result (:class:`metrocircle.store.ImportResult`) as the shared document."""
    return SubmissionResult(
        batch_id=str(res.batch_id),
        status=str(res.status),
        rows=int(res.rows),
        ids=tuple(int(i) for i in res.ids),
        replayed=bool(res.replayed),
        file=file,
    )


def submit_observations(
    store: Any,
    principal: Principal,
    rows: Sequence[ObservationIn],
    *,
    origin: str | None = None,
    file: str | None = None,
    note: str | None = None,
    idempotency_key: str | None = None,
    request_digest: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SubmissionResult:
    """Store ``rows`` as ``principal``'s submission for review: all of them or none.

    Raises
    ------
    PermissionDeniedError
        The principal may not submit, or some rows lie outside their units (each refused row
        named by its index in ``rows``, field ``scope``). Nothing is stored.
    """
    check_scopes(principal, [o.scope for o in rows], file=file or "body")
    res = store.submit_observations(
        list(rows),
        user=principal.name,
        file=file or "body",
        origin=origin,
        note=note,
        idempotency_key=idempotency_key,
        request_digest=request_digest,
        progress=progress,
    )
    return submission_result(res, file=file)


def submit_observation_chunks(
    store: Any,
    principal: Principal,
    chunks: Iterable[tuple[Sequence[ObservationIn], Sequence[Problem]]],
    *,
    file: str,
    origin: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
) -> SubmissionResult:
    """:func:`submit_observations` for a file read a chunk at a time (memory bounded).

    ``chunks`` as :func:`metrocircle.store.observations_file.iter_observation_chunks`
    yields them; each is checked against the principal's units as it is read
    (:func:`metrocircle.security.within_jurisdiction`). The same document, the same rows.

    Raises
    ------
    PermissionDeniedError
        The principal may not submit, or rows lie outside their units (each refused row
        named by its line in ``file``, field ``scope``). Nothing is stored.
    """
    res = store.submit_observation_chunks(
        within_jurisdiction(principal, chunks, file=file),
        user=principal.name,
        file=file,
        origin=origin,
        progress=progress,
        total=total,
    )
    return submission_result(res, file=file)


class Reviewer(Protocol):
    """Who reviews (``metrocircle.security.Principal`` satisfies it)."""

    @property
    def name(self) -> str: ...  # pragma: no cover - protocol

    @property
    def can_review(self) -> bool: ...  # pragma: no cover - protocol


@dataclass(frozen=True)
class ReviewResult:
    """A batch review's outcome: the decision and the observations it decided."""

    batch_id: str
    decision: str
    rows: int
    ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return {
            "batch_id": self.batch_id,
            "decision": self.decision,
            "rows": self.rows,
            "ids": list(self.ids),
        }


def require_reviewer(reviewer: Reviewer) -> None:
    """Refuse anybody but a reviewer or an administrator (PermissionDeniedError)."""
    if not reviewer.can_review:
        msg = "only a reviewer or an administrator may review"
        raise PermissionDeniedError(msg)


def review_submission(
    store: Any,
    reviewer: Reviewer,
    batch_id: str,
    *,
    decision: str,
    reason: str | None = None,
    origin: str | None = None,
) -> ReviewResult:
    """Accept or reject every pending observation of the batch ``batch_id``.

    Raises
    ------
    PermissionDeniedError
        Not a reviewer or an administrator, or the reviewer submitted a row (four-eyes).
    NotFoundError, ConflictError, DataValidationError
        From the store: no such batch, nothing left pending, a rejection without a reason.
    """
    require_reviewer(reviewer)
    out = store.review(
        reviewer=reviewer.name,
        decision=decision,
        reason=reason,
        batch_id=batch_id,
        origin=origin,
    )
    return ReviewResult(batch_id, decision, len(out), tuple(int(r.id) for r in out))


def review_observation(
    store: Any,
    reviewer: Reviewer,
    obs_id: int,
    *,
    decision: str,
    reason: str | None = None,
    origin: str | None = None,
) -> ObservationRecord:
    """Accept or reject one submitted observation; the decided record."""
    require_reviewer(reviewer)
    out = store.review(
        reviewer=reviewer.name, decision=decision, reason=reason, ids=[obs_id], origin=origin
    )
    record: ObservationRecord = out[0]
    return record
