// Selects the whole value of a one-time secret when its field gets focus, ready to copy.
(function () {
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
