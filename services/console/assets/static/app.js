// The console's behaviour. Pages load it with <script defer> after htmx and
// Chart.js and need no inline script, so a "script-src 'self'" policy holds.
//
// Shortcuts: a key k activates the visible element with data-shortcut="k".
//   A form field, or an element with data-shortcut-focus, gets the focus; a
//   <dialog> opens; anything else is clicked. Keys typed into a field, with
//   Ctrl, Alt or Meta, or while a dialog is open are left alone.
//   backdesk.shortcut(k, fn) registers a function for k instead.
// Idle warning: <body data-idle-warn-seconds="840" data-idle-logout-url="/logout">
//   opens <dialog id="idle-dialog"> after that many idle seconds and goes to
//   the logout URL after data-idle-logout-seconds (default: 60 more).
//   Activity in any tab of the console, or closing the dialog, starts over.
//   An element with data-idle-countdown in the dialog shows the seconds left.
//   With data-idle-logout-form="id" the form of that id (a POST with its
//   CSRF token) is submitted instead of going to the logout URL.
// Charts: each <canvas data-chart='{"type":"bar",...}'> becomes a Chart.js
//   chart once the page has loaded and after every htmx swap.
// Dialogs: a button with data-dialog-open="id" opens <dialog id="id">.
// Dates: a button with data-date-offset="3" data-date-target="id" sets the
//   date field of that id to today plus 3 days, in the browser's time zone.
// Time zone: <input data-browser-tz> is given the browser's IANA time zone.
// CSRF: htmx requests that change something carry the session's CSRF token
//   in X-CSRF-Token, taken from the form's csrf_token field or else from the
//   sign-out form's. A form posted by htmx this way (a file upload) reaches
//   the server with its body unread.
// Polling: htmx requests of an element with data-poll are not activity for
//   the idle warning; the person is not doing anything. They carry
//   X-Backdesk-Activity: background, so the server does not count them
//   either.
// Heartbeat: an element with data-heartbeat-url="/api/..." has the page POST
//   there every five minutes (data-heartbeat-seconds to change it) while it
//   is open, with the CSRF token, to keep the item's lease. It is not
//   activity either, here or on the server: an idle page still signs out.
//   A refusal stops it.
(function () {
  "use strict";

  var handlers = {};
  var backdesk = (window.backdesk = window.backdesk || {});

  backdesk.shortcut = function (key, fn) {
    handlers[key] = fn;
  };

  function isField(el) {
    if (!el || !el.tagName) return false;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable;
  }

  function shortcutTarget(key) {
    var els = document.querySelectorAll("[data-shortcut]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.getAttribute("data-shortcut") !== key) continue;
      if (el.tagName === "DIALOG" || el.getClientRects().length > 0) return el;
    }
    return null;
  }

  function activate(el) {
    if (el.tagName === "DIALOG") {
      if (!el.open) el.showModal();
    } else if (isField(el) || el.hasAttribute("data-shortcut-focus")) {
      el.focus();
    } else {
      el.focus();
      el.click();
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    if (isField(e.target) || document.querySelector("dialog[open]")) return;
    if (handlers[e.key]) {
      e.preventDefault();
      handlers[e.key](e);
      return;
    }
    var el = shortcutTarget(e.key);
    if (el) {
      e.preventDefault();
      activate(el);
    }
  });

  function idleWarning() {
    var body = document.body;
    var warnAfter = Number(body.getAttribute("data-idle-warn-seconds"));
    var logoutURL = body.getAttribute("data-idle-logout-url");
    if (!(warnAfter > 0) || !logoutURL) return;
    var logoutAfter = Number(body.getAttribute("data-idle-logout-seconds")) || warnAfter + 60;
    var dialog = document.getElementById("idle-dialog");
    var storageKey = "backdesk.lastActivity";
    var last = Date.now();

    function share() {
      try {
        localStorage.setItem(storageKey, String(last));
      } catch (err) {
        // Storage can be off; then each tab counts on its own.
      }
    }
    function shared() {
      try {
        return Number(localStorage.getItem(storageKey)) || 0;
      } catch (err) {
        return 0;
      }
    }
    function activity(e) {
      if (e && e.type === "htmx:afterRequest" && e.detail && e.detail.elt && e.detail.elt.closest &&
          e.detail.elt.closest("[data-poll]")) return;
      var now = Date.now();
      if ((dialog && dialog.open) || now - last < 1000) return;
      last = now;
      share();
    }
    function check() {
      var other = shared();
      if (other > last) {
        last = other;
        if (dialog && dialog.open) dialog.close();
      }
      var idle = (Date.now() - last) / 1000;
      if (idle >= logoutAfter) {
        clearInterval(timer);
        var form = document.getElementById(body.getAttribute("data-idle-logout-form") || "");
        if (form && form.tagName === "FORM") {
          form.submit();
        } else {
          window.location.assign(logoutURL);
        }
        return;
      }
      if (!dialog) return;
      if (idle >= warnAfter && !dialog.open) dialog.showModal();
      var left = String(Math.max(0, Math.ceil(logoutAfter - idle)));
      dialog.querySelectorAll("[data-idle-countdown]").forEach(function (el) {
        el.textContent = left;
      });
    }

    ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "htmx:afterRequest"].forEach(function (type) {
      document.addEventListener(type, activity, { capture: true, passive: true });
    });
    if (dialog) {
      dialog.addEventListener("close", function () {
        last = Date.now();
        share();
      });
    }
    share();
    var timer = setInterval(check, 1000);
  }

  function initCharts() {
    if (typeof window.Chart !== "function") return;
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) return;
      var config;
      try {
        config = JSON.parse(canvas.getAttribute("data-chart"));
      } catch (err) {
        console.error("backdesk: data-chart is not JSON", canvas, err);
        return;
      }
      if (reduceMotion) {
        config.options = config.options || {};
        config.options.animation = false;
      }
      new window.Chart(canvas, config);
    });
  }

  // htmx cleans up each element it removes; a chart on it goes too.
  document.addEventListener("htmx:beforeCleanupElement", function (e) {
    if (e.target.tagName === "CANVAS" && window.Chart) {
      var chart = window.Chart.getChart(e.target);
      if (chart) chart.destroy();
    }
  });
  document.addEventListener("htmx:afterSwap", initCharts);

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-dialog-open],[data-date-offset]") : null;
    if (!el) return;
    if (el.hasAttribute("data-dialog-open")) {
      var dialog = document.getElementById(el.getAttribute("data-dialog-open"));
      if (dialog && dialog.tagName === "DIALOG" && !dialog.open) dialog.showModal();
      return;
    }
    var field = document.getElementById(el.getAttribute("data-date-target"));
    var days = Number(el.getAttribute("data-date-offset"));
    if (!field || !isFinite(days)) return;
    var d = new Date();
    d.setDate(d.getDate() + days);
    field.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  });

  function timeZone() {
    var tz = "";
    try {
      tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (err) {
      // Without Intl the server takes UTC.
    }
    document.querySelectorAll("input[data-browser-tz]").forEach(function (el) {
      if (!el.value) el.value = tz;
    });
  }

  // csrfToken returns the session's CSRF token as the page carries it: in
  // the form of el, or in the sign-out form.
  function csrfToken(el) {
    var form = el && el.closest ? el.closest("form") : null;
    var field = (form && form.querySelector("input[name=csrf_token]")) ||
      document.querySelector("#logout-form input[name=csrf_token]");
    return field ? field.value : "";
  }

  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.closest && elt.closest("[data-poll]")) e.detail.headers["X-Backdesk-Activity"] = "background";
    if (String(e.detail.verb).toLowerCase() === "get") return;
    var token = csrfToken(e.detail.elt);
    if (token) e.detail.headers["X-CSRF-Token"] = token;
  });

  function heartbeat() {
    var el = document.querySelector("[data-heartbeat-url]");
    if (!el || typeof window.fetch !== "function") return;
    var url = el.getAttribute("data-heartbeat-url");
    var every = (Number(el.getAttribute("data-heartbeat-seconds")) || 300) * 1000;
    var timer = setInterval(function () {
      window.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(el), Accept: "application/json", "X-Backdesk-Activity": "background" },
      }).then(function (res) {
        // The item is no longer this person's to keep (finished, handed
        // on, signed out): nothing more to keep alive.
        if (res.status >= 400 && res.status < 500) clearInterval(timer);
      }, function () {
        // Offline for a moment: the next beat tries again.
      });
    }, every);
  }

  // A table wider than the screen scrolls inside its wrapper; the
  // wrapper then takes the keyboard focus, named after its table, so it
  // can be scrolled without a mouse.
  function scrollableTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var w = wraps[i];
      if (w.scrollWidth <= w.clientWidth || w.hasAttribute("tabindex")) continue;
      w.setAttribute("tabindex", "0");
      w.setAttribute("role", "region");
      var table = w.querySelector("table");
      var caption = table && table.querySelector("caption");
      var labelled = table && table.getAttribute("aria-labelledby");
      if (caption && caption.textContent.trim()) {
        w.setAttribute("aria-label", caption.textContent.trim());
      } else if (labelled) {
        w.setAttribute("aria-labelledby", labelled);
      } else {
        w.setAttribute("aria-label", "Table, scrolls sideways");
      }
    }
  }

  // A form sent back with problems: the focus goes to the first field at
  // fault, whose message is tied to it (aria-describedby), so a screen
  // reader says the field and what is wrong with it.
  function focusFirstProblem() {
    var bad = document.querySelector("main [aria-invalid=\"true\"]");
    if (!bad) return;
    if (bad.tagName === "FIELDSET") {
      var inner = bad.querySelector("input, select, textarea");
      if (inner) bad = inner;
    }
    if (typeof bad.focus === "function") bad.focus();
  }

  // A field that only some choices need (the next contact date, which a
  // finishing outcome does not take) hides while another is chosen.
  // Without a script it is always there, with its hint.
  function dependentFields() {
    var fields = document.querySelectorAll("[data-hide-when]");
    for (var i = 0; i < fields.length; i++) {
      (function (field) {
        var select = document.getElementById(field.getAttribute("data-hide-when"));
        if (!select) return;
        var values = (field.getAttribute("data-hide-values") || "").split(/[\s,]+/);
        var update = function () {
          field.hidden = values.indexOf(select.value) >= 0 && select.value !== "";
        };
        select.addEventListener("change", update);
        update();
      })(fields[i]);
    }
  }

  function start() {
    focusFirstProblem();
    dependentFields();
    idleWarning();
    initCharts();
    timeZone();
    heartbeat();
    scrollableTables();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
