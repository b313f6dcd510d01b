// "Copy" next to a short link: puts its full address on the clipboard and says "Copied" where screen
// readers hear it (the status next to the button). Without JavaScript the buttons stay hidden.
(function () {
  const buttons = Array.from(document.querySelectorAll("button.copy-link[data-copy]"));
  if (!buttons.length) return;
  const say = (button, text) => {
    const status = button.parentElement.querySelector(".copy-status");
    if (!status) return;
    status.textContent = text;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(() => { status.textContent = ""; }, 4000);
  };
  buttons.forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const address = button.dataset.copy;
      try {
        await navigator.clipboard.writeText(address);
        say(button, "Copied");
      } catch (error) {
        // No clipboard here (an old browser, or a page not served over https): show the address to copy by hand.
        say(button, "Copy it by hand: " + address);
      }
    });
  });
})();
