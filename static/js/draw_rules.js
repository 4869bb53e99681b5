/* Draw rules of the quiz form: add and remove rows, and keep the question total live.
   Without JS the form still works: it shows the saved rules plus one blank row. */
(function () {
  "use strict";
  var box = document.querySelector("[data-draw-rules]");
  if (!box) { return; }
  var list = box.querySelector(".draw-rows");
  var total = box.querySelector("[data-draw-total]");
  var addButton = box.querySelector("[data-draw-add]");

  function rows() { return list.querySelectorAll("[data-draw-row]"); }

  function updateTotal() {
    var sum = 0;
    box.querySelectorAll("[data-draw-count]").forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (n > 0) { sum += n; }
    });
    total.textContent = String(sum);
  }

  function updateRemoveButtons() {
    var all = rows();
    all.forEach(function (row) {
      row.querySelector("[data-draw-remove]").hidden = all.length < 2;
    });
  }

  function nextIndex() {
    var max = -1;
    list.querySelectorAll("[name^='draw-']").forEach(function (el) {
      var m = /^draw-(\d+)-/.exec(el.name);
      if (m) { max = Math.max(max, parseInt(m[1], 10)); }
    });
    return max + 1;
  }

  function addRow() {
    var all = rows();
    var source = all[all.length - 1];
    var row = source.cloneNode(true);
    var index = nextIndex();
    row.classList.remove("has-error");
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    row.querySelectorAll("input, select").forEach(function (el) {
      el.name = el.name.replace(/^draw-\d+-/, "draw-" + index + "-");
      el.id = el.id.replace(/^draw-\d+-/, "draw-" + index + "-");
      el.removeAttribute("aria-invalid");
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
    });
    list.appendChild(row);
    updateRemoveButtons();
    updateTotal();
    row.querySelector("select").focus();
  }

  box.addEventListener("input", updateTotal);
  box.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-draw-remove]");
    if (remove && rows().length > 1) {
      remove.closest("[data-draw-row]").remove();
      updateRemoveButtons();
      updateTotal();
    }
  });
  addButton.hidden = false;
  addButton.addEventListener("click", addRow);
  updateRemoveButtons();
  updateTotal();
}());
