// Orchard's only script (the Content-Security-Policy allows no inline script): it reads data attributes that the
// server wrote as escaped text and never builds markup or code from them.
(function () {
  // Usage bars: the width comes from data-pct, set here because style attributes are not allowed.
  function bars(root) {
    root.querySelectorAll('[data-pct]').forEach(function (el) {
      var pct = Math.max(0, Math.min(100, parseInt(el.dataset.pct, 10) || 0));
      el.style.width = pct + '%';
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    bars(document);
    // the session's CSRF token, for Swagger UI's "Try it out" with this session (it sends it as X-XSRF-TOKEN)
    var xsrf = document.querySelector('meta[name="xsrf-token"]');
    if (xsrf && window.sessionStorage) {
      window.sessionStorage.setItem('XSRF-TOKEN', xsrf.content);
    }
  });
  document.addEventListener('htmx:afterSwap', function (e) { bars(e.target); });

  // "Back" links on problem pages; the label editor's picker buttons add their line (data-add-line) to the text
  // area named by data-to, once.
  document.addEventListener('click', function (e) {
    var back = e.target.closest('[data-back]');
    if (back) {
      e.preventDefault();
      history.back();
    }
    var add = e.target.closest('[data-add-line]');
    if (add) {
      var area = document.getElementById(add.dataset.to);
      if (area) {
        var line = add.dataset.addLine;
        var lines = area.value.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(function (l) { return l; });
        if (lines.indexOf(line) < 0) {
          lines.push(line);
          area.value = lines.join('\n');
        }
        add.textContent = '✓ added';
      }
    }
  });

  // The Retry-After countdowns tick in the browser between the server's refreshes of the page parts that show them.
  setInterval(function () {
    document.querySelectorAll('.countdown').forEach(function (el) {
      var s = Math.max(0, parseInt(el.dataset.seconds, 10) - 1);
      el.dataset.seconds = s;
      el.textContent = s + ' s';
    });
  }, 1000);
})();
