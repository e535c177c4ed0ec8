/* conceptbook link previews: hover or focus a link to another note to see its title and
   summary. A page that shows previews says where their files are (<script
   type="application/json" id="preview-data">{"src": "previews/", "buckets": N}): the
   summaries live in previews/<k>.js, k the FNV-1a hash of the slug modulo N, as the build
   computes it. A file is loaded with a <script> element the first time a link of its
   bucket is pointed at, so this works from file:// with no fetch. Mouse only for hover
   (touch and pen taps just follow the link), keyboard focus shows the preview too, and Esc
   dismisses it. Everything is written as text, never as markup. */
(function () {
  "use strict";
  var holder = document.getElementById("preview-data");
  if (!holder) return;
  var where;
  try { where = JSON.parse(holder.textContent); } catch (e) { return; }
  if (!where || typeof where.src !== "string" || !(where.buckets > 0)) return;
  var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var data = {}, files = {};
  window.conceptbookPreviews = function (d) {
    for (var k in d) if (own(d, k)) data[k] = d[k];
  };

  function bucket(slug) {
    var h = 2166136261;
    for (var i = 0; i < slug.length; i++) h = Math.imul(h ^ slug.charCodeAt(i), 16777619) >>> 0;
    return h % where.buckets;
  }

  // The <script> element of the file that holds slug's preview, loading it if need be.
  function fileOf(slug) {
    var k = bucket(slug), s = files[k];
    if (!s) {
      s = files[k] = document.createElement("script");
      s.src = where.src + k + ".js";
      s.async = true;
      // A file that failed (a network hiccup) is asked for again the next time.
      s.addEventListener("error", function () {
        if (files[k] === s) delete files[k];
        if (s.parentNode) s.parentNode.removeChild(s);
      });
      document.head.appendChild(s);
    }
    return s;
  }

  // Calls then() once the preview of slug is known: now, or when its file has loaded.
  function withData(slug, then) {
    if (own(data, slug)) { then(); return; }
    fileOf(slug).addEventListener("load", function () { if (own(data, slug)) then(); });
  }

  var tip = document.createElement("div");
  tip.className = "preview";
  tip.id = "link-preview";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  var title = document.createElement("strong");
  title.className = "preview-title";
  var summary = document.createElement("span");
  summary.className = "preview-summary";
  tip.appendChild(title);
  tip.appendChild(summary);
  document.body.appendChild(tip);

  // current: the link whose preview shows; wanted: the link whose preview should show
  // once its data is there, and whether the pointer (not the focus) asked for it.
  var current = null, wanted = null, wantedByPointer = false, showTimer = 0, hideTimer = 0;

  function linkOf(el) {
    return el && el.closest ? el.closest("a.note-link[data-slug]") : null;
  }

  // Shows a's preview, after its data has loaded if need be, unless the reader moved on.
  // Another link's preview goes meanwhile: it must not stand for a.
  function showWhenReady(a, byPointer) {
    var slug = a.getAttribute("data-slug");
    if (current && current !== a && !own(data, slug)) hide();
    wanted = a;
    wantedByPointer = byPointer;
    withData(slug, function () { if (wanted === a) show(a); });
  }

  function place(a) {
    // A box on the map is placed by its rectangle; a link wrapped over two lines, by its
    // first line.
    var shape = a.querySelector && a.querySelector("rect");
    var rects = shape ? [shape.getBoundingClientRect()] : a.getClientRects();
    var r = rects.length ? rects[0] : a.getBoundingClientRect();
    var vw = document.documentElement.clientWidth, vh = window.innerHeight;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var clampX = function (x) { return Math.max(8, Math.min(x, vw - w - 8)); };
    var left = clampX(r.left);
    var top = r.bottom + 8;
    if (top + h > vh - 8 && r.top - h - 8 > 8) top = r.top - h - 8;
    // A box on the full map reveals its related links: keep the preview off them, trying
    // below, above and beside the box, and keeping the spot that covers the fewest points
    // of the lines.
    var points = shape && revealed(a);
    if (points) {
      var topbar = document.querySelector(".topbar");
      var bar = topbar ? topbar.getBoundingClientRect().bottom : 0;
      var best = null;
      [[r.bottom + 8, r.left], [r.bottom + 8, r.right - w], [r.top - h - 8, r.left], [r.top - h - 8, r.right - w],
       [r.top, r.right + 8], [r.top, r.left - w - 8], [r.bottom - h, r.right + 8], [r.bottom - h, r.left - w - 8],
       // the window's corners, when every place near the box is crossed by lines
       [vh - h - 8, 8, 0.5], [vh - h - 8, vw - w - 8, 0.5], [bar + 8, 8, 0.5], [bar + 8, vw - w - 8, 0.5]]
        .forEach(function (c) {
          var t = c[0], l = clampX(c[1]);
          if (t < bar + 4) return; // under the top bar
          if (t < 8 || t + h > vh - 8) return;
          if (l + w > r.left && l < r.right && t + h > r.top && t < r.bottom) return; // over the box
          var n = c[2] || 0;
          for (var i = 0; i < points.length; i++) {
            var p = points[i];
            if (p.x > l - 4 && p.x < l + w + 4 && p.y > t - 4 && p.y < t + h + 4) n++;
          }
          if (!best || n < best[2]) best = [t, l, n];
        });
      if (best) { top = best[0]; left = best[1]; }
    }
    tip.style.left = (left + window.scrollX) + "px";
    tip.style.top = (top + window.scrollY) + "px";
  }

  // Points along the related links a map box shows while hovered or focused, in the
  // viewport's coordinates.
  function revealed(a) {
    var svg = a.closest("svg");
    var slug = a.getAttribute("data-slug");
    var g = svg && slug && svg.querySelector('.rel[data-for="' + slug.replace(/["\\]/g, "\\$&") + '"]');
    if (!g || getComputedStyle(g).display === "none" || !svg.getScreenCTM) return null;
    var m = svg.getScreenCTM(), points = [];
    var paths = g.querySelectorAll("path");
    for (var i = 0; i < paths.length; i++) {
      var len = paths[i].getTotalLength();
      for (var k = 0; k <= 24; k++) {
        var p = paths[i].getPointAtLength(len * k / 24);
        points.push({ x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f });
      }
    }
    return points;
  }

  function show(a) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    var d = data[a.getAttribute("data-slug")];
    if (current && current !== a) current.removeAttribute("aria-describedby");
    current = a;
    title.textContent = d[0];
    summary.textContent = d[1];
    tip.hidden = false;
    a.setAttribute("aria-describedby", tip.id);
    place(a);
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    wanted = null;
    tip.hidden = true;
  }

  document.addEventListener("pointerover", function (e) {
    if (e.pointerType !== "mouse") return;
    if (tip.contains(e.target)) { clearTimeout(hideTimer); return; }
    var a = linkOf(e.target);
    if (!a) return;
    clearTimeout(hideTimer);
    if (a === current) return;
    clearTimeout(showTimer);
    var slug = a.getAttribute("data-slug");
    if (!own(data, slug)) fileOf(slug); // start loading now, shown or not
    showTimer = setTimeout(function () { showWhenReady(a, true); }, 250);
  });

  document.addEventListener("pointerout", function (e) {
    if (e.pointerType !== "mouse") return;
    if (!linkOf(e.target) && !tip.contains(e.target)) return;
    clearTimeout(showTimer);
    var to = e.relatedTarget;
    // The pointer leaving the link it asked a preview for (not another link, nor a link
    // the keyboard is on) gives it up.
    if (wanted && wantedByPointer && wanted !== current && linkOf(e.target) === wanted && !(to && wanted.contains(to))) {
      wanted = null;
    }
    // The preview stays while the pointer moves from the link onto it (WCAG 1.4.13).
    if (to && current && (tip.contains(to) || current.contains(to))) return;
    if (current) hideTimer = setTimeout(hide, 250);
  });

  document.addEventListener("focusin", function (e) {
    var a = linkOf(e.target);
    if (!a) return;
    var keyboard = true;
    try { keyboard = a.matches(":focus-visible"); } catch (x) { /* old browsers */ }
    if (keyboard) showWhenReady(a, false);
  });

  document.addEventListener("focusout", function (e) {
    if (wanted && !wantedByPointer && e.target === wanted && wanted !== current) wanted = null;
    if (current && e.target === current) hide();
  });

  document.addEventListener("keydown", function (e) {
    // Esc dismisses the preview, or the one still on its way.
    if (e.key === "Escape" && (!tip.hidden || wanted)) hide();
  });

  // A preview follows its link when a box around it scrolls (the map scrolls sideways).
  document.addEventListener("scroll", function (e) {
    if (current && e.target !== document) place(current);
  }, true);
  window.addEventListener("resize", hide);
})();
