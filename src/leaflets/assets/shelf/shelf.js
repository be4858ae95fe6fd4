/* The shelf page's rows, search and views. Plain script, no request: works from file:// too.
 *
 * The rows come as data (#shelf-data): each row's HTML and search text once, and for each view
 * the rows of each group. The first screen is drawn at once and the rest in slices between
 * frames, so 9,000 rows neither delay the first screen nor block typing; the search runs on
 * the data, so its count is right before every row is drawn. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var data = JSON.parse(document.getElementById("shelf-data").textContent);
  var strings = data.strings;
  var input = document.getElementById("q");
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  var switcher = document.querySelector(".views");
  var buttons = switcher.querySelectorAll("button");
  var total = data.rows.length;
  var SLICE = 400; // rows drawn or brought up to date per step
  var FIRST = 200; // rows brought up to date before the answer to a key press is painted
  var number;
  try { number = new Intl.NumberFormat(root.lang); } catch (e) { number = new Intl.NumberFormat(); }

  // The same folding as shelf.py's fold(): lower case, no accents, words split on the rest.
  function foldText(text) {
    return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
      .replace(/ß/g, "ss").replace(/ı/g, "i").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  var views = {};
  Array.prototype.forEach.call(document.querySelectorAll(".view"), function (view) {
    var sections = view.querySelectorAll(".group");
    var groups = data.views[view.id].map(function (rows, i) {
      var el = sections[i];
      var entry = view.querySelector('.toc li[data-g="' + el.id + '"]');
      return { el: el, list: el.querySelector("ul.rows"), entry: entry, n: entry && entry.querySelector(".n"),
               rows: rows, items: null, shown: null, count: rows.length };
    });
    views[view.id] = { el: view, groups: groups, drawn: 0 };
  });
  var current = "by-leaflet";
  var match = new Uint8Array(total).fill(1);
  var query = "";

  // One row's HTML from its data (see _encode_rows in shelf.py for the fields).
  var STATUSES = ["ready", "draft", "withdrawn", "missing"];
  var T = data.t;
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function rowHtml(i) {
    var r = data.rows[i], status = STATUSES[r[1]], said = strings.status[status];
    var title = T[r[3]], source = T[r[6]], edition = T[r[9]];
    var linked = status === "ready" || status === "draft";
    var label = fill(strings.label, {
      leaflet: title === source ? title : title + " (" + source + ")",
      language: T[r[8]], edition: edition, format: r[11] ? "HTML" : "PDF", status: said
    });
    var html = '<li class="doc s-' + status + '"><div class="head">';
    if (status === "ready") {
      html += '<span class="st"><span aria-hidden="true">✓ </span>' + esc(said) + "</span>";
    } else {
      html += '<details class="st" data-r="' + r[2] + '"><summary><span aria-hidden="true">' +
        (status === "draft" ? "⚠ " : "⛔ ") + "</span>" + esc(said) + ' <span class="why-hint">' +
        esc(strings.why) + '</span></summary><ul class="why" lang="en"></ul></details>';
    }
    var name = '<span lang="' + esc(T[r[4]]) + '" dir="' + (r[5] ? "rtl" : "ltr") + '">' + esc(title) + "</span>";
    html += " " + (linked
      ? '<a class="doc-link" href="' + esc(r[0]) + '" aria-label="' + esc(label) + '">' + name + "</a>"
      : '<span class="doc-link gone">' + name + "</span>") + "</div>";
    if (title !== source) {
      html += '<p class="src"><span lang="' + strings.sourceLang + '" dir="' + strings.sourceDir + '">' +
        esc(source) + "</span></p>";
    }
    html += '<p class="facts">' + T[r[7]] + " · " + esc(edition) + esc(T[r[10]]) + "</p>";
    if (linked) {
      html += '<p class="actions">' + (r[12] >= 0 ? T[r[12]] : "");
      if (!r[11]) {
        html += '<a class="print" href="' + esc(r[0]) + '" target="_blank" aria-label="' +
          esc(strings.print + ": " + label) + '">' + esc(strings.print) + "</a> ";
      }
      if (r[13]) {
        html += '<details class="qr"><summary>' + esc(strings.qr) + '</summary><img src="' + esc(r[13]) +
          '" loading="lazy" width="164" height="164" alt="' + esc(strings.qr + ": " + T[r[14]]) +
          '"><span class="url">' + esc(T[r[14]]) + "</span></details>";
      }
      html += "</p>";
    }
    return html + "</li>";
  }

  // Draw one group's rows, hiding those the current search does not match.
  function draw(group) {
    var html = new Array(group.rows.length);
    for (var i = 0; i < group.rows.length; i++) html[i] = rowHtml(group.rows[i]);
    group.list.innerHTML = html.join("");
    group.items = group.list.children;
    group.shown = new Uint8Array(group.rows.length).fill(1);
    sync(group);
    syncRows(group);
  }
  // Make a group's heading and contents entry agree with ``match``; return its matches.
  function sync(group) {
    var shown = 0;
    for (var i = 0; i < group.rows.length; i++) shown += match[group.rows[i]];
    if (shown !== group.count) {
      group.el.hidden = shown === 0;
      if (group.entry) group.entry.hidden = shown === 0;
      if (group.n) group.n.textContent = number.format(shown);
      group.count = shown;
    }
    return shown;
  }
  // Make a drawn group's rows agree with ``match``. A hidden group's rows wait until it shows.
  function syncRows(group) {
    if (!group.items || !group.count) return 0;
    for (var i = 0; i < group.rows.length; i++) {
      var m = match[group.rows[i]];
      if (group.shown[i] !== m) { group.items[i].hidden = !m; group.shown[i] = m; }
    }
    return group.rows.length;
  }
  // Rows from the top of the page first, the rest in slices between frames, so the answer to
  // each key press is on screen at once however long the list (data-synced="1" when done).
  var rowTimer = null;
  // Run ``task`` soon; ``afterPaint``: only once the browser has painted what is done so far.
  function later(task, afterPaint) {
    if (!afterPaint) { rowTimer = setTimeout(task, 0); return; }
    rowTimer = -1;
    var token = {};
    later.token = token;
    requestAnimationFrame(function () {
      if (later.token === token) rowTimer = setTimeout(task, 0);
    });
  }
  function syncRowsFrom(view, start) {
    rowTimer = null;
    var budget = start === 0 ? FIRST : SLICE, g = start;
    while (g < view.groups.length && budget > 0) budget -= syncRows(view.groups[g++]);
    if (g < view.groups.length) later(function () { syncRowsFrom(view, g); }, start === 0);
    else root.setAttribute("data-synced", "1");
  }
  var pending = null;
  function drawSome(view, budget) {
    while (view.drawn < view.groups.length && budget > 0) {
      var group = view.groups[view.drawn++];
      draw(group);
      budget -= group.rows.length;
    }
    return view.drawn < view.groups.length;
  }
  function drawRest() {
    pending = null;
    var more = drawSome(views[current], SLICE);
    for (var key in views) if (!more) more = drawSome(views[key], SLICE);
    if (more) pending = setTimeout(drawRest, 0);
    else root.setAttribute("data-drawn", "all");
  }

  // The search and view go into the address (back button, reload, a copied link), but after
  // the answer is painted: replaceState costs up to tens of milliseconds on file:// pages.
  var remembering = null;
  function rememberSoon() {
    if (remembering !== null) clearTimeout(remembering);
    remembering = setTimeout(remember, 200);
  }
  function remember() {
    if (remembering !== null) clearTimeout(remembering);
    remembering = null;
    var params = new URLSearchParams(location.search);
    if (input.value) params.set("q", input.value); else params.delete("q");
    if (current !== "by-leaflet") params.set("view", current); else params.delete("view");
    var search = params.toString();
    try {
      history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
    } catch (e) { /* a browser may refuse it for file:// pages; the box keeps its text anyway */ }
  }

  function apply() {
    var folded = foldText(input.value);
    if (folded !== query) {
      var words = folded ? folded.split(" ") : [];
      for (var i = 0; i < total; i++) {
        var text = data.search[i], ok = 1;
        for (var k = 0; k < words.length; k++) if (text.indexOf(words[k]) < 0) { ok = 0; break; }
        match[i] = ok;
      }
      query = folded;
    }
    // Only the view on screen; the other is brought up to date when it is shown.
    var shown = 0, view = views[current];
    for (var g = 0; g < view.groups.length; g++) shown += sync(view.groups[g]);
    if (rowTimer !== null) clearTimeout(rowTimer);
    later.token = null;
    root.setAttribute("data-synced", "0");
    syncRowsFrom(view, 0);
    count.textContent = query
      ? fill(strings.count, { shown: number.format(shown), total: number.format(total) })
      : fill(strings.all, { total: number.format(total) });
    none.hidden = shown > 0;
    none.textContent = shown ? "" : fill(strings.none, { query: input.value.trim() });
    rememberSoon();
  }

  function show(id) {
    if (!views[id]) return;
    current = id;
    Array.prototype.forEach.call(buttons, function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === id));
    });
    for (var key in views) views[key].el.classList.toggle("active", key === id);
    drawSome(views[id], SLICE);
    apply();
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    if (params.has("q")) input.value = params.get("q");
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var view = target && target.closest && target.closest(".view");
    show(view ? view.id : (views[params.get("view")] ? params.get("view") : current));
    if (view) { drawSome(views[view.id], Infinity); target.scrollIntoView(); }
    if (pending === null && root.getAttribute("data-drawn") !== "all") {
      pending = -1;
      requestAnimationFrame(function () { pending = setTimeout(drawRest, 0); });
    }
  }

  switcher.hidden = false;
  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-view")); });
  });
  input.addEventListener("input", apply);
  window.addEventListener("hashchange", restore);
  // Leaving before the timer ran (a link followed at once) still leaves the address right.
  window.addEventListener("pagehide", function () { if (remembering !== null) remember(); });
  // Coming back to the page (back button, restored tab): the box's text and the list agree.
  window.addEventListener("pageshow", restore);
  // The first screen is drawn and the search works: marked once the browser has painted it.
  requestAnimationFrame(function () {
    setTimeout(function () { performance.mark("shelf-first-screen"); }, 0);
  });
  restore();

  // A draft's reasons, put in the first time its status is opened.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.open || !details.hasAttribute("data-r")) return;
    var list = details.querySelector(".why");
    if (list.childElementCount) return;
    data.reasons[+details.getAttribute("data-r")].forEach(function (reason) {
      list.appendChild(document.createElement("li")).textContent = reason;
    });
  }, true);

  // Print: the PDF's own print dialogue where the browser allows it, else the PDF itself.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.print");
    if (!link || location.protocol === "file:") return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.className = "print-frame";
    frame.title = link.getAttribute("aria-label");
    frame.addEventListener("load", function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); }
      catch (e) { window.open(link.href, "_blank"); }
    });
    frame.src = link.href;
    document.body.appendChild(frame);
  });
})();
