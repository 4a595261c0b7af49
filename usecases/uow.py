"""A minimal unit of work: one session; the use case commits once; leaving without a commit rolls back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork:
    """`async with UnitOfWork(sessions) as uow: ...; await uow.commit()`.

    `UnitOfWork.over(session)` wraps a session someone else owns (the chat's per-update session): commit
    still commits it, but leaving neither rolls back nor closes it, so the owner decides.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession] | None = None, *,
                 session: AsyncSession | None = None) -> None:
        if (sessions is None) == (session is None):
            raise ValueError("give either a session factory or a session")
        self._sessions = sessions
        self._owned = session is None
        self.session: AsyncSession = session  # type: ignore[assignment]
        self.committed = False

    @classmethod
    def over(cls, session: AsyncSession) -> UnitOfWork:
        return cls(session=session)

    async def __aenter__(self) -> UnitOfWork:
        if self._owned:
            self.session = self._sessions()  # type: ignore[misc]
        self.committed = False
        return self

    async def commit(self) -> None:
        await self.session.commit()
        self.committed = True

    async def rollback(self) -> None:
        await self.session.rollback()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if not self._owned:
            return
        try:
            if not self.committed or exc_type is not None:
                await self.session.rollback()
        finally:
            await self.session.close()
