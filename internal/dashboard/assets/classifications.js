// The classification form's script: "Add category" and "Remove" rows.
// Rows keep plain indexed names (categories.3.name); the server reads them
// in index order and ignores gaps. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("classification-form");
  if (!form) return;
  var list = document.getElementById("categories");
  var tpl = document.getElementById("category-row-template");
  var add = document.getElementById("add-category");
  var max = parseInt(form.getAttribute("data-max-categories"), 10) || 50;
  var rows = function () { return list.querySelectorAll(".category-row").length; };
  var firstInput = function (row) { return row.querySelector('input[type="text"]'); };
  function sync() { add.disabled = rows() >= max; }

  add.addEventListener("click", function () {
    if (rows() >= max) return;
    var next = parseInt(list.getAttribute("data-next"), 10) || 0;
    list.setAttribute("data-next", next + 1);
    var name = "categories." + next;
    var row = tpl.content.firstElementChild.cloneNode(true);
    row.setAttribute("data-name", name);
    row.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace("__NAME__", name);
    });
    list.appendChild(row);
    firstInput(row).focus();
    sync();
  });
  list.addEventListener("click", function (e) {
    var btn = e.target.closest("button.remove-category");
    if (!btn) return;
    var row = btn.closest(".category-row");
    var focus = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    (focus ? firstInput(focus) : add).focus();
    sync();
  });
  sync();
})();
