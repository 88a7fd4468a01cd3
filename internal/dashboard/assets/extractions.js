// The extraction pages' script: the schema form's field rows and its JSON
// view, the upload drop zone with its progress bar, and the batch page's
// live status. The classification pages use its upload drop zone and live
// status too (their rows' [data-cell]s). Every page works without it; it
// only makes them nicer.
(function () {
  "use strict";

  // ---- Schema form -------------------------------------------------------

  var form = document.getElementById("schema-form");
  if (form) schemaForm(form);

  function schemaForm(form) {
    var maxDepth = parseInt(form.getAttribute("data-max-depth"), 10) || 3;
    var tpl = document.getElementById("field-row-template");
    var nests = function (t) { return t === "object" || t === "list<object>"; };

    // addRow appends a blank row to list, and focuses its key when asked.
    function addRow(list, focus) {
      var depth = parseInt(list.getAttribute("data-depth"), 10);
      var next = parseInt(list.getAttribute("data-next"), 10) || 0;
      list.setAttribute("data-next", next + 1);
      var name = list.getAttribute("data-prefix") + "." + next;
      var row = tpl.content.firstElementChild.cloneNode(true);
      row.setAttribute("data-depth", depth);
      row.setAttribute("data-name", name);
      row.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace("__NAME__", name);
      });
      var inner = row.querySelector(".field-list");
      inner.setAttribute("data-prefix", name + ".fields");
      inner.setAttribute("data-depth", depth + 1);
      if (depth >= maxDepth) {
        var b = row.querySelector(".nested .add-field");
        if (b) b.remove();
      }
      list.appendChild(row);
      if (focus) row.querySelector("input").focus();
      changed();
      return row;
    }

    // showNested shows the nested fields of an object row and hides (and
    // disables, so they are not sent) those of any other type.
    function showNested(row) {
      var nested = row.querySelector(".nested");
      var on = nests(row.querySelector(".field-type").value);
      nested.hidden = !on;
      nested.querySelectorAll("input, select").forEach(function (el) { el.disabled = !on; });
      var list = nested.querySelector(".field-list");
      if (on && !list.querySelector(".field-row") && parseInt(row.getAttribute("data-depth"), 10) < maxDepth) addRow(list);
    }

    form.addEventListener("click", function (e) {
      var btn = e.target.closest("button");
      if (!btn) return;
      if (btn.classList.contains("add-field")) {
        var list = btn.getAttribute("data-list") ? document.getElementById(btn.getAttribute("data-list")) : btn.previousElementSibling;
        addRow(list, true);
      } else if (btn.classList.contains("remove-field")) {
        var row = btn.closest(".field-row");
        var focus = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        changed();
        if (focus) focus.querySelector("input").focus();
      }
    });
    form.addEventListener("change", function (e) {
      if (e.target.classList.contains("field-type")) showNested(e.target.closest(".field-row"));
    });
    form.querySelectorAll(".field-row").forEach(function (row) {
      if (!nests(row.querySelector(".field-type").value)) showNested(row);
    });

    // The JSON view: tabs, and the form copied into it when shown.
    var tabs = document.getElementById("schema-tabs");
    var jsonPanel = document.getElementById("schema-json-panel");
    var formPanel = document.getElementById("schema-form-panel");
    var textarea = document.getElementById("schema-json");
    var formDirty = false;
    function changed() { formDirty = true; }
    form.addEventListener("input", changed);
    tabs.hidden = false;
    function select(json) {
      if (json && formDirty) {
        textarea.value = JSON.stringify(formDocument(), null, 2);
        formDirty = false;
      }
      jsonPanel.hidden = !json;
      formPanel.hidden = json;
      document.getElementById("tab-json").setAttribute("aria-selected", json);
      document.getElementById("tab-form").setAttribute("aria-selected", !json);
    }
    document.getElementById("tab-form").addEventListener("click", function () { select(false); });
    document.getElementById("tab-json").addEventListener("click", function () { select(true); });
    // Arrow keys move between the two tabs, as in any tab list.
    tabs.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      var json = document.getElementById("tab-form") === document.activeElement;
      select(json);
      document.getElementById(json ? "tab-json" : "tab-form").focus();
      e.preventDefault();
    });
    select(jsonPanel.getAttribute("data-active") === "true");

    // formDocument is the form as the API's JSON body.
    function formDocument() {
      var v = function (n) { var el = form.elements[n]; return el ? el.value : ""; };
      var doc = { name: v("name"), description: v("description"), language: v("language") };
      var t = parseFloat(v("review_threshold"));
      if (!isNaN(t)) doc.review_threshold = t;
      doc.options = {
        ocr_priority: form.elements.ocr_priority.checked,
        infer_missing: form.elements.infer_missing.checked,
        strict_format: form.elements.strict_format.checked
      };
      doc.fields = rowsOf(document.getElementById("fields"));
      return doc;
    }
    function rowsOf(list) {
      var out = [];
      Array.prototype.forEach.call(list.children, function (row) {
        if (!row.classList.contains("field-row")) return;
        var val = function (suffix) { return row.querySelector('[name$=".' + suffix + '"]').value.trim(); };
        var f = { key: val("key"), type: val("type") };
        if (val("description")) f.description = val("description");
        var ex = val("example");
        if (ex) {
          if (f.type === "string" || f.type === "date" || f.type === "datetime") f.example = ex;
          else { try { f.example = JSON.parse(ex); } catch (err) { f.example = ex; } }
        }
        if (nests(f.type)) f.fields = rowsOf(row.querySelector(".field-list"));
        if (f.key || f.description || f.example !== undefined || f.fields || f.type !== "string") out.push(f);
      });
      return out;
    }
  }

  // ---- Upload ------------------------------------------------------------

  var upForm = document.getElementById("upload-form");
  if (upForm) uploader(upForm);

  function uploader(upForm) {
    var zone = document.getElementById("upload-zone");
    var input = document.getElementById("upload-input");
    var progress = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var errorBox = document.getElementById("upload-error");
    var list = document.getElementById("upload-files");
    var maxFiles = parseInt(upForm.getAttribute("data-max-files"), 10);
    var maxSize = parseInt(upForm.getAttribute("data-max-file-size"), 10);
    var maxSizeText = upForm.getAttribute("data-max-file-size-text");
    var token = upForm.elements.csrf_token.value;
    var busy = false;

    // With the script, choosing or dropping files uploads them at once.
    document.getElementById("upload-submit-row").hidden = true;
    zone.classList.add("live");

    function fail(msg) {
      errorBox.textContent = msg;
      errorBox.hidden = false;
      progress.hidden = true;
      status.textContent = "";
      setBusy(false);
    }
    function setBusy(on) {
      busy = on;
      zone.classList.toggle("busy", on);
      input.disabled = on;
    }

    function upload(files) {
      if (busy || !files.length) return;
      errorBox.hidden = true;
      if (files.length > maxFiles) {
        return fail("Too many files: a batch holds at most " + maxFiles + " files, and you chose " + files.length + ". Upload the others in another batch.");
      }
      for (var i = 0; i < files.length; i++) {
        if (files[i].size > maxSize) {
          return fail("“" + files[i].name + "” is larger than " + maxSizeText + ", the most one file may be. Nothing was uploaded.");
        }
      }
      list.textContent = "";
      files.forEach(function (f) {
        var li = document.createElement("li");
        li.textContent = f.name;
        list.appendChild(li);
      });
      list.hidden = false;

      var data = new FormData();
      data.append("csrf_token", token);
      data.append("name", upForm.elements.name.value);
      files.forEach(function (f) { data.append("files", f, f.name); });

      var xhr = new XMLHttpRequest();
      xhr.open("POST", upForm.action);
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        progress.removeAttribute("hidden");
        progress.value = Math.round(e.loaded / e.total * 100);
        status.textContent = "Uploading " + files.length + (files.length === 1 ? " file… " : " files… ") + progress.value + "%";
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { /* not JSON: a proxy's page */ }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.url) {
          progress.value = 100;
          status.textContent = "Uploaded. Opening the batch…";
          window.location.assign(body.url);
          return;
        }
        fail(body && body.error ? body.error : "The upload failed (HTTP " + xhr.status + "). Reload the page and try again.");
      });
      xhr.addEventListener("error", function () {
        fail("The upload did not reach the server. Check your connection and try again.");
      });
      setBusy(true);
      progress.value = 0;
      progress.hidden = false;
      status.textContent = "Uploading…";
      xhr.send(data);
    }

    input.addEventListener("change", function () {
      upload(Array.prototype.slice.call(input.files));
      input.value = "";
    });
    upForm.addEventListener("submit", function (e) {
      e.preventDefault();
      upload(Array.prototype.slice.call(input.files));
    });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) {
        e.preventDefault();
        if (!busy) zone.classList.add("over");
      });
    });
    zone.addEventListener("dragleave", function (e) {
      if (!zone.contains(e.relatedTarget)) zone.classList.remove("over");
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer) upload(Array.prototype.slice.call(e.dataTransfer.files));
    });
    // A file dropped beside the zone must not replace the page.
    window.addEventListener("dragover", function (e) { e.preventDefault(); });
    window.addEventListener("drop", function (e) { e.preventDefault(); });
  }

  // retryAfter is the wait a 429 answer asks for, in milliseconds (at least
  // 1 s, at most a minute).
  function retryAfter(r) {
    var s = parseInt(r.headers.get("Retry-After"), 10);
    if (!(s > 0)) s = 5;
    return Math.min(s, 60) * 1000;
  }

  // watch polls the live status at url every ms until an answer is
  // terminal, and hands each answer to draw. A 429 answer waits as it
  // asks, which is not a failure; after five failures in a row it stops
  // and calls giveUp, when there is one.
  function watch(url, every, draw, giveUp) {
    var failures = 0;
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          if (r.status === 429) throw { retryAfter: retryAfter(r) };
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (b) {
          failures = 0;
          draw(b);
          if (!b.terminal) setTimeout(poll, every);
        })
        .catch(function (e) {
          if (e && e.retryAfter) setTimeout(poll, e.retryAfter);
          else if (++failures < 5) setTimeout(poll, every);
          else if (giveUp) giveUp();
        });
    }
    setTimeout(poll, every);
  }

  // ---- Batch lists: running batches update live ----------------------------

  document.querySelectorAll('#batch-list tr[data-terminal="false"]').forEach(function (row) {
    var badgeEl = row.querySelector(".badge");
    var doneEl = row.querySelector('[data-cell="done"]');
    watch(row.getAttribute("data-status-url"), 3000, function (b) {
      badgeEl.className = "badge status-" + b.status;
      badgeEl.textContent = b.status.replace(/_/g, " ");
      if (doneEl) doneEl.textContent = b.done_text;
      row.setAttribute("data-terminal", String(b.terminal));
    });
  });

  // ---- Batch page: live status --------------------------------------------

  var batch = document.getElementById("batch");
  if (batch && batch.getAttribute("data-terminal") !== "true") follow(batch);

  function follow(batch) {
    var url = batch.getAttribute("data-status-url");
    var statusEl = document.getElementById("batch-status");
    var progress = document.getElementById("batch-progress");
    var live = document.getElementById("batch-live");
    var text = function (s) { return s.replace(/_/g, " "); };
    var badge = function (el, s) {
      el.className = el.className.replace(/\bstatus-[a-z_]+/, "") + " status-" + s;
      el.className = el.className.replace(/\s+/g, " ").trim();
      el.textContent = text(s);
    };

    function draw(b) {
      badge(statusEl, b.status);
      statusEl.setAttribute("data-status", b.status);
      progress.max = b.file_count;
      progress.value = b.done;
      Object.keys(b.counts).forEach(function (k) {
        var el = batch.querySelector('[data-count="' + k + '"]');
        if (el) el.textContent = b.counts[k];
      });
      b.files.forEach(function (f) {
        var row = batch.querySelector('tr[data-file-id="' + f.id + '"]');
        if (!row) return;
        badge(row.querySelector(".file-status"), f.status);
        var pages = row.querySelector(".file-pages");
        if (pages) pages.textContent = f.page_count;
        var cell = row.querySelector(".file-error");
        if (f.error && cell) {
          cell.textContent = "";
          var code = document.createElement("code");
          code.textContent = f.error.code;
          cell.appendChild(code);
          cell.appendChild(document.createTextNode(" " + f.error.message));
        }
        // A page's own cells (a classification file's category,
        // confidence...): text, or a link, an empty one hidden; or the
        // choice of a select.
        Object.keys(f.cells || {}).forEach(function (k) {
          var el = row.querySelector('[data-cell="' + k + '"]');
          if (!el) return;
          var v = f.cells[k];
          if (el.tagName === "SELECT") {
            el.value = v || "";
            return;
          }
          el.textContent = "";
          if (v && v.href) {
            var a = document.createElement("a");
            a.href = v.href;
            a.textContent = v.text;
            el.appendChild(a);
          } else {
            el.textContent = v || "";
          }
          el.hidden = !v;
        });
      });
      if (b.terminal) {
        live.textContent = "Finished";
        if (b.completed_at) {
          var t = document.createElement("time");
          t.setAttribute("datetime", b.completed_at);
          t.textContent = new Date(b.completed_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
          live.appendChild(document.createTextNode(" "));
          live.appendChild(t);
        }
        live.appendChild(document.createTextNode("."));
        batch.setAttribute("data-terminal", "true");
      }
    }

    watch(url, 2000, draw, function () {
      live.textContent = "Live updates stopped: the server did not answer. Reload the page to see the latest status.";
    });
  }
})();
