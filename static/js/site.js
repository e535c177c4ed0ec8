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
  // it closes it.
  var menu = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
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

  // "/" focuses the search box, which says so only where there is a keyboard to press it.
  var q = document.getElementById("q");
  if (q && q.dataset.hintTouch && window.matchMedia("(hover: none), (pointer: coarse), (max-width: 560px)").matches) {
    q.placeholder = q.dataset.hintTouch;
  }
})();
