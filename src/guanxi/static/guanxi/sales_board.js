// Kanban board: drag a card to another column, or pick a stage in the card's select.
// Every move is POSTed to the card's move URL (CSRF from the page); a refusal shows a message
// and puts the card back. A move to a lost stage first asks for the reason.
(function () {
  "use strict";
  const board = document.getElementById("kanban");
  if (!board) return;
  const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value ||
    JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  const toastEl = document.getElementById("board-toast");
  const lostModalEl = document.getElementById("lost-modal");
  let dragged = null;

  function notify(text, ok) {
    if (!toastEl) return window.alert(text);
    toastEl.classList.remove("text-bg-success", "text-bg-danger");
    toastEl.classList.add(ok ? "text-bg-success" : "text-bg-danger");
    toastEl.querySelector(".toast-body").textContent = text;
    window.bootstrap.Toast.getOrCreateInstance(toastEl, { delay: ok ? 2500 : 6000 }).show();
  }

  function askLostReason() {
    return new Promise((resolve) => {
      const modal = window.bootstrap.Modal.getOrCreateInstance(lostModalEl);
      const form = document.getElementById("lost-form");
      const input = document.getElementById("lost-reason");
      let answered = false;
      input.value = "";
      input.classList.remove("is-invalid");
      const onSubmit = (event) => {
        event.preventDefault();
        if (!input.value.trim()) { input.classList.add("is-invalid"); input.focus(); return; }
        answered = true;
        modal.hide();
        resolve(input.value.trim());
      };
      form.addEventListener("submit", onSubmit);
      lostModalEl.addEventListener("shown.bs.modal", () => input.focus(), { once: true });
      lostModalEl.addEventListener("hidden.bs.modal", () => {
        form.removeEventListener("submit", onSubmit);
        if (!answered) resolve(null);
      }, { once: true });
      modal.show();
    });
  }

  function column(stageId) {
    return board.querySelector(`.kanban-col[data-stage="${stageId}"]`);
  }

  function place(card, col, before) {
    const cards = col.querySelector("[data-drop]");
    const empty = cards.querySelector(".kanban-empty");
    if (empty) empty.remove();
    if (before && before.parentNode === cards) cards.insertBefore(card, before);
    else cards.insertBefore(card, cards.querySelector(".kanban-card") || cards.firstChild);
  }

  function updateTotals(columns) {
    Object.entries(columns || {}).forEach(([stageId, data]) => {
      const col = column(stageId);
      if (!col) return;
      col.querySelector("[data-col-count]").textContent = data.count;
      col.querySelector("[data-col-amount]").textContent = data.amount;
    });
  }

  async function move(card, stageId, before) {
    const from = card.closest(".kanban-col");
    const next = card.nextElementSibling;
    const target = column(stageId);
    if (!target || from === target) return;
    let reason = "";
    if (target.dataset.kind === "lost") {
      reason = await askLostReason();
      if (reason === null) { restore(); return; }
    }
    place(card, target, before);
    card.classList.add("moving");
    const body = new FormData();
    body.append("stage", stageId);
    body.append("lost_reason", reason);
    body.append("board_owner", board.dataset.boardOwner || "");
    try {
      const response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
        credentials: "same-origin",
      });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (!response.ok || !data || !data.ok) {
        restore();
        const fallback = response.status === 403 || response.status === 404
          ? board.dataset.msgForbidden : board.dataset.msgRefused;
        notify((data && data.message) || fallback, false);
        return;
      }
      syncSelect(card, stageId);
      updateTotals(data.columns);
      notify(data.message, true);
    } catch (e) {
      restore();
      notify(board.dataset.msgNetwork, false);
    } finally {
      card.classList.remove("moving");
    }

    function restore() {
      const cards = from.querySelector("[data-drop]");
      if (next && next.parentNode === cards) cards.insertBefore(card, next);
      else cards.appendChild(card);
      syncSelect(card, from.dataset.stage);
    }
  }

  function syncSelect(card, stageId) {
    const select = card.querySelector("select[name=stage]");
    if (select) select.value = String(stageId);
  }

  // Drag and drop (HTML5): cards are draggable, columns are drop zones.
  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".kanban-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
    dragged = null;
  });
  board.addEventListener("dragover", (event) => {
    const col = event.target.closest && event.target.closest(".kanban-col");
    if (!col || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach((el) => el !== col && el.classList.remove("drop-target"));
    col.classList.add("drop-target");
  });
  board.addEventListener("drop", (event) => {
    const col = event.target.closest && event.target.closest(".kanban-col");
    if (!col || !dragged) return;
    event.preventDefault();
    col.classList.remove("drop-target");
    const before = event.target.closest(".kanban-card");
    const card = dragged;
    dragged = null;
    card.classList.remove("dragging");
    move(card, col.dataset.stage, before && before !== card ? before : null);
  });

  // The keyboard way: the stage select and its Move button on each card.
  board.addEventListener("submit", (event) => {
    const form = event.target.closest(".card-move");
    if (!form) return;
    event.preventDefault();
    const card = form.closest(".kanban-card");
    move(card, form.querySelector("select[name=stage]").value, null).then(() => {
      const select = card.querySelector("select[name=stage]");
      if (select) select.focus();
    });
  });
})();
