// Keyboard triage: j/k move through the queue, x selects, Enter opens; c/d/e confirm, dismiss
// or escalate the highlighted row (or, on a case page, the case); r starts a review.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr"));
  var at = 0;
  function select(i) {
    if (!rows.length) return;
    rows[at].classList.remove("sel");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("sel");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  if (rows.length) select(0);
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT" || e.ctrlKey || e.metaKey) return;
    if (e.key === "j") select(at + 1);
    else if (e.key === "k") select(at - 1);
    else if (e.key === "Enter" && rows.length) window.location = rows[at].getAttribute("data-href");
    else if (e.key === "x" && rows.length) {
      var box = rows[at].querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    }
    else if (rows.length && document.querySelector('button[data-row-key="' + e.key + '"]')) {
      rows.forEach(function (row) {
        var box = row.querySelector('input[type="checkbox"]');
        if (box) box.checked = row === rows[at];
      });
      document.querySelector('button[data-row-key="' + e.key + '"]').click();
    }
    else {
      var button = document.querySelector('button[data-key="' + e.key + '"]');
      if (button) button.click();
    }
  });
})();
