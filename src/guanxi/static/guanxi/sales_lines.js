// Order and quote lines: add and remove rows, prefill the unit price from the customer's price
// list (price_for, via the price URL) when a product is chosen, and preview the totals. The
// server recomputes every amount on save; this is only a preview.
(function () {
  "use strict";
  const form = document.getElementById("document-form");
  if (!form) return;
  const lines = document.getElementById("lines");
  const template = document.getElementById("line-template");
  const totalEl = document.getElementById("doc-total");
  const lang = document.documentElement.lang || undefined;
  const fmt = (v) => "¥" + v.toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const num = (input) => {
    const v = parseFloat((input && input.value || "").replace(",", "."));
    return Number.isFinite(v) ? v : 0;
  };
  const round = (v) => Math.round(v * 100) / 100;

  function recompute() {
    let total = 0;
    lines.querySelectorAll("[data-line]").forEach((row) => {
      const price = row.querySelector("[data-unit-price]");
      let unit = num(price);
      if (!price.value) {
        const option = row.querySelector("[data-product]").selectedOptions[0];
        unit = option && option.dataset.price ? parseFloat(option.dataset.price) : 0;
      }
      const subtotal = round(num(row.querySelector("[data-qty]")) * unit);
      const discount = round(subtotal * num(row.querySelector("[data-discount]")) / 100);
      const tax = round((subtotal - discount) * num(row.querySelector("[data-tax]")) / 100);
      const lineTotal = subtotal - discount + tax;
      row.querySelector("[data-line-total]").textContent = fmt(lineTotal);
      total += lineTotal;
    });
    totalEl.textContent = fmt(total);
  }

  async function prefill(row) {
    const product = row.querySelector("[data-product]").value;
    const price = row.querySelector("[data-unit-price]");
    if (!product) return;
    const params = new URLSearchParams({ product });
    const customer = form.querySelector("[name=customer]").value;
    if (customer) params.set("customer", customer);
    const date = form.querySelector("input[name=date]");
    if (date && date.value) params.set("on", date.value);
    try {
      const response = await fetch(`${form.dataset.priceUrl}?${params}`, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        price.value = data.price;
        price.title = data.price_list || "";
      }
    } catch (e) { /* keep what is there; the server prices an empty field anyway */ }
    recompute();
  }

  function addLine() {
    const i = parseInt(lines.dataset.next || "0", 10);
    lines.dataset.next = String(i + 1);
    const html = template.innerHTML.replaceAll("__i__", String(i));
    lines.insertAdjacentHTML("beforeend", html);
    const row = lines.lastElementChild;
    row.querySelector("[data-product]").focus();
    recompute();
  }

  document.getElementById("add-line").addEventListener("click", addLine);
  lines.addEventListener("change", (event) => {
    if (event.target.matches("[data-product]")) {
      const row = event.target.closest("[data-line]");
      row.querySelector("[data-unit-price]").value = "";
      prefill(row);
    }
    recompute();
  });
  lines.addEventListener("input", recompute);
  lines.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) return;
    const rows = lines.querySelectorAll("[data-line]");
    const row = button.closest("[data-line]");
    if (rows.length > 1) row.remove();
    else row.querySelectorAll("input, select").forEach((el) => { el.value = el.matches("[data-qty]") ? "1" : ""; });
    recompute();
  });
  // A new customer may have other prices: re-price lines whose price came from the list.
  // (Editing an order, the customer is fixed: a hidden input that never changes.)
  form.querySelector("[name=customer]").addEventListener("change", () => {
    lines.querySelectorAll("[data-line]").forEach((row) => { if (row.querySelector("[data-product]").value) prefill(row); });
  });
  recompute();
})();
