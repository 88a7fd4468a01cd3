// The review form's list rows: "Add row" copies the list's <template> row
// with the next free index in its field names (the form still posts plain
// indexed fields, such as line_items[3].amount, which the server
// renumbers), "Remove row" drops a row. Without JavaScript the buttons stay
// hidden and a row is removed by clearing its values.
(function () {
  var form = document.querySelector("form.review-form");
  if (!form) return;
  form.querySelectorAll("[data-add-row], [data-remove-row]").forEach(function (b) { b.hidden = false; });

  function renumber(rows) {
    rows.querySelectorAll(":scope > .rf-row").forEach(function (row, i) {
      var n = row.querySelector(":scope > legend .rownum");
      if (n) n.textContent = String(i + 1);
    });
  }

  // replace swaps the placeholder for the index in every attribute of the
  // fragment's elements, nested templates' rows included.
  function replace(root, placeholder, index) {
    root.querySelectorAll("*").forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (a) {
        if (a.value.indexOf(placeholder) >= 0) el.setAttribute(a.name, a.value.split(placeholder).join(index));
      });
      if (el.tagName === "TEMPLATE") replace(el.content, placeholder, index);
    });
  }

  form.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    if (add) {
      var tpl = document.getElementById(add.getAttribute("data-add-row"));
      var rows = add.parentElement.querySelector(":scope > .rows");
      if (!tpl || !rows) return;
      var next = parseInt(add.getAttribute("data-next"), 10) || 0;
      add.setAttribute("data-next", String(next + 1));
      var row = tpl.content.cloneNode(true);
      replace(row, add.getAttribute("data-placeholder"), String(next));
      var fieldset = row.querySelector(".rf-row");
      rows.appendChild(row);
      renumber(rows);
      var first = fieldset && fieldset.querySelector("input, select, textarea");
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest("[data-remove-row]");
    if (remove) {
      var gone = remove.closest(".rf-row");
      var list = gone.parentElement;
      var addButton = list.parentElement.querySelector(":scope > [data-add-row]");
      gone.remove();
      renumber(list);
      if (addButton) addButton.focus();
    }
  });
})();
