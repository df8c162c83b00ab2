// The tiers-payant card offline (served at /sw.js by home.pwa; scope: the card's pages).
// It keeps only what the server marks as the card (the version header on the card page
// and its PDF) plus the static files those pages use, in one cache named after the
// card's version: a new card replaces the old one, a card page answered without a card
// (logged out, cover ended) drops it, and the logout response clears the site's storage.
"use strict";

const CARD_URLS = {{ card_urls|tojson }};
const STATIC_PREFIX = {{ static_prefix|tojson }};
const VERSION_HEADER = {{ version_header|tojson }};
const PREFIX = {{ cache_prefix|tojson }};
const VERSION = /^[0-9a-f]{16,64}$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function cardCacheName() {
  const names = await caches.keys();
  return names.find((name) => name.startsWith(PREFIX));
}

async function dropCards(except) {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== except).map((name) => caches.delete(name)));
}

async function keepCard(request, response) {
  const version = response.headers.get(VERSION_HEADER) || "";
  if (!response.ok || !VERSION.test(version)) {
    return;
  }
  const name = PREFIX + version;
  await dropCards(name); // another card: the old one and its PDF go
  const cache = await caches.open(name);
  await cache.put(request, response);
}

async function fromCard(request) {
  const name = await cardCacheName();
  if (!name) {
    return undefined;
  }
  const cache = await caches.open(name);
  return cache.match(request, { ignoreVary: true });
}

async function handle(request, isCard) {
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    const kept = await fromCard(request);
    if (kept) {
      return kept;
    }
    throw offline;
  }
  if (isCard) {
    if (response.headers.has(VERSION_HEADER)) {
      await keepCard(request, response.clone());
    } else if (response.ok || response.redirected || response.type === "opaqueredirect") {
      await dropCards(); // the server has no card for this browser any more (a server error keeps it)
    }
  } else if (response.ok) {
    const name = await cardCacheName();
    if (name) {
      await (await caches.open(name)).put(request, response.clone());
    }
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.search) {
    return;
  }
  const isCard = CARD_URLS.includes(url.pathname);
  // Only the card and the static files of its pages: anything else goes to the network untouched.
  if (isCard || url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(handle(request, isCard));
  }
});

// The card page says which card it shows and which static files it uses: on the first
// visit the page was not yet controlled by this worker, so it fetches them itself.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "card-shown" || !VERSION.test(data.version || "")) {
    return;
  }
  event.waitUntil(
    (async () => {
      const name = PREFIX + data.version;
      const cache = await caches.open(name);
      if (!(await cache.match(CARD_URLS[0], { ignoreVary: true }))) {
        const response = await fetch(CARD_URLS[0], { credentials: "same-origin", cache: "no-store" });
        if (response.headers.get(VERSION_HEADER) !== data.version) {
          await caches.delete(name);
          return;
        }
        await keepCard(new Request(CARD_URLS[0]), response);
      }
      const assets = (Array.isArray(data.assets) ? data.assets : []).filter(
        (path) => typeof path === "string" && path.startsWith(STATIC_PREFIX)
      );
      for (const path of assets) {
        if (!(await cache.match(path))) {
          const response = await fetch(path);
          if (response.ok) {
            await cache.put(path, response);
          }
        }
      }
      if (event.source) {
        event.source.postMessage({ type: "card-kept", version: data.version });
      }
    })()
  );
});
