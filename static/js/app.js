// Progressive enhancement only; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary (or the first invalid field) after a failed submit.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  } else {
    const invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  }
  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Copy buttons for links (calendar subscriptions, private links).
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copy);
      if (target && navigator.clipboard) {
        navigator.clipboard.writeText(target.value || target.textContent);
        button.textContent = "Copied";
      }
    });
  });
});
