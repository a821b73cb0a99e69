"""The sandbox's page in a real browser: a caregiver and a planner side by side."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ELSE = "Else Hansen · Strandvejen 12, 4640 Faxe"
NUMBER = "43 30 05 05"
ESCALATED = "⏰ Ikke taget efter 15 min."
CHECKS = ("Har telefonen mobilnet", "Kan du åbne Bekey-appen", "Finder appen låsen")
SHOT = os.environ.get("SANDBOX_SCREENSHOT")


def phone(page: Page, index: int) -> Locator:
    """The index-th phone on the page."""
    return page.locator(".phone").nth(index)


def bot_messages(device: Locator) -> Locator:
    """The bot's messages in a phone's chat."""
    return device.locator(".chat .msg.bot")


def tap_key(device: Locator, text: str) -> None:
    """Tap a big button of the reply keyboard."""
    device.locator(".keyboard button", has_text=text).click()


def tap_inline(device: Locator, text: str) -> None:
    """Tap the newest inline button with this text."""
    device.locator(".inline-row button", has_text=text).last.click()


def report_door_fault(anna: Locator) -> None:
    """Walk the fault report at Else's door to a door fault, and send it."""
    reports = bot_messages(anna).filter(has_text="Hvilken borgers dør")
    started = reports.count()
    tap_key(anna, "Meld fejl")
    expect(reports).to_have_count(started + 1)
    message_id = reports.nth(started).get_attribute("data-message-id")
    report = anna.locator(f'.chat [data-message-id="{message_id}"]')  # edited step by step
    report.locator(".inline-row button", has_text=ELSE).click()
    for question in CHECKS:  # the phone has network, the login works, the lock answers
        expect(report).to_contain_text(question)
        report.locator(".inline-row button", has_text="Ja").click()
    expect(report).to_contain_text("Fejlen ser ud til at være")
    report.locator(".inline-row button", has_text="Send uden beskrivelse").click()


def exercise(page: Page, key: str) -> Locator:
    """An exercise in the list."""
    return page.locator(f'.exercise[data-key="{key}"]')


def test_a_door_fault_goes_to_the_planner_beside_and_escalates_on_the_clock(
    desktop: Page,
) -> None:
    page = desktop
    anna, per = phone(page, 0), phone(page, 1)
    expect(anna.locator(".who")).to_have_value("1001")  # the first caregiver
    expect(per.locator(".who")).to_have_value("1002")  # the first planner
    expect(anna.locator(".pinned-bar")).to_contain_text("Bekey virker ikke")
    box = anna.bounding_box()
    beside = per.bounding_box()
    assert box is not None and beside is not None and beside["x"] > box["x"] + box["width"] - 1

    # 🆘: one tap, and Bekey's number is there (and the planner hears of it).
    before = bot_messages(anna).count()
    tap_key(anna, "Bekey virker ikke")
    expect(bot_messages(anna)).to_have_count(before + 1)
    expect(bot_messages(anna).last).to_contain_text(NUMBER)
    expect(bot_messages(per).last).to_contain_text("AKUT")

    # A door fault arrives at the planner, who takes it and resolves it.
    report_door_fault(anna)
    expect(bot_messages(anna).last).to_contain_text("Sendt som F-0002")
    expect(bot_messages(per).last).to_contain_text("F-0002")
    expect(exercise(page, "door_fault")).to_have_attribute("data-done", "1")
    tap_inline(per, "Tag sagen")
    expect(per.locator(".toast")).to_contain_text("Du har taget F-0002")
    expect(bot_messages(anna).last).to_contain_text("F-0002")
    tap_inline(per, "Løst")
    expect(exercise(page, "take_and_resolve")).to_have_attribute("data-done", "1")

    # A fault nobody takes: 15 minutes on, it goes again to the planners.
    report_door_fault(anna)
    expect(bot_messages(per).last).to_contain_text("F-0003")
    page.locator('.clock-button[data-minutes="15"]').click()
    expect(page.locator("#clock-text")).to_have_attribute("data-ahead-minutes", "15")
    expect(per.locator(".chat")).to_contain_text(ESCALATED)
    expect(exercise(page, "escalation")).to_have_attribute("data-done", "1")
    expect(page.locator("#reset")).to_be_enabled()  # the clock's move has been shown
    if SHOT:  # the README's picture: toasts gone, so nothing covers the chats
        page.locator(".toast").evaluate_all("toasts => toasts.forEach(t => { t.hidden = true; })")
        page.screenshot(path=Path(SHOT))

    # Reset: back to the demo as it started.
    page.locator("#reset").click()
    expect(page.locator("#clock-text")).to_have_attribute("data-ahead-minutes", "0")
    expect(per.locator(".chat")).not_to_contain_text("F-0003")
    expect(anna.locator(".chat .msg")).to_have_count(3)  # /start, welcome, the card
    expect(page.locator('.exercise[data-done="1"]')).to_have_count(0)


def test_on_a_phone_sized_screen_the_pinned_card_is_found_without_network(
    phone_screen: Page,
) -> None:
    page = phone_screen
    anna = phone(page, 0)
    expect(bot_messages(anna)).to_have_count(2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    box = anna.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

    tap_key(anna, "Bekey virker ikke")
    expect(bot_messages(anna)).to_have_count(3)
    expect(bot_messages(anna).last).to_contain_text(NUMBER)

    anna.locator(".offline").check()
    expect(anna.locator(".offline-banner")).to_be_visible()
    tap_key(anna, "Meld fejl")
    expect(anna.locator(".toast")).to_contain_text("Intet net")
    anna.locator(".pinned-bar").click()
    pinned = anna.locator(".msg.flash")
    expect(pinned).to_contain_text(NUMBER)
    expect(pinned).to_be_in_viewport()
    expect(exercise(page, "emergency_offline")).to_have_attribute("data-done", "1")
    expect(bot_messages(anna)).to_have_count(3)  # nothing reached the bot

    anna.locator(".offline").uncheck()
    expect(anna.locator(".offline-banner")).to_be_hidden()
