// Customer list: row selection for bulk actions (Alpine component "customerBulk").
document.addEventListener("alpine:init", () => {
  window.Alpine.data("customerBulk", () => ({
    selected: [],
    action: "transfer",
    pageIds() {
      return [...document.querySelectorAll('#customer-table input[name="ids"]')].map((el) => el.value);
    },
    allChecked() {
      const ids = this.pageIds();
      return ids.length > 0 && ids.every((id) => this.selected.includes(id));
    },
    toggleAll(checked) {
      this.selected = checked ? this.pageIds() : [];
    },
    confirmSubmit(event) {
      const text = (event.target.dataset["confirm" + this.action[0].toUpperCase() + this.action.slice(1)] || "")
        .replace("__N__", this.selected.length);
      if (text && !window.confirm(text)) event.preventDefault();
    },
  }));
});
