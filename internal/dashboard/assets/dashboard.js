// Shows <time datetime> values in the viewer's time zone (the server
// renders UTC) and asks before submitting forms marked data-confirm.
document.querySelectorAll("time[datetime]").forEach(function (t) {
  var d = new Date(t.getAttribute("datetime"));
  if (isNaN(d)) return;
  t.title = t.textContent;
  t.textContent = d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
});
document.querySelectorAll("form[data-confirm]").forEach(function (f) {
  f.addEventListener("submit", function (e) {
    if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
  });
});
