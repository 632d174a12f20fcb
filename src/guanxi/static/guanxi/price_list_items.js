// Price-list items: add and remove product rows. The server validates everything on save.
(function () {
  "use strict";
  const items = document.getElementById("price-items");
  const template = document.getElementById("price-item-template");
  if (!items || !template) return;
  document.getElementById("add-price-item").addEventListener("click", () => {
    const i = parseInt(items.dataset.next || "0", 10);
    items.dataset.next = String(i + 1);
    items.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__i__", String(i)));
    items.lastElementChild.querySelector("select").focus();
  });
  items.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) return;
    const row = button.closest("[data-item]");
    if (items.querySelectorAll("[data-item]").length > 1) row.remove();
    else row.querySelectorAll("input, select").forEach((el) => { el.value = ""; });
  });
})();
