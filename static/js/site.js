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

  // The concept tree as a drawer on narrow screens.
  var menu = document.querySelector(".menu-toggle");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
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

  // Keep the current note visible in a long tree.
  var current = document.querySelector(".sidebar .current");
  if (current && current.scrollIntoView) current.scrollIntoView({ block: "center" });
})();
