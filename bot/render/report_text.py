"""The monthly report as a short chat message (Telegram HTML): the month's figures of every
unit, or of one, in a few lines; the chart and the workbook carry the rest.

``summary(report, words, language, unit=None)``: the words are templates from the caller
(the locale texts in chat; ``OPERATOR_WORDS`` in English for tests and the operator), each
filled with named figures; times are written as people say them (``age``). A template may be
a plural text (``bot.render.i18n``): its number picks the form, by the language's rule.

``summary_words(language)`` reads the templates from the locale texts (``[report]``);
``leader_summary(report, language, unit)`` is the message a leader gets in chat: their unit's
figures, and a last line for the whole municipality.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from babel import Locale

from bot.render.i18n import Text, age, catalog, normalise, t
from bot.render.report_sheet import unit_name
from state.report import MonthReport, ReportLine


@dataclass(frozen=True)
class SummaryWords:
    """The message's templates, in the reader's language; the placeholders are named."""

    title: Text
    """``{month}``, ``{unit}``."""
    reports: Text
    """``{reports}``, ``{self_solved}``, ``{still_open}``."""
    take: Text
    """``{median}``, ``{p90}``, ``{taken}``."""
    resolve: Text
    """``{median}``, ``{p90}``, ``{resolved}``."""
    escalations: Text
    """``{escalations}``, ``{incidents}``, ``{incident_reports}``."""
    smartkeys: Text
    """``{handed_out}``, ``{lost}``, ``{overdue}``."""
    training: Text
    """``{trained}``, ``{staff}``, ``{untrained}``."""
    no_time: str
    """Instead of a time, when nothing was taken or resolved."""


OPERATOR_WORDS: Final = SummaryWords(
    title="<b>Bekey fault reports {month}: {unit}</b>",
    reports="Reports: {reports} ({still_open} still open); solved by the caregiver's own"
    " check: {self_solved}",
    take="Time to take: median {median}, 90%: {p90} ({taken} taken)",
    resolve="Time to resolve: median {median}, 90%: {p90} ({resolved} resolved)",
    escalations="Escalations: {escalations}; incidents: {incidents} ({incident_reports} reports)",
    smartkeys="Smartkeys: {handed_out} handed out, {lost} lost, {overdue} overdue",
    training="Training at month end: {trained} of {staff} trained ({untrained} not)",
    no_time="–",
)
"""English words for the operator (tests, and until the locale texts exist)."""


def summary_words(language: str | None) -> SummaryWords:
    """The message's templates in a language, from the locale texts (``[report]``)."""
    texts = catalog(normalise(language))
    no_time = texts["report.no_time"]
    assert isinstance(no_time, str)
    return SummaryWords(
        title=texts["report.title"],
        reports=texts["report.reports"],
        take=texts["report.take"],
        resolve=texts["report.resolve"],
        escalations=texts["report.escalations"],
        smartkeys=texts["report.smartkeys"],
        training=texts["report.training"],
        no_time=no_time,
    )


def _time(language: str | None, delta: timedelta | None, words: SummaryWords) -> str:
    return words.no_time if delta is None else age(language, delta)


def _fill(language: str | None, template: Text, **figures: object) -> str:
    """Fill a template; of a plural text, the form its number calls for in the language."""
    if isinstance(template, str):
        return template.format(**figures)
    number = figures[template.by]
    assert isinstance(number, int)
    category = Locale.parse(normalise(language)).plural_form(number)
    return template.forms.get(category, template.forms["other"]).format(**figures)


def summary(
    report: MonthReport, words: SummaryWords, language: str | None, unit: str | None = None
) -> str:
    """The month's figures of every unit (None) or of one, as a few lines of Telegram HTML."""
    line: ReportLine = report.line(unit, None)
    f = line.figures
    keys, training = line.keys, line.training
    assert keys is not None and training is not None  # a line of every category has both

    def when(delta: timedelta | None) -> str:
        return html.escape(_time(language, delta, words))

    parts = [
        _fill(language, words.title, month=report.month, unit=html.escape(unit_name(unit))),
        _fill(
            language,
            words.reports,
            reports=f.reports,
            self_solved=f.self_solved,
            still_open=f.still_open,
        ),
        _fill(
            language, words.take, median=when(f.take_median), p90=when(f.take_p90), taken=f.taken
        ),
        _fill(
            language,
            words.resolve,
            median=when(f.resolve_median),
            p90=when(f.resolve_p90),
            resolved=f.resolved,
        ),
        _fill(
            language,
            words.escalations,
            escalations=f.escalations,
            incidents=f.incidents,
            incident_reports=f.incident_reports,
        ),
        _fill(
            language,
            words.smartkeys,
            handed_out=keys.handed_out,
            lost=keys.lost,
            overdue=keys.overdue,
        ),
        _fill(
            language,
            words.training,
            trained=training.trained,
            staff=training.staff,
            untrained=training.untrained,
        ),
    ]
    return "\n".join(parts)


def leader_summary(report: MonthReport, language: str, unit: str | None) -> str:
    """A leader's message in chat: their unit's figures, then the whole municipality's count
    and median time to take."""
    words = summary_words(language)
    own = summary(report, words, language, unit)
    whole = report.total.figures
    total = t(
        language,
        "report.total",
        reports=whole.reports,
        median=_time(language, whole.take_median, words),
    )
    return f"{own}\n\n{total}"
