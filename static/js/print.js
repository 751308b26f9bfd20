// Printable pages (run sheet, itinerary): show the Print button, which needs a script.
// Without it the page still says how to print from the browser.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
