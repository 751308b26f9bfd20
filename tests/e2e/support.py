"""What the browser tests need, and helpers that act as a person would (labels, roles).

Chromium comes from Debian (/usr/bin/chromium), Playwright for Python drives it, and
axe-core (npm, under tests/e2e/node_modules) checks each page. Without them the tests
here are skipped with the reason; `make e2e-deps` installs all three.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.live_server import PROJECT_ROOT

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips every browser test and says why
    expect = None

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("EVENTSAPP_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
# Set by .ci/run and `make e2e`: a missing browser is then a failure, not a skip.
REQUIRED_ENV = "EVENTSAPP_E2E_REQUIRED"


def missing() -> list[str]:
    """What is missing to run the browser tests, as the fix to apply."""
    gaps = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        gaps.append(f"{CHROMIUM} (apt-get install -y chromium)")
    if expect is None:
        gaps.append("the playwright package (pip install -e '.[e2e]')")
    if not AXE_JS.is_file():
        gaps.append(f"axe-core in {AXE_JS.parent.parent} (npm ci --prefix tests/e2e)")
    return gaps


# --- acting as a person ----------------------------------------------------------------------


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def accept_confirmations(page) -> None:
    """Say OK to the "are you sure?" questions of destructive buttons."""
    page.on("dialog", lambda dialog: dialog.accept())


def flash_text(page) -> str:
    return page.locator(".flashes").inner_text()


# --- page checks -----------------------------------------------------------------------------

_MARK_CONTROLS = """
() => {
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, '
    + '[tabindex], [contenteditable=""], [contenteditable="true"]';
  const describe = (el) => {
    const name = (el.getAttribute('aria-label') || el.labels?.[0]?.innerText
                  || el.innerText || el.value || el.getAttribute('name') || '').trim();
    const tag = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.type ? ' type=' + el.type : '');
    return `<${tag}> "${name.slice(0, 60).replace(/\\s+/g, ' ')}"`;
  };
  const controls = [];
  let n = 0;
  for (const el of document.querySelectorAll(selector)) {
    if (el.matches('input[type=hidden], :disabled') || el.closest('[inert]')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    el.dataset.e2eKey = String(n);
    controls.push({
      key: String(n++),
      what: describe(el),
      tabIndex: el.tabIndex,
      // Only the checked (or first) radio of a group takes Tab; arrows move within it.
      group: el.type === 'radio' && el.name ? `${el.form ? el.form.action : ''}|${el.name}` : null,
      native: el.matches('a[href], button, input, select, textarea, summary'),
      ariaHidden: !!el.closest('[aria-hidden="true"]'),
      onScreen: box.right > 0 && box.bottom > 0 && box.left < document.documentElement.scrollWidth,
    });
  }
  return controls;
}
"""


def keyboard_gaps(page) -> list[str]:
    """Tab from the top of the page to the end and back round; every visible control that
    is meant to be usable must take the focus on the way. Returns what did not."""
    controls = _mark_controls(page)
    page.evaluate(_RECORD_FOCUS)
    focused: list[str] = []
    for _ in range(0, len(controls) * 2 + 20, 10):
        for _ in range(10):
            page.keyboard.press("Tab")
        focused = [key for key in page.evaluate("() => window.e2eFocused") if key is not None]
        if focused and focused.count(focused[0]) > 1:
            break  # round once
    reached = set(focused)
    groups_reached = {c["group"] for c in controls if c["key"] in reached and c["group"]}
    gaps = []
    for control in controls:
        if control["tabIndex"] < 0:
            # Taken out of the tab order on purpose: only right when no one can see or
            # hear it (the honeypot field) or it is a focus target for scripts.
            if control["native"] and not control["ariaHidden"] and control["onScreen"]:
                gaps.append(f"{control['what']} has tabindex=-1")
            continue
        if control["key"] in reached or (control["group"] and control["group"] in groups_reached):
            continue
        gaps.append(f"{control['what']} never receives focus")
    return gaps


def _mark_controls(page) -> list[dict]:
    return page.evaluate(_MARK_CONTROLS)


_RECORD_FOCUS = """
() => {
  document.activeElement?.blur();
  window.scrollTo(0, 0);
  window.e2eFocused = [];
  document.addEventListener('focusin', (event) => {
    window.e2eFocused.push(event.target.dataset?.e2eKey ?? null);
  }, true);
}
"""


_OVERFLOW = """
() => {
  const width = window.innerWidth;
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    // Clipped by a scrolling ancestor? Not if it is positioned out of it: an absolute
    // box is clipped only from its containing block (a positioned ancestor) upwards.
    let clipped = false;
    let escaping = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (escaping && style.position === 'static') continue;
      if (style.overflowX !== 'visible') { clipped = true; break; }
      escaping = ['absolute', 'fixed'].includes(style.position);
    }
    if (!clipped) {
      offenders.push(`<${el.tagName.toLowerCase()} class="${el.className}"> right edge at `
                     + `${Math.round(box.right)} px`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          offenders: offenders.slice(0, 8)};
}
"""


def sideways_overflow(page) -> dict | None:
    """None when nothing sticks out sideways; otherwise the widths and the offenders."""
    found = page.evaluate(_OVERFLOW)
    return None if found["scrollWidth"] <= found["innerWidth"] else found


def axe_violations(page, report_name: str | None = None) -> list[dict]:
    """Run axe-core on the page; every violation (all impacts). With ``report_name`` the
    whole list is also written to test-artifacts/axe/<report_name>.json."""
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    if report_name:
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        (AXE_REPORTS / f"{report_name}.json").write_text(
            json.dumps(summarise(violations), indent=2, ensure_ascii=False)
        )
    return violations


def summarise(violations: list[dict]) -> list[dict]:
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]],
        }
        for v in violations
    ]


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in summarise(violations):
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {target}" for target in v["targets"][:10])
    return "\n".join(lines)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
