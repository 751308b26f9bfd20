// The check-in desk, progressively enhanced (every button works as a plain form):
// the counts refresh every few seconds, and a tap on Check in or Undo is sent with
// fetch, the row is replaced by the server's new one, and focus stays on its button.
document.addEventListener("DOMContentLoaded", () => {
  const counts = document.querySelector("[data-checkin-counts]");
  const message = document.querySelector("[data-checkin-message]");
  const list = document.querySelector("[data-checkin-list]");
  const REFRESH_MS = 5000;

  function showCounts(data) {
    if (!counts || !data) return;
    counts.querySelector("[data-checked-in]").textContent = data.checked_in;
    counts.querySelector("[data-confirmed]").textContent = data.confirmed;
  }

  if (counts) {
    const refresh = () => {
      if (document.visibilityState !== "visible") return;
      fetch(counts.dataset.checkinCounts, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      })
        .then((response) => (response.ok ? response.json() : null))
        .then(showCounts)
        .catch(() => {}); // offline for a moment: the next refresh tries again
    };
    setInterval(refresh, REFRESH_MS);
    document.addEventListener("visibilitychange", refresh);
  }

  if (!list || !window.fetch) return;
  list.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-checkin]");
    if (!form) return;
    event.preventDefault();
    const row = form.closest("li");
    const button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => {
        const type = response.headers.get("Content-Type") || "";
        if (!type.includes("application/json")) throw new Error("not JSON");
        return response.json();
      })
      .then((data) => {
        if (message) message.textContent = data.message || "";
        if (data.row) {
          row.outerHTML = data.row;
          const fresh = document.getElementById(row.id);
          const next = fresh && fresh.querySelector("button");
          if (next) next.focus();
        } else {
          button.disabled = false; // refused (not confirmed): the message says why
        }
        showCounts(data.counts);
      })
      .catch(() => form.submit()); // anything unexpected: the plain form post
  });
});
