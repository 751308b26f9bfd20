// The new-item form without a reload: choosing a day fills in that day's start, end and
// venue; choosing a kind sets the end from that kind's usual length. Without this
// script the day choice reloads the page with the same defaults worked out by the server.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-new-item]");
  if (!form) return;
  const days = JSON.parse(form.dataset.dayDefaults || "{}");
  const minutes = JSON.parse(form.dataset.kindMinutes || "{}");
  const starts = form.querySelector("#starts_at");
  const ends = form.querySelector("#ends_at");
  const venue = form.querySelector("#venue_id");
  const kind = form.querySelector("#kind");
  const pad = (n) => String(n).padStart(2, "0");
  // Wall-clock arithmetic on "YYYY-MM-DDTHH:MM", kept in UTC so no zone shifts it.
  const plusMinutes = (value, count) => {
    const d = new Date(value + ":00Z");
    if (Number.isNaN(d.getTime())) return "";
    d.setUTCMinutes(d.getUTCMinutes() + count);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
      `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
  const choice = document.querySelector("[data-day-choice]");
  if (choice) {
    const select = choice.querySelector("select");
    choice.querySelector("[data-day-submit]").hidden = true;
    select.addEventListener("change", () => {
      const found = days[select.value];
      if (!found) return;
      starts.value = found.starts_at;
      venue.value = found.venue_id;
      ends.value = plusMinutes(found.starts_at, minutes[kind.value] || 60);
    });
  }
  kind.addEventListener("change", () => {
    if (starts.value) ends.value = plusMinutes(starts.value, minutes[kind.value] || 60);
  });
});
