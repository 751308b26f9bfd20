// Progressive enhancement: show the previewed email in its frame without a second click
// (the "Show the email as it will look" button does the same by hand).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-preview-email]");
  if (button && button.form && button.form.requestSubmit) button.form.requestSubmit(button);
});
