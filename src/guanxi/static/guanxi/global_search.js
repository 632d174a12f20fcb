// The navbar search box: arrow keys move through the HTMX dropdown's results, Escape closes it.
(function () {
  function links(menu) { return Array.from(menu.querySelectorAll("a.dropdown-item")); }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box || !box.contains(event.target)) return;
    var menu = document.getElementById("global-search-results");
    var items = links(menu);
    var index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = index === -1 ? (step === 1 ? 0 : items.length - 1) : index + step;
      if (next < 0) { box.querySelector("input").focus(); return; }
      items[Math.min(next, items.length - 1)].focus();
    } else if (event.key === "Escape") {
      menu.innerHTML = "";
      box.querySelector("input").focus();
    }
  });
  document.addEventListener("click", function (event) {
    var box = document.getElementById("global-search");
    if (box && !box.contains(event.target)) {
      document.getElementById("global-search-results").innerHTML = "";
    }
  });
})();
