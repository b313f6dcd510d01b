// A page of linked accounts while a sync is on its way (the Linked accounts page, an organization's video
// account): it asks the status endpoint named by the element's data-sync-status-url now and then, and when no
// account is syncing any more it fetches the page again and puts that element's fresh content in place,
// without a reload. Without JavaScript the page says a sync is on its way, and shows the result when it is
// next opened.
(function () {
  const cards = document.querySelector("[data-sync-status-url]");
  const live = document.getElementById("sync-live");
  if (!cards || !window.fetch) return;
  const statusUrl = cards.dataset.syncStatusUrl;
  const INTERVAL_MS = 1500;
  const GIVE_UP_AFTER = 120; // about three minutes; the beat's sweep retries a lost sync much later anyway
  let polls = 0;

  const syncing = () => cards.querySelector("[data-syncing]") !== null;

  const say = (text) => {
    if (live) live.textContent = text;
  };

  async function refresh() {
    const response = await fetch(window.location.pathname + window.location.search, { credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-sync-status-url]");
    if (!fresh) throw new Error("no cards");
    cards.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
    say("The sync is done: the accounts below are up to date.");
  }

  async function poll() {
    polls += 1;
    try {
      const response = await fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        if (!status.syncing) {
          await refresh();
          if (syncing()) schedule(); // another sync started meanwhile
          return;
        }
      }
    } catch (error) {
      // A network hiccup: try again at the next turn.
    }
    schedule();
  }

  function schedule() {
    if (polls >= GIVE_UP_AFTER) {
      say("The sync is taking longer than usual; open this page again later to see it.");
      return;
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  if (syncing()) schedule();
})();
