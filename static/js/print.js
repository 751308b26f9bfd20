// Printable pages (run sheet, itinerary): show the Print button, which needs a script.
// Without it the page still says how to print from the browser.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});

// Tables folded into <details> (the dashboard's numbers) are printed open, and folded
// again afterwards as they were.
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details:not([open])").forEach((details) => {
    details.dataset.printOpened = "true";
    details.open = true;
  });
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("details[data-print-opened]").forEach((details) => {
    details.open = false;
    delete details.dataset.printOpened;
  });
});
