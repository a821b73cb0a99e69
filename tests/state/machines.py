"""What the machine tests share: a Mermaid diagram read back, and a machine's steps listed,
so each test can hold its machine and its drawing together."""

from __future__ import annotations

import re
from pathlib import Path

from transitions import Machine

STATE_DIR = Path(__file__).resolve().parents[2] / "state"


def diagram(name: str) -> tuple[set[tuple[str, str, str]], set[str], set[str]]:
    """Read a Mermaid state diagram beside the state modules (``state/<name>``).

    Returns its steps as (source, trigger, dest), its initial states and its final states.
    """
    text = (STATE_DIR / name).read_text(encoding="utf-8")
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    steps: set[tuple[str, str, str]] = set()
    initial: set[str] = set()
    finals: set[str] = set()
    for line in block.splitlines():
        arrow = re.match(r"\s*(\[\*\]|\w+) --> (\[\*\]|\w+)(?::\s*(\w+))?", line)
        if arrow is None:
            continue
        source, dest, trigger = arrow.groups()
        if source == "[*]":
            initial.add(dest)
        elif dest == "[*]":
            finals.add(source)
        else:
            assert trigger is not None, line
            steps.add((source, trigger, dest))
    return steps, initial, finals


def machine_steps(machine: Machine) -> set[tuple[str, str, str]]:
    """List every step a machine knows as (source, trigger, dest)."""
    return {
        (source, trigger, str(step.dest))
        for trigger, event in machine.events.items()
        for source, steps in event.transitions.items()
        for step in steps
    }
