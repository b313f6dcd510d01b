// "Select all" on the videos page: ticks or clears every video of the page. Without JavaScript it stays hidden.
(function () {
  const all = document.getElementById("select-all-videos");
  const boxes = Array.from(document.querySelectorAll('.video-table input[name="video"]'));
  if (!all || !boxes.length) return;
  all.closest("label").hidden = false;
  const sync = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  all.addEventListener("change", () => {
    boxes.forEach((box) => { box.checked = all.checked; });
    sync();
  });
  boxes.forEach((box) => box.addEventListener("change", sync));
  sync();
})();

// "Another address": its field shows only while that target is chosen (always, without JavaScript).
(function () {
  document.querySelectorAll(".custom-url[data-for]").forEach((box) => {
    const select = document.getElementById(box.dataset.for);
    if (!select) return;
    const input = box.querySelector("input");
    const sync = () => {
      box.hidden = select.value !== "custom" && !(input && input.getAttribute("aria-invalid") === "true");
    };
    select.addEventListener("change", () => {
      sync();
      if (!box.hidden && input) input.focus();
    });
    sync();
  });
})();
