// The Retry-After countdowns tick in the browser between the server's refreshes of the page parts that show them.
setInterval(function () {
  document.querySelectorAll('.countdown').forEach(function (el) {
    var s = Math.max(0, parseInt(el.dataset.seconds, 10) - 1);
    el.dataset.seconds = s;
    el.textContent = s + ' s';
  });
}, 1000);
