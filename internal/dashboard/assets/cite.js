// Where a value came from: when a field that cites a place on the document
// is focused (keyboard) or pointed at (mouse), its box is drawn over the
// rendered page and the page is scrolled into view. A field's citation is
// in data-cite-page (1-based) and data-cite-box ("x0 y0 x1 y1", fractions
// of the page, origin top left), as the API's citations give it.
(function () {
  var pane = document.querySelector(".doc-pane");
  if (!pane) return;
  var mark = document.createElement("div");
  mark.className = "cite-box";
  mark.hidden = true;
  mark.setAttribute("aria-hidden", "true");
  var focused = null, shown = null;

  // show draws field's box over its page's image, in percentages of the
  // frame that holds just the image, so it stays on the words while the
  // image loads or the window is resized.
  function show(field, still) {
    var frame = pane.querySelector('.doc-page[data-page="' + field.getAttribute("data-cite-page") + '"] .page-frame');
    var box = (field.getAttribute("data-cite-box") || "").split(" ").map(Number);
    if (!frame || box.length !== 4 || box.some(isNaN)) { hide(); return; }
    shown = field;
    frame.appendChild(mark);
    mark.style.left = (box[0] * 100) + "%";
    mark.style.top = (box[1] * 100) + "%";
    mark.style.width = ((box[2] - box[0]) * 100) + "%";
    mark.style.height = ((box[3] - box[1]) * 100) + "%";
    mark.hidden = false;
    if (still) return;
    mark.scrollIntoView({ block: "center", inline: "nearest" });
    // A page not loaded yet (lazy) grows when it loads: load it now and
    // scroll again then.
    var img = frame.querySelector("img");
    if (img && !img.complete) {
      img.loading = "eager";
      img.addEventListener("load", function () {
        if (shown === field) mark.scrollIntoView({ block: "center", inline: "nearest" });
      }, { once: true });
    }
  }

  function hide() { mark.hidden = true; shown = null; }

  function cited(el) { return el && el.closest ? el.closest(".rf[data-cite-box]") : null; }

  document.addEventListener("focusin", function (e) {
    var f = cited(e.target);
    focused = f;
    if (f) show(f); else hide();
  });
  document.addEventListener("mouseover", function (e) {
    var f = cited(e.target);
    if (f && f !== shown) show(f, true);
  });
  document.addEventListener("mouseout", function (e) {
    var f = cited(e.target);
    if (f && !f.contains(e.relatedTarget) && f !== focused) {
      if (focused) show(focused, true); else hide();
    }
  });
})();

