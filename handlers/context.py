"""The callback context of this bot: the services, and the employee behind the update."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services
from bot.storage.employees import Employee

BotData = dict[str, Any]


class BekeyContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """A context that knows the services and (after the gate) the employee."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.employee_or_none: Employee | None = None

    @property
    def services(self) -> Services:
        """The shared services."""
        services: Services = self.bot_data["services"]
        return services

    @property
    def employee(self) -> Employee:
        """The bound, active employee who sent this update (the gate guarantees one)."""
        if self.employee_or_none is None:
            raise LookupError("no employee on this update")
        return self.employee_or_none

    @property
    def language(self) -> str:
        """The language to answer in."""
        if self.employee_or_none is not None:
            return self.employee_or_none.language
        return self.services.settings.default_language
