// A new visit's web address follows its title until the organiser types one; without
// this script an empty address is made from the title when the form is saved.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-slug-from]").forEach((slug) => {
    const source = document.getElementById(slug.dataset.slugFrom);
    if (!source) return;
    let edited = slug.value !== "";
    slug.addEventListener("input", () => { edited = slug.value !== ""; });
    source.addEventListener("input", () => {
      if (edited) return;
      slug.value = source.value
        .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
        .toLowerCase().replace(/['\u2019]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
        .slice(0, 80).replace(/-+$/, "");
    });
  });
});
