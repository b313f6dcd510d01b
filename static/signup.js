// Shows the organization fields only while "employer" is chosen. Without JavaScript they stay visible.
(function () {
  const group = document.querySelector("[data-show-for-role]");
  const radios = document.querySelectorAll('input[name="role"]');
  if (!group || !radios.length) return;
  const update = () => {
    const chosen = document.querySelector('input[name="role"]:checked');
    group.hidden = !chosen || chosen.value !== group.dataset.showForRole;
  };
  radios.forEach((radio) => radio.addEventListener("change", update));
  update();
})();
