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

  // The note's neighbourhood, drawn here from the page's own lists: the parent (the
  // breadcrumbs' last link), children, related notes and backlinks, each capped with a `+N`
  // box leading to its list; the counts come in `data-counts`. Boxes are sized and labels
  // cut with the geometry of src/graphmap.rs (text_em, fit, PAD; the caps of `cap`): change
  // them there too. The lists stay for readers without JavaScript; once the drawing is in,
  // `.drawn` hides the chips it shows (they still print).
  var NS = "http://www.w3.org/2000/svg";
  var num = function (v) { return String(Math.round(v * 10) / 10); };
  var svgEl = function (name, attrs) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  };
  var nbSection = document.querySelector("section.neighbourhood[data-counts]");
  if (nbSection) drawNeighbourhood(nbSection);

  function charEm(c) {
    var u = c.codePointAt(0);
    if ((u >= 0x1100 && u <= 0x115F) || (u >= 0x2E80 && u <= 0xA4CF) || (u >= 0xAC00 && u <= 0xD7A3) ||
        (u >= 0xF900 && u <= 0xFAFF) || (u >= 0xFE30 && u <= 0xFE4F) || (u >= 0xFF00 && u <= 0xFF60) ||
        (u >= 0xFFE0 && u <= 0xFFE6) || (u >= 0x20000 && u <= 0x3FFFD) || c === "\u2026") return 1;
    if ("ijlI.,:;'|!\u00b7".indexOf(c) >= 0) return 0.3;
    if (" ()[]-ftr/".indexOf(c) >= 0) return 0.38;
    if ("mwMW".indexOf(c) >= 0) return 0.86;
    if (c >= "A" && c <= "Z") return 0.66;
    return 0.57;
  }
  function textEm(s) {
    return Array.from(s).reduce(function (t, c) { return t + charEm(c); }, 0);
  }
  // `s` cut to fit `max` pixels at `font`, with an ellipsis; and whether it was cut.
  function fit(s, font, max) {
    if (textEm(s) * font <= max) return [s, false];
    var out = "", width = charEm("\u2026") * font, cs = Array.from(s);
    for (var i = 0; i < cs.length; i++) {
      width += charEm(cs[i]) * font;
      if (width > max) break;
      out += cs[i];
    }
    return [out + "\u2026", true];
  }

  function drawNeighbourhood(section) {
    var FONT = 13, MAX = 150, ROW = 32, BOX = 26, GAP = 44, PAD = 10;
    var counts = section.dataset.counts.split(" ").map(Number);
    var more = function (n) { return section.dataset.more.replace("{n}", n); };
    var links = function (selector) { return [].slice.call(document.querySelectorAll(selector)); };
    var crumbs = links(".breadcrumbs a");
    // Up to `cap` boxes of one kind; past it, cap - 1 and a `+N` box to the list.
    var items = function (kind, cap, found, total, anchor) {
      var out = found.slice(0, total > cap ? cap - 1 : cap).map(function (a) {
        var title = a.textContent, f = fit(title, FONT, MAX);
        return { kind: kind, label: f[0], title: f[1] ? title : null, href: a.getAttribute("href") };
      });
      if (total > out.length) {
        var hidden = total - out.length;
        out.push({ kind: kind, label: "+" + hidden, title: more(hidden), href: "#" + anchor, more: true });
      }
      return out;
    };
    var left = items("parent", 1, crumbs.slice(-1), counts[0], "")
      .concat(items("backlink", 5, links(".connections.backlinks .link-list a"), counts[3], "backlinks-h"));
    var right = items("child", 6, links(".connections.children .note-list a.note-link"), counts[1], "children-h")
      .concat(items("related", 4, links(".connections.related .link-list a"), counts[2], "related-h"));
    if (!left.length && !right.length) return;
    var h1 = document.querySelector(".note-header h1"), toMap = section.querySelector(".to-map a");
    if (!h1 || !toMap) return;
    var title = h1.textContent, f = fit(title, FONT, 190), locate = section.dataset.locate;
    var center = { label: f[0], w: textEm(f[0]) * FONT + 2 * PAD + 4, href: toMap.getAttribute("href"),
      title: f[1] ? title + ": " + locate : locate };
    var boxW = function (i) { return textEm(i.label) * FONT + 2 * PAD; };
    var colW = function (v) { return v.reduce(function (m, i) { return Math.max(m, boxW(i)); }, 0); };
    var lw = colW(left), rw = colW(right), cw = center.w;
    var rows = Math.max(left.length, right.length, 1);
    var height = rows * ROW - (ROW - BOX) + 8;
    var lx = 4, cx = left.length ? lx + lw + GAP : 4, rx = cx + cw + GAP;
    var width = right.length ? rx + rw + 4 : cx + cw + 4;
    var mid = height / 2;
    var svg = svgEl("svg", { "class": "nb-svg", width: num(width), height: num(height),
      viewBox: "0 0 " + num(width) + " " + num(height), role: "group", "aria-label": section.querySelector("h2").textContent });
    var node = function (item, kind, x, y, w, h, rxy, textX, textY) {
      var a = svgEl("a", { "class": "node " + kind, href: item.href });
      if (item.title) a.appendChild(svgEl("title", {})).textContent = item.title;
      a.appendChild(svgEl("rect", { x: num(x), y: num(y), width: num(w), height: num(h), rx: rxy }));
      a.appendChild(svgEl("text", { x: num(textX), y: num(textY) })).textContent = item.label;
      return a;
    };
    var nodes = [];
    [[left, lx, lw, true], [right, rx, rw, false]].forEach(function (col) {
      var list = col[0], x = col[1], w = col[2], onLeft = col[3];
      var top = mid - (list.length * ROW - (ROW - BOX)) / 2;
      list.forEach(function (item, k) {
        var yc = top + k * ROW + BOX / 2, bw = boxW(item);
        // Left boxes hug the middle; right ones start at the column.
        var bx = onLeft ? x + w - bw : x;
        var x1 = onLeft ? bx + bw : cx + cw, x2 = onLeft ? cx : bx, m = (x1 + x2) / 2;
        var y1 = onLeft ? yc : mid, y2 = onLeft ? mid : yc;
        svg.appendChild(svgEl("path", { "class": "e-" + item.kind,
          d: "M" + num(x1) + " " + num(y1) + "C" + num(m) + " " + num(y1) + " " + num(m) + " " + num(y2) + " " + num(x2) + " " + num(y2) }));
        nodes.push(node(item, item.kind + (item.more ? " more" : ""), bx, yc - BOX / 2, bw, BOX, 6, bx + PAD, yc));
      });
    });
    nodes.forEach(function (n) { svg.appendChild(n); });
    svg.appendChild(node(center, "self", cx, mid - BOX / 2 - 2, cw, BOX + 4, 7, cx + PAD + 2, mid));
    var scroll = document.createElement("div");
    scroll.className = "nb-scroll";
    scroll.appendChild(svg);
    // The legend: one line for each kind of link drawn.
    var legend = document.createElement("ul");
    legend.className = "map-legend";
    var has = function (kind) { return left.concat(right).some(function (i) { return i.kind === kind; }); };
    [["tree", "legendTree", has("parent") || has("child")], ["related", "legendRelated", has("related")],
      ["backlink", "legendBacklinks", has("backlink")]].forEach(function (l) {
      if (!l[2]) return;
      var li = legend.appendChild(document.createElement("li"));
      var icon = li.appendChild(svgEl("svg", { width: 34, height: 12, "aria-hidden": "true" }));
      icon.appendChild(svgEl("path", { "class": "lg-" + l[0], d: "M2 6H32" }));
      li.appendChild(document.createTextNode(section.dataset[l[1]]));
    });
    var after = section.querySelector("h2");
    section.insertBefore(legend, after.nextSibling);
    section.insertBefore(scroll, legend);
    section.classList.add("drawn");
  }

  // The same neighbourhood top to bottom for a phone, from the drawing across (the boxes
  // left of the note, parent and backlinks, above it; those right of it, children and
  // related notes, below).
  var across = document.querySelector(".nb-scroll > .nb-svg");
  var me = across && across.querySelector("a.node.self");
  if (me) {
    var ROW = 32, BOX = 26, INDENT = 40, PAD = 10;
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
