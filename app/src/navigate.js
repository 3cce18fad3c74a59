// The island loader and in-page navigation for a site of server-rendered pages with islands.
//
// The islands' code (the wasm-bindgen module named in `#island-code`) is fetched only once a page
// with a `<leptos-island>` is shown; each island is then hydrated by the function the module
// exports under its component's name. A page without islands fetches no WebAssembly.
//
// A click on a link of this site, or a GET form sent to it, fetches the new page and puts its body
// and metadata in place of the old ones; the document and its scripts (the islands' code among
// them) stay, and the new page's islands are woken. An island is not carried over from the old
// body even when the new page has the same one: the map's works on the HTML around it, which is
// the new page's. What a page keeps between visits is in its address. Back and Forward show the
// pages again where the reader had scrolled to. The keyboard focus moves to the new page's main
// heading and a live region reads out its title, so that a screen reader says a new page arrived.
//
// Without this script every link and form works as plain HTML. Anything it cannot handle as a
// page (another origin, a file, a non-HTML answer, a page in the other language, a page whose
// islands need their own document) is left to the browser.
(() => {
  const root = document.documentElement;
  if (!window.fetch || !window.DOMParser || !history.pushState) return;
  history.scrollRestoration = "manual";

  // The page's own metadata in <head>: replaced on each navigation; the rest stays.
  const OWN_HEAD =
    'meta[name="description"], meta[name="robots"], meta[property], link[rel="canonical"], ' +
    'link[rel="alternate"], link[rel="preload"][as="image"], title';
  let current = 0;

  const isPage = (url) =>
    url.origin === location.origin &&
    !url.pathname.startsWith("/api/") &&
    !/\.[A-Za-z0-9]+$/.test(url.pathname);

  // A document-bound island (an open editor) keeps its page: its guards need a real unload.
  const pinned = () => document.querySelector('[data-navigation="document"]') !== null;

  function linkTarget(event) {
    if (event.defaultPrevented || event.button !== 0) return null;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
    const a = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!a || a.target || a.hasAttribute("download")) return null;
    if (a.relList.contains("external")) return null;
    const url = new URL(a.href, location.href);
    if (!isPage(url)) return null;
    // A link to a place on the same page is the browser's.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) {
      return null;
    }
    return url;
  }

  function formTarget(event) {
    if (event.defaultPrevented) return null;
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.target) return null;
    const submitter = event.submitter || null;
    const method = (submitter?.getAttribute("formmethod") || form.method || "get").toLowerCase();
    if (method !== "get") return null;
    const url = new URL(submitter?.getAttribute("formaction") || form.action, location.href);
    url.search = new URLSearchParams(new FormData(form, submitter)).toString();
    return isPage(url) ? url : null;
  }

  function remember() {
    history.replaceState({ ...(history.state || {}), scroll: window.scrollY }, "");
  }

  function announcer() {
    let region = document.getElementById("page-announcer");
    if (!region) {
      region = document.createElement("p");
      region.id = "page-announcer";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("aria-atomic", "true");
    }
    return region;
  }

  const address = document.getElementById("island-code");
  let code = null;

  function wake(root) {
    const asleep = Array.from(root.querySelectorAll("leptos-island")).filter((i) => !i.$$awake);
    if (!asleep.length || !address) return;
    if (!code) {
      const { script, wasm } = JSON.parse(address.textContent);
      code = import(script).then(async (module) => {
        await module.default({ module_or_path: wasm });
        module.hydrate();
        return module;
      });
    }
    code.then((module) => {
      for (const island of asleep) {
        if (island.$$awake || !island.isConnected) continue;
        island.$$awake = true;
        const hydrate = module[island.dataset.component];
        if (hydrate) hydrate(island);
        else console.warn(`No code for the island ${island.dataset.component}.`);
      }
    });
  }

  function swap(next) {
    for (const node of document.head.querySelectorAll(OWN_HEAD)) node.remove();
    const before = document.head.querySelector("script, link[rel=modulepreload]");
    for (const node of next.head.querySelectorAll(OWN_HEAD)) {
      document.head.insertBefore(document.adoptNode(node), before);
    }
    const region = announcer();
    // Copied out first: adopting a node takes it out of the live child list.
    const nodes = Array.from(next.body.childNodes);
    document.body.replaceChildren(...nodes.map((n) => document.adoptNode(n)));
    document.body.append(region);
    wake(document.body);
    return region;
  }

  // Images above the place may still be loading when the page is put back, leaving it too short
  // to scroll to: try again on each frame for a moment, unless the reader scrolls meanwhile.
  function scrollBack(y) {
    const until = performance.now() + 1500;
    let touched = false;
    const stop = () => (touched = true);
    for (const type of ["wheel", "touchstart", "keydown"]) {
      window.addEventListener(type, stop, { once: true, passive: true });
    }
    const step = () => {
      window.scrollTo(0, y);
      if (!touched && Math.abs(window.scrollY - y) > 1 && performance.now() < until) {
        requestAnimationFrame(step);
      }
    };
    step();
  }

  function arrive(url, scroll, region) {
    const target = url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)));
    const heading = document.querySelector("main h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    } else {
      document.getElementById("main")?.focus({ preventScroll: true });
    }
    if (scroll !== undefined) scrollBack(scroll);
    else if (target) target.scrollIntoView();
    else window.scrollTo(0, 0);
    region.textContent = document.title;
    window.__pageNavigations = (window.__pageNavigations || 0) + 1;
    document.dispatchEvent(new CustomEvent("page:arrived", { detail: { url: location.href } }));
  }

  async function go(url, { push, scroll }) {
    const mine = ++current;
    const leave = () => (push ? location.assign(url) : location.replace(url));
    root.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      const type = response.headers.get("content-type") || "";
      if (!type.startsWith("text/html")) return leave();
      const html = await response.text();
      if (mine !== current) return;
      const next = new DOMParser().parseFromString(html, "text/html");
      if (next.documentElement.lang !== root.lang) return leave();
      const address = new URL(response.redirected ? response.url : url);
      address.hash = url.hash;
      if (push) history.pushState({ scroll: 0 }, "", address);
      arrive(address, scroll, swap(next));
    } catch (error) {
      if (mine === current) leave();
    } finally {
      if (mine === current) root.removeAttribute("aria-busy");
    }
  }

  // A followed link or a sent GET form: the page it asks for, in place.
  for (const [type, target] of [["click", linkTarget], ["submit", formTarget]]) {
    window.addEventListener(type, (event) => {
      const url = pinned() ? null : target(event);
      if (!url) return;
      event.preventDefault();
      remember();
      go(url, { push: true });
    });
  }

  window.addEventListener("popstate", (event) => {
    // An open editor is left by loading the address, so its guard can ask about unsaved text.
    if (pinned()) return location.reload();
    go(new URL(location.href), { push: false, scroll: event.state?.scroll ?? 0 });
  });

  // A page left for another document (the language switch, a file) keeps its place for Back.
  window.addEventListener("pagehide", remember);
  if (history.state?.scroll) scrollBack(history.state.scroll);
  wake(document.body);
  root.dataset.navigation = "ready";
})();
