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

  // The concept tree from shared files (book.toml's [build] sidebar = "shared", which a large
  // site gets): the page carries only a pointer (<script type="application/json"
  // id="nav-data">, see src/render/sidebar.rs) and a short fallback, a link to every root.
  // The levels of the tree are in nav/<k>.js, chunk c of the level below a note under
  // "<slug>/<c>" (the roots under "/<c>") in the file of that key's FNV-1a bucket;
  // each file is loaded once, with a <script> element so that this works from file://.
  // The tree is built as Renderer::tree writes it inline, the same markup; it replaces the
  // fallback once every file it needs has come, and a file that fails leaves the fallback.
  (function () {
    var side = document.getElementById("sidebar");
    var holder = document.getElementById("nav-data");
    var fallback = side && side.querySelector(".nav-fallback");
    if (!holder || !fallback) return;
    var P;
    try { P = JSON.parse(holder.textContent); } catch (e) { return; }
    if (!P || typeof P.page !== "string" || !(P.files > 0) || !(P.roots >= 0) || !P.cap || !P.path) return;
    var CAP = P.cap[0], SMALL = P.cap[1], CHUNK = P.cap[2];
    var path = P.path, current = path.length ? path[path.length - 1][0] : null;
    // A deep note's path leaves levels out below its root: gap = [the nearest of them, its
    // number of children, the "…" link's name], and path[1] is one of its children.
    var gap = Array.isArray(P.gap) && P.gap.length === 3 && path.length > 1 ? P.gap : null;
    var parentAt = function (depth) { return depth === 0 ? "" : depth === 1 && gap ? gap[0] : path[depth - 1][0]; };
    var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
    var onPath = {};
    path.forEach(function (p) { onPath[p[0]] = true; });
    var levels = {}, moreText = null, files = {}, pending = 0, need = {}, done = false;
    window.conceptbookNav = function (d) {
      if (!d || typeof d !== "object") return;
      if (typeof d.more === "string") moreText = d.more;
      var l = d.levels || {};
      for (var k in l) if (own(l, k)) levels[k] = l[k];
    };

    // The href from this page to a file of the site, as RelPath::href_to writes it.
    var fromDirs = P.page.split("/").filter(Boolean).slice(0, -1);
    function rel(target) {
      var hash = target.indexOf("#"), frag = hash < 0 ? "" : target.slice(hash);
      var to = (hash < 0 ? target : target.slice(0, hash)).split("/").filter(Boolean);
      var common = 0;
      while (common < fromDirs.length && common < to.length && fromDirs[common] === to[common]) common++;
      var up = "";
      for (var i = common; i < fromDirs.length; i++) up += "../";
      return up + to.slice(common).join("/") + frag;
    }

    function bucket(key) {
      var h = 2166136261;
      for (var i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
      return h % P.files;
    }

    // Chunk of a level holding entry i, or null (noted in need) while its file has not come.
    function chunk(parent, i) {
      var key = parent + "/" + Math.floor(i / CHUNK);
      if (own(levels, key)) return levels[key];
      need[key] = true;
      return null;
    }

    // Appends to ul the level below parent ("" for the roots), of len entries, whose note on
    // the path is path[depth] if any; as Renderer::tree_level. False while data is missing.
    function level(ul, parent, len, depth, showAll) {
      var member = depth < path.length && parentAt(depth) === parent ? path[depth] : null;
      var full = showAll || len <= SMALL || (member !== null && member[0] === current);
      var start = 0, end = 0, ok = true;
      if (!full) {
        if (member) { start = member[1]; end = start + 1; }
      } else if (len <= CAP) {
        end = len;
      } else {
        start = Math.min(Math.max((member ? member[1] : 0) - Math.floor(CAP / 2), 0), len - CAP);
        end = start + CAP;
      }
      for (var i = start; i < end; i++) {
        var c = chunk(parent, i), e = c && c.e && c.e[i % CHUNK];
        if (!e) { ok = false; continue; }
        var slug = e[0], kids = e[2] || 0, isCurrent = slug === current;
        var open = kids > 0 && (own(onPath, slug) || (current === null && parent === ""));
        var li = document.createElement("li"), classes = [];
        if (isCurrent) classes.push("current");
        if (kids > 0) classes.push(open ? "branch open" : "branch");
        if (classes.length) li.className = classes.join(" ");
        var a = document.createElement("a");
        a.setAttribute("href", rel(slug + ".html"));
        if (isCurrent) a.setAttribute("aria-current", "page");
        a.textContent = e[1];
        li.appendChild(a);
        if (open && gap && depth === 0 && slug === path[0][0]) {
          var outer = document.createElement("ul"), gli = document.createElement("li");
          var ga = document.createElement("a"), inner = document.createElement("ul");
          gli.className = "gap";
          ga.setAttribute("href", rel(gap[0] + ".html"));
          ga.setAttribute("aria-label", gap[2]);
          ga.setAttribute("title", gap[2]);
          ga.textContent = "\u2026";
          gli.appendChild(ga);
          if (!level(inner, gap[0], gap[1], 1, false)) ok = false;
          gli.appendChild(inner);
          outer.appendChild(gli);
          li.appendChild(outer);
        } else if (open) {
          var sub = document.createElement("ul");
          if (!level(sub, slug, kids, depth + 1, isCurrent)) ok = false;
          li.appendChild(sub);
        }
        ul.appendChild(li);
      }
      if (full && len > end - start) {
        var first = chunk(parent, start);
        if (!first) return false;
        if (typeof first.more !== "string" || moreText === null) { done = true; return false; }
        var mli = document.createElement("li"), ma = document.createElement("a");
        mli.className = "more";
        ma.setAttribute("href", rel(first.more));
        ma.textContent = moreText.split("{n}").join(String(len - (end - start)));
        mli.appendChild(ma);
        ul.appendChild(mli);
      }
      return ok;
    }

    // Builds the tree from what has come; asks for the files still needed, or, when all
    // have come, puts the tree in place of the fallback.
    function attempt() {
      if (done) return;
      need = {};
      var tree = document.createElement("ul");
      if (level(tree, "", P.roots, 0, true)) {
        done = true;
        side.replaceChild(tree, fallback);
        if (holder.parentNode) holder.parentNode.removeChild(holder);
        showCurrent(side);
        return;
      }
      var asked = false;
      Object.keys(need).sort().forEach(function (key) {
        var k = bucket(key);
        if (own(files, k)) return;
        files[k] = true;
        asked = true;
        pending++;
        var s = document.createElement("script");
        s.src = rel("nav/" + k + ".js");
        s.async = true;
        s.addEventListener("load", function () { if (--pending === 0) attempt(); });
        s.addEventListener("error", function () { done = true; });
        document.head.appendChild(s);
      });
      // Every file it needs has come and still lacks a level: keep the fallback.
      if (!asked && pending === 0) done = true;
    }
    attempt();
  })();

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
  showCurrent(document.getElementById("sidebar"));
  function showCurrent(side) {
    var current = side && side.querySelector(".current > a");
    if (current && side.scrollHeight > side.clientHeight) {
      var top = current.getBoundingClientRect().top - side.getBoundingClientRect().top + side.scrollTop;
      side.scrollTop = Math.max(0, top - (side.clientHeight - current.offsetHeight) / 2);
    }
  }

  // The note's neighbourhood, drawn here from the page's own lists: the parent (the
  // breadcrumbs' last link), children, related notes and backlinks, each capped with a `+N`
  // box leading to its list; the counts come in `data-counts`. Drawn twice: across, and top
  // to bottom for a phone. Boxes are sized and labels
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
    var more = function (n) { return section.dataset.more.split("{n}").join(n); };
    var links = function (selector) { return [].slice.call(document.querySelectorAll(selector)); };
    var crumbs = links(".breadcrumbs a");
    // Up to `cap` boxes of one kind; past it, cap - 1 and a `+N` box to the list. Never more
    // links than the count (a note.html of the site's own may have more, such as breadcrumbs
    // that start at home), and no `+N` box for a list the page does not have.
    var items = function (kind, cap, found, total, anchor) {
      var out = found.slice(0, Math.min(total, total > cap ? cap - 1 : cap)).map(function (a) {
        var title = a.textContent, f = fit(title, FONT, MAX);
        return { kind: kind, label: f[0], title: f[1] ? title : null, href: a.getAttribute("href") };
      });
      if (total > out.length && anchor && document.getElementById(anchor)) {
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
    var heading = section.querySelector("h2");
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
      viewBox: "0 0 " + num(width) + " " + num(height), role: "group", "aria-label": heading ? heading.textContent : "" });
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
    // The same drawing top to bottom, which a phone shows instead (CSS): the boxes left of
    // the note (parent and backlinks) above it, those right of it (children and related
    // notes) below, each joined to the note by a curve on the left.
    var INDENT = 40, meY = 4 + left.length * ROW + ROW / 2;
    var downW = INDENT + Math.max(lw, rw, cw) + 4, downH = (left.length + 1 + right.length) * ROW + 8;
    var down = svgEl("svg", { "class": "nb-svg nb-vertical", width: num(downW), height: num(downH),
      viewBox: "0 0 " + num(downW) + " " + num(downH), role: "group", "aria-label": svg.getAttribute("aria-label") });
    nodes = [];
    left.concat(right).forEach(function (item, k) {
      var yc = 4 + (k < left.length ? k : k + 1) * ROW + ROW / 2;
      var bend = INDENT - 6 - Math.min(Math.abs(yc - meY) * 0.16, INDENT - 10);
      down.appendChild(svgEl("path", { "class": "e-" + item.kind,
        d: "M" + num(INDENT) + " " + num(yc) + "C" + num(bend) + " " + num(yc) + " " + num(bend) + " " + num(meY) + " " + num(INDENT) + " " + num(meY) }));
      nodes.push(node(item, item.kind + (item.more ? " more" : ""), INDENT, yc - BOX / 2, boxW(item), BOX, 6, INDENT + PAD, yc));
    });
    nodes.forEach(function (n) { down.appendChild(n); });
    down.appendChild(node(center, "self", INDENT, meY - BOX / 2 - 2, cw, BOX + 4, 7, INDENT + PAD + 2, meY));
    var scroll = document.createElement("div");
    scroll.className = "nb-scroll";
    scroll.appendChild(svg);
    scroll.appendChild(down);
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
    section.insertBefore(legend, heading ? heading.nextSibling : section.firstChild);
    section.insertBefore(scroll, legend);
    section.classList.add("drawn");
  }

  // "/" focuses the search box, which says so only where there is a keyboard to press it.
  var q = document.getElementById("q");
  if (q && q.dataset.hintTouch && window.matchMedia("(hover: none), (pointer: coarse), (max-width: 560px)").matches) {
    q.placeholder = q.dataset.hintTouch;
  }
})();
