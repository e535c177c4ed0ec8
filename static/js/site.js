/* conceptbook: the reader's small comforts. No framework, works from file://. */
(function () {
  "use strict";
  var root = document.documentElement;

  // Theme: follows the system until the reader picks one; the choice is remembered.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var dark = root.dataset.theme
        ? root.dataset.theme === "dark"
        : window.matchMedia("(prefers-color-scheme: dark)").matches;
      root.dataset.theme = dark ? "light" : "dark";
      try { localStorage.setItem("conceptbook-theme", root.dataset.theme); } catch (e) { /* private mode */ }
    });
  }

  // The concept tree as a drawer on narrow screens, over a backdrop; Esc or a tap outside
  // it closes it. The drawer opens the top bar's links too (the bar has no room for them
  // there): copied from the bar here rather than written twice into every page, as the
  // drawer only opens with this script.
  var menu = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
    var topLinks = document.querySelector(".top-links");
    if (topLinks && !sidebar.querySelector(".drawer-links")) {
      var drawerLinks = document.createElement("ul");
      drawerLinks.className = "drawer-links";
      Array.prototype.forEach.call(topLinks.querySelectorAll("a"), function (a) {
        var li = document.createElement("li");
        li.appendChild(a.cloneNode(true));
        drawerLinks.appendChild(li);
      });
      sidebar.insertBefore(drawerLinks, sidebar.firstChild);
    }
    var backdrop = document.createElement("div");
    backdrop.className = "drawer-backdrop";
    backdrop.setAttribute("aria-hidden", "true");
    document.body.appendChild(backdrop);
    var setOpen = function (open) {
      document.body.classList.toggle("nav-open", open);
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    };
    var isOpen = function () { return document.body.classList.contains("nav-open"); };
    menu.addEventListener("click", function () { setOpen(!isOpen()); });
    document.addEventListener("click", function (e) {
      if (isOpen() && !sidebar.contains(e.target) && !menu.contains(e.target)) setOpen(false);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !isOpen()) return;
      var inside = sidebar.contains(document.activeElement);
      setOpen(false);
      if (inside) menu.focus();
    });
  }

  // ← / → move to the previous / next note, unless the reader is typing.
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector('a[rel="' + rel + '"]');
    if (link) { location.href = link.href; }
  });

  // Keep the current note visible in a long tree: scroll the tree, never the page (a
  // scrollIntoView would move the page too, hiding the note's title under the top bar).
  var side = document.getElementById("sidebar");
  var current = side && side.querySelector(".current > a");
  if (current && side.scrollHeight > side.clientHeight) {
    var top = current.getBoundingClientRect().top - side.getBoundingClientRect().top + side.scrollTop;
    side.scrollTop = Math.max(0, top - (side.clientHeight - current.offsetHeight) / 2);
  }

  // The note's neighbourhood, top to bottom for a phone: drawn here from the drawing across
  // that the page carries (the boxes left of the note, parent and backlinks, above it; those
  // right of it, children and related notes, below), with the geometry graphmap.rs uses
  // for the drawing across. Without JavaScript the drawing across scrolls sideways.
  var across = document.querySelector(".nb-scroll > .nb-svg");
  var me = across && across.querySelector("a.node.self");
  if (me) {
    var NS = "http://www.w3.org/2000/svg", ROW = 32, BOX = 26, INDENT = 40, PAD = 10;
    var num = function (v) { return String(Math.round(v * 10) / 10); };
    var attr = function (e, name) { return parseFloat(e.getAttribute(name)); };
    var meX = attr(me.querySelector("rect"), "x");
    var boxes = [].slice.call(across.querySelectorAll("a.node:not(.self)")).map(function (a) {
      var r = a.querySelector("rect");
      return { a: a, x: attr(r, "x"), y: attr(r, "y"), w: attr(r, "width"), kind: a.classList[1] };
    });
    var byY = function (p, q) { return p.y - q.y; };
    var above = boxes.filter(function (b) { return b.x < meX; }).sort(byY);
    var below = boxes.filter(function (b) { return b.x > meX; }).sort(byY);
    var meW = attr(me.querySelector("rect"), "width");
    var width = INDENT + Math.max.apply(null, boxes.map(function (b) { return b.w; }).concat(meW)) + 4;
    var height = (above.length + 1 + below.length) * ROW + 8;
    var meY = 4 + above.length * ROW + ROW / 2;
    var down = document.createElementNS(NS, "svg");
    down.setAttribute("class", "nb-svg nb-vertical");
    down.setAttribute("width", num(width));
    down.setAttribute("height", num(height));
    down.setAttribute("viewBox", "0 0 " + num(width) + " " + num(height));
    down.setAttribute("role", "group");
    down.setAttribute("aria-label", across.getAttribute("aria-label"));
    var place = function (a, x, y, w, h, textX, textY) {
      var copy = a.cloneNode(true), r = copy.querySelector("rect"), t = copy.querySelector("text");
      [["x", x], ["y", y], ["width", w], ["height", h]].forEach(function (p) { r.setAttribute(p[0], num(p[1])); });
      t.setAttribute("x", num(textX));
      t.setAttribute("y", num(textY));
      return copy;
    };
    var nodes = [];
    above.concat(below).forEach(function (b, k) {
      var row = k < above.length ? k : k + 1;
      var yc = 4 + row * ROW + ROW / 2;
      var bend = INDENT - 6 - Math.min(Math.abs(yc - meY) * 0.16, INDENT - 10);
      var path = document.createElementNS(NS, "path");
      path.setAttribute("class", "e-" + b.kind);
      path.setAttribute("d", "M" + num(INDENT) + " " + num(yc) + "C" + num(bend) + " " + num(yc) + " " + num(bend) + " " + num(meY) + " " + num(INDENT) + " " + num(meY));
      down.appendChild(path);
      nodes.push(place(b.a, INDENT, yc - BOX / 2, b.w, BOX, INDENT + PAD, yc));
    });
    nodes.forEach(function (n) { down.appendChild(n); });
    down.appendChild(place(me, INDENT, meY - BOX / 2 - 2, meW, BOX + 4, INDENT + PAD + 2, meY));
    across.parentNode.appendChild(down);
  }

  // "/" focuses the search box, which says so only where there is a keyboard to press it.
  var q = document.getElementById("q");
  if (q && q.dataset.hintTouch && window.matchMedia("(hover: none), (pointer: coarse), (max-width: 560px)").matches) {
    q.placeholder = q.dataset.hintTouch;
  }
})();
