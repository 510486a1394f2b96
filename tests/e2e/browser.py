"""What the journeys do in a page: sign in, check accessibility, keyboard and width, screenshot."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tracker.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BLOCKING = ("serious", "critical")


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in the login form the page shows and send it."""
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def log_in(page: Page, email: str, next_path: str = "") -> None:
    page.goto("/inloggen" + (f"?next={next_path}" if next_path else ""))
    sign_in(page, email)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


@cache
def _axe_source() -> str:
    if not AXE.exists():
        if ON_CI:
            pytest.fail(f"axe-core is required on CI but {AXE} is missing (run make)")
        pytest.skip(f"axe-core not installed at {AXE} (run make, or npm ci)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page as it is now; its violations (WCAG 2.1 AA and best practice).

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    does not govern, so the app's own CSP stays as strict as it is in production.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation (labels, contrast, names, structure)."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{page.url}:\n{describe(blocking)}"


def assert_fits_width(page: Page) -> None:
    """Nothing makes the page scroll sideways (tables scroll inside their own box)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Write the page as the reviewer should see it to docs/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    return path


_FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {done: true};
    el.setAttribute('data-e2e-reached', '');
    const style = getComputedStyle(el);
    const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== 'none';
    const text = (el.textContent || '').trim().slice(0, 40);
    return {done: false, visible, id: el.id, what: `${el.tagName}#${el.id} ${text}`};
}"""

_CONTROLS = """() => Array.from(document.querySelectorAll(['input:not([type=hidden])', 'select',
        'textarea', 'button', 'a[href]', 'summary'].map(s => 'main ' + s).join(', ')))
    .filter(el => !el.disabled && el.getClientRects().length > 0)
    // Inside a closed <details> only its summary can be reached (it opens the rest).
    .filter(el => el.tagName === 'SUMMARY' || !el.closest('details:not([open])'))
    .filter(el => !el.hasAttribute('data-e2e-reached'))
    .map(el => `${el.tagName}#${el.id} ${(el.textContent || el.name || '').trim().slice(0, 40)}`)"""


def assert_keyboard_operable(page: Page, limit: int = 250) -> None:
    """Tab from the top reaches every control in the page's content, each visibly focused."""
    for _ in range(limit):  # past the end, Tab starts again at the top
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_STATE)
        assert state["done"] or state["visible"], f"no visible focus on {state['what']}"
        if not page.evaluate(_CONTROLS):
            break
    missing = page.evaluate(_CONTROLS)
    assert not missing, f"not reachable with Tab on {page.url}: {missing}"


def focus_by_tab(page: Page, element_id: str, limit: int = 60) -> int:
    """Press Tab until the element with this id has the focus; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_STATE)
        assert state["done"] or state["visible"], f"no visible focus on {state['what']}"
        if not state["done"] and state["id"] == element_id:
            return presses
    raise AssertionError(f"#{element_id} not reached with {limit} presses of Tab on {page.url}")
