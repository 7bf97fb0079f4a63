// The paasta dashboard's script: progressive enhancement only (every page reads fine without it).
// - the API token for actions: entered once per browser tab, kept in sessionStorage (never a cookie), sent as
//   the `Authorization: Bearer` header of the page's htmx requests;
// - live updates: the page's Server-Sent Events stream (body[data-live]) swaps changed fragments in place and
//   appends new log lines;
// - relative times kept fresh, and the home page's filter applied as you type.
(() => {
  const KEY = "paasta-api-token";
  const root = document.documentElement;
  root.classList.add("js");

  const token = () => sessionStorage.getItem(KEY);
  const $ = (id) => document.getElementById(id);

  function showToken() {
    const form = $("token-form");
    const set = $("token-set");
    if (form) form.hidden = Boolean(token());
    if (set) set.hidden = !token();
  }

  document.addEventListener("htmx:configRequest", (e) => {
    const t = token();
    if (t) e.detail.headers.Authorization = `Bearer ${t}`;
  });

  function relative(iso, mode) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return null;
    const s = Math.round((Date.now() - t) / 1000);
    const a = Math.abs(s);
    let text;
    if (a < 5 && mode !== "uptime") text = "just now";
    else if (a < 60) text = `${a} s`;
    else if (a < 3600) text = `${Math.floor(a / 60)} min`;
    else if (a < 86400) text = `${Math.floor(a / 3600)} h`;
    else {
      const d = Math.floor(a / 86400);
      text = `${d} day${d === 1 ? "" : "s"}`;
    }
    if (mode === "uptime" || text === "just now") return text;
    return s >= 0 ? `${text} ago` : `in ${text}`;
  }

  function refreshTimes() {
    for (const el of document.querySelectorAll("time[data-mode]")) {
      const text = relative(el.getAttribute("datetime"), el.dataset.mode);
      if (text !== null && el.textContent !== text) el.textContent = text;
    }
  }

  function applyFilter() {
    const input = $("filter");
    if (!input) return;
    const q = input.value.trim().toLowerCase();
    for (const s of document.querySelectorAll("[data-search]")) s.hidden = q !== "" && !s.dataset.search.includes(q);
  }

  function swapIn(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const el = tpl.content.firstElementChild;
    const old = el?.id ? $(el.id) : null;
    if (!old) return;
    window.htmx.swap(old, html, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0 });
  }

  function appendLines(html) {
    const logs = $("logs");
    if (!logs) return;
    const atBottom = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
    logs.insertAdjacentHTML("beforeend", html);
    const max = Number(logs.dataset.max) || 200;
    while (logs.children.length > max) logs.firstElementChild.remove();
    if (atBottom) logs.scrollTop = logs.scrollHeight;
  }

  function connect(url) {
    const state = $("live-state");
    const logs = $("logs");
    const last = logs?.lastElementChild?.querySelector("time")?.getAttribute("datetime");
    const full = last ? `${url}${url.includes("?") ? "&" : "?"}after=${encodeURIComponent(last)}` : url;
    const source = new EventSource(full);
    source.addEventListener("open", () => {
      if (state) state.textContent = "live";
    });
    source.addEventListener("error", () => {
      if (state) state.textContent = "reconnecting…";
    });
    source.addEventListener("swap", (e) => {
      swapIn(e.data);
      refreshTimes();
      applyFilter();
    });
    source.addEventListener("append", (e) => appendLines(e.data));
    source.addEventListener("problem", (e) => {
      if (state) state.textContent = e.data;
    });
    window.addEventListener("pagehide", () => source.close());
  }

  function start() {
    showToken();
    $("token-form")?.addEventListener("submit", (e) => {
      e.preventDefault();
      const input = e.target.elements.token;
      if (input.value.trim()) sessionStorage.setItem(KEY, input.value.trim());
      input.value = "";
      showToken();
    });
    $("token-forget")?.addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      showToken();
    });
    $("filter")?.addEventListener("input", () => {
      applyFilter();
      const q = $("filter").value.trim();
      history.replaceState(null, "", q ? `?q=${encodeURIComponent(q)}` : location.pathname);
    });
    applyFilter();
    setInterval(refreshTimes, 15_000);
    const live = document.body.dataset.live;
    if (live && window.EventSource) connect(live);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
