/*
 * Chat widget of the digital assistant "Actieprogramma Impact Ondernemen".
 *
 * Vanilla JS, no build step. Talks to Rasa's socket.io channel with socket.io-client v4
 * (loaded from <server>/webchat/vendor/socket.io.min.js when window.io is missing).
 * Embed with one line (options as data-attributes, see docs/widget.md):
 *   <script src="https://SERVER/webchat/widget.js" defer></script>
 *
 * All text from the bot and the user is put in the page with textContent, never as
 * HTML; only http(s) URLs become links (rel="noopener noreferrer").
 * Search results come as "cards" in a bot message (bot/replies/render.py: widget_message)
 * and are shown as a list of cards (see "cards" below).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__impactChatLoaded) return;
  window.__impactChatLoaded = true;

  var scriptUrl = new URL(script.src, window.location.href);
  var data = script.dataset;

  var config = {
    // Default: the server the widget was loaded from (on the demo page: this page's origin).
    serverUrl: (data.serverUrl || scriptUrl.origin || window.location.origin).replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io",
    title: data.title || "Digitale assistent",
    subtitle: data.subtitle || "Impact Ondernemen Haarlem",
    launcherText: data.launcherText || "Stel je vraag",
    startMessage: data.startMessage === undefined ? "/greet" : data.startMessage,
    color: data.color || "#b3001b",
    textColor: data.textColor || "#ffffff",
    // "session" (default): the conversation is kept in this tab only (sessionStorage) and
    // is gone when the tab closes: safe on shared computers. "local": kept in localStorage
    // for `keepHours`, across tabs and browser restarts (the website owner's choice).
    storage: data.storage === "local" ? "local" : "session",
    storageKey: data.storageKey || "impact-chat",
    maxStoredMessages: parseInt(data.maxMessages || "100", 10),
    // Stored conversations older than this are forgotten (hours).
    keepHours: parseFloat(data.keepHours || "24"),
    // Longest message one can type. Must not exceed the server's MAX_MESSAGE_CHARS
    // (bot/settings.py; tests/unit/test_limits_agree.py checks the defaults agree).
    maxChars: parseInt(data.maxChars || "2000", 10),
    openOnLoad: data.open === "true"
  };

  var TEXT = {
    notice: "Je chat met een computerprogramma, niet met een mens. Deel geen persoonlijke gegevens.",
    logLabel: "Gesprek met de digitale assistent",
    inputLabel: "Je vraag",
    placeholder: "Typ je vraag…",
    send: "Verstuur",
    close: "Sluiten",
    closeLabel: "Chat sluiten",
    restart: "Nieuw gesprek",
    restartLabel: "Wis dit gesprek en begin opnieuw",
    restartHandoff: "Je chat nu met een medewerker. Begin je een nieuw gesprek, dan stopt dit " +
                    "gesprek met de medewerker. Wil je een nieuw gesprek beginnen?",
    you: "Jij",
    bot: "Assistent",
    agent: "Medewerker",
    typing: "De assistent typt…",
    choices: "Kies een antwoord",
    offline: "Geen verbinding met de assistent. Ik probeer het opnieuw…",
    noAnswer: "De assistent geeft nu geen antwoord. Probeer het later nog eens.",
    image: "Afbeelding van de assistent",
    noticeShort: "Computerprogramma, geen mens. Deel geen persoonlijke gegevens.",
    noticeOk: "Begrepen",
    noticeOkLabel: "Begrepen, verberg deze melding",
    results: "Resultaten",
    newTab: " (opent in een nieuw tabblad)",
    calendar: "In mijn agenda",
    calendarFile: " (agendabestand)",
    moreAbout: "Meer over: "
  };

  var tabId = Math.random().toString(36).slice(2);

  // ---------------------------------------------------------------- storage
  function store() {
    return config.storage === "local" ? window.localStorage : window.sessionStorage;
  }

  function newSessionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return (Date.now().toString(36) + Math.random().toString(36).slice(2)).slice(0, 32);
  }

  function emptyState() {
    return { sessionId: newSessionId(), messages: [], open: false, started: false,
             lastSender: null, updated: Date.now() };
  }

  function load() {
    try {
      var raw = store().getItem(config.storageKey);
      if (raw) {
        var s = JSON.parse(raw);
        if (s && s.sessionId && Array.isArray(s.messages) &&
            Date.now() - (s.updated || 0) < config.keepHours * 3600 * 1000) {
          return s;
        }
      }
    } catch (e) { /* private mode or corrupt: start afresh */ }
    return emptyState();
  }

  function save() {
    state.updated = Date.now();
    state.messages = state.messages.slice(-config.maxStoredMessages);
    try { store().setItem(config.storageKey, JSON.stringify(state)); } catch (e) { /* full */ }
  }

  var state = load();

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  var URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

  // Text with http(s) URLs as links; everything else stays text.
  function richText(text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    String(text).replace(URL_RE, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, "");
      frag.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url });
      frag.appendChild(a);
      last = offset + url.length;
      return match;
    });
    frag.appendChild(document.createTextNode(String(text).slice(last)));
    return frag;
  }

  // ---------------------------------------------------------------- layout
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
    svg.appendChild(path);
    return svg;
  }

  var root = el("div", { className: "ioc-root", id: "ioc-root" });
  root.style.setProperty("--ioc-color", config.color);
  root.style.setProperty("--ioc-text", config.textColor);

  var launcher = el("button", {
    type: "button", className: "ioc-launcher", id: "ioc-launcher",
    "aria-expanded": "false", "aria-controls": "ioc-panel"
  }, [chatIcon(), el("span", { text: config.launcherText })]);

  var titleEl = el("h2", { className: "ioc-title", id: "ioc-title", text: config.title });
  var subtitleEl = el("p", { className: "ioc-subtitle", text: config.subtitle });
  var restartBtn = el("button", { type: "button", className: "ioc-restart",
    title: TEXT.restartLabel, text: TEXT.restart });
  var closeBtn = el("button", { type: "button", className: "ioc-header-btn",
    "aria-label": TEXT.closeLabel, title: TEXT.closeLabel, text: TEXT.close });
  var headerNote = el("p", { className: "ioc-header-note", id: "ioc-header-note",
    text: TEXT.noticeShort });
  var header = el("div", { className: "ioc-header" }, [
    el("div", { className: "ioc-heading" }, [titleEl, subtitleEl]),
    el("div", { className: "ioc-header-actions" }, [restartBtn, closeBtn]),
    headerNote
  ]);
  var noticeOk = el("button", { type: "button", className: "ioc-notice-ok",
    "aria-label": TEXT.noticeOkLabel, text: TEXT.noticeOk });
  var notice = el("div", { className: "ioc-notice" }, [
    el("p", { id: "ioc-notice", text: TEXT.notice }), noticeOk]);

  var log = el("div", {
    className: "ioc-log", id: "ioc-log", role: "log", "aria-live": "polite",
    "aria-relevant": "additions", "aria-label": TEXT.logLabel, tabindex: "0"
  });
  var typing = el("div", { className: "ioc-typing", id: "ioc-typing", role: "status", hidden: "" }, [
    el("span", { className: "ioc-dots", "aria-hidden": "true" },
       [el("span"), el("span"), el("span")]),
    el("span", { className: "ioc-typing-text", text: TEXT.typing })
  ]);
  var status = el("p", { className: "ioc-status", id: "ioc-status", role: "status" });

  var input = el("input", {
    type: "text", id: "ioc-input", className: "ioc-input", autocomplete: "off",
    placeholder: TEXT.placeholder, maxlength: String(config.maxChars), enterkeyhint: "send"
  });
  var label = el("label", { "for": "ioc-input", className: "ioc-sr-only", text: TEXT.inputLabel });
  var sendBtn = el("button", { type: "submit", className: "ioc-send", id: "ioc-send", text: TEXT.send });
  var form = el("form", { className: "ioc-form", id: "ioc-form" }, [label, input, sendBtn]);

  var panel = el("div", {
    className: "ioc-panel", id: "ioc-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "ioc-title", "aria-describedby": "ioc-notice", hidden: ""
  }, [header, notice, log, typing, status, form]);

  root.appendChild(panel);
  root.appendChild(launcher);

  function loadCss() {
    if (document.querySelector("link[data-ioc-css]")) return;
    var link = el("link", { rel: "stylesheet", href: new URL("widget.css", scriptUrl).href,
                            "data-ioc-css": "" });
    document.head.appendChild(link);
  }

  // ---------------------------------------------------------------- privacy notice
  // The full notice until the user dismisses it; then a short line in the header.
  function showNotice() {
    var seen = !!state.noticeSeen;
    notice.hidden = seen;
    headerNote.hidden = !seen;
    panel.setAttribute("aria-describedby", seen ? "ioc-header-note" : "ioc-notice");
  }

  noticeOk.addEventListener("click", function () {
    state.noticeSeen = true;
    save();
    showNotice();
    input.focus();
  });

  // ---------------------------------------------------------------- cards
  // Result cards: title, one or two facts, a link ("Aanmelden", "Bekijk", "Reageren"), an
  // "In mijn agenda" download for events and a "Meer hierover" button. Data only as text.
  function httpUrl(value) {
    return typeof value === "string" && /^https?:\/\//i.test(value) ? value : null;
  }

  function calendarUrl(value) {
    if (typeof value !== "string") return null;
    if (/^\/webchat\/agenda\/[a-z0-9][a-z0-9_-]*\.ics$/.test(value)) return config.serverUrl + value;
    return httpUrl(value);
  }

  // Cards from a bot message, checked and reduced to what the widget shows (also stored).
  function cleanCards(cards) {
    if (!Array.isArray(cards)) return [];
    return cards.filter(function (c) {
      return c && typeof c.title === "string" && c.link && httpUrl(c.link.url) &&
             c.details && typeof c.details.payload === "string";
    }).slice(0, 10).map(function (c) {
      return {
        kind: String(c.kind || ""), title: c.title, number: parseInt(c.number, 10) || null,
        facts: (Array.isArray(c.facts) ? c.facts : []).slice(0, 3).map(String),
        link: { title: String(c.link.title || ""), url: c.link.url },
        calendar: calendarUrl(c.calendar),
        details: { title: String(c.details.title || ""), payload: c.details.payload }
      };
    });
  }

  function cleanNotes(notes) {
    return (Array.isArray(notes) ? notes : []).slice(0, 3).map(String);
  }

  function renderCard(card) {
    var item = el("li", { className: "ioc-card ioc-card-" + card.kind.replace(/[^a-z]/g, "") });
    item.appendChild(el("h3", { className: "ioc-card-title",
                                text: (card.number ? card.number + ". " : "") + card.title }));
    card.facts.forEach(function (fact) {
      item.appendChild(el("p", { className: "ioc-card-fact", text: fact }));
    });
    var actions = el("div", { className: "ioc-card-actions" });
    // The accessible names say which result a link or button belongs to.
    var link = el("a", { className: "ioc-card-link", href: card.link.url, target: "_blank",
                         rel: "noopener noreferrer", text: card.link.title,
                         "aria-label": card.link.title + ": " + card.title + TEXT.newTab });
    actions.appendChild(link);
    if (card.calendar) {
      var cal = el("a", { className: "ioc-card-calendar", href: card.calendar, download: "",
                          rel: "noopener", text: TEXT.calendar,
                          "aria-label": TEXT.calendar + ": " + card.title + TEXT.calendarFile });
      actions.appendChild(cal);
    }
    var more = el("button", { type: "button", className: "ioc-card-more", text: card.details.title,
                              "aria-label": card.details.title + ": " + card.title });
    more.addEventListener("click", function () {
      sendMessage(card.details.payload, TEXT.moreAbout + card.title);
    });
    actions.appendChild(more);
    item.appendChild(actions);
    return item;
  }

  function renderCards(cards, notes) {
    var frag = document.createDocumentFragment();
    if (cards && cards.length) {
      var list = el("ul", { className: "ioc-cards", "aria-label": TEXT.results });
      cards.forEach(function (card) { list.appendChild(renderCard(card)); });
      frag.appendChild(list);
    }
    (notes || []).forEach(function (note) {
      frag.appendChild(el("p", { className: "ioc-note", text: note }));
    });
    return frag;
  }

  // ---------------------------------------------------------------- messages
  function renderMessage(msg, isLast) {
    var who = msg.from === "user" ? TEXT.you : msg.from === "agent" ? TEXT.agent : TEXT.bot;
    var kind = msg.from === "user" ? "user" : msg.from === "agent" ? "bot ioc-agent" : "bot";
    var bubble = el("div", { className: "ioc-msg ioc-" + kind });
    // An employee's message (live handover) carries a visible label.
    bubble.appendChild(el("span", { className: msg.from === "agent" ? "ioc-from" : "ioc-sr-only",
                                     text: msg.from === "agent" ? who : who + ": " }));
    if (msg.image) {
      bubble.appendChild(el("img", { src: msg.image, alt: TEXT.image, className: "ioc-image" }));
    }
    if (msg.text) {
      var p = el("p", { className: "ioc-text" });
      p.appendChild(richText(msg.text));
      bubble.appendChild(p);
    }
    log.appendChild(bubble);
    log.appendChild(renderCards(msg.cards, msg.notes));
    if (msg.buttons && msg.buttons.length && isLast) {
      var group = el("div", { className: "ioc-choices", role: "group", "aria-label": TEXT.choices });
      msg.buttons.forEach(function (b) {
        var btn = el("button", { type: "button", className: "ioc-choice", text: b.title });
        btn.addEventListener("click", function (e) {
          sendMessage(b.payload, b.title);
          // The choices are gone now: keep keyboard users in the conversation.
          if (e.detail === 0) input.focus();
        });
        group.appendChild(btn);
      });
      log.appendChild(group);
    }
  }

  function renderAll() {
    showNotice();
    log.textContent = "";
    state.messages.forEach(function (m, i) { renderMessage(m, i === state.messages.length - 1); });
    scrollDown();
  }

  function removeChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".ioc-choices"), function (g) {
      g.parentNode.removeChild(g);
    });
  }

  function addMessage(msg) {
    removeChoices();
    state.messages.push(msg);
    save();
    renderMessage(msg, true);
    scrollDown();
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  var typingTimer = null;
  function showTyping(on) {
    clearTimeout(typingTimer);
    if (on) {
      typing.hidden = false;
      typingTimer = setTimeout(function () {
        typing.hidden = true;
        status.textContent = TEXT.noAnswer;
      }, 30000);
    } else {
      typing.hidden = true;
    }
  }

  // ---------------------------------------------------------------- socket
  var socket = null;
  var confirmed = false;
  var queue = [];

  function withIo(callback) {
    if (window.io) return callback();
    var s = document.createElement("script");
    s.src = new URL("vendor/socket.io.min.js", scriptUrl).href;
    s.onload = callback;
    s.onerror = function () { status.textContent = TEXT.offline; };
    document.head.appendChild(s);
  }

  function connect() {
    if (socket) return;
    withIo(function () {
      if (socket) return;
      // WebSocket first; when it cannot be opened (a proxy or firewall that blocks it),
      // HTTP long-polling. engine.io-client 6.6 tries the next transport only with
      // `tryAllTransports`. Polling behind a load balancer needs sticky sessions (docs/widget.md).
      socket = window.io(config.serverUrl, { path: config.socketPath,
                                             transports: ["websocket", "polling"],
                                             tryAllTransports: true });
      socket.on("connect", function () {
        status.textContent = "";
        var request = { session_id: state.sessionId };
        // After "Nieuw gesprek": the old session's token, so the server can end a live
        // handover of that conversation (only this token's holder can).
        if (state.previous) request.previous = state.previous;
        socket.emit("session_request", request);
      });
      socket.on("session_confirm", function (sessionId) {
        var id = typeof sessionId === "string" ? sessionId : (sessionId && sessionId.session_id);
        if (id && id !== state.sessionId) state.sessionId = id;
        state.confirmed = true;
        state.previous = null;
        save();
        confirmed = true;
        var pending = queue; queue = [];
        pending.forEach(emitMessage);
        if (!state.started && config.startMessage) {
          state.started = true;
          save();
          sendMessage(config.startMessage, null);
        }
      });
      socket.on("bot_uttered", onBotMessage);
      socket.on("disconnect", function () { confirmed = false; });
      socket.on("connect_error", function () { status.textContent = TEXT.offline; });
    });
  }

  function emitMessage(text) {
    socket.emit("user_uttered", { message: text, session_id: state.sessionId });
  }

  // Send `payload` to the assistant; show `shown` (null: nothing) as the user's message.
  function sendMessage(payload, shown) {
    status.textContent = "";
    state.lastSender = tabId;
    if (shown) addMessage({ from: "user", text: shown });
    else { removeChoices(); save(); }
    // During a live handover an employee answers, not the bot: no typing indicator.
    if (!state.handoff) showTyping(true);
    if (socket && confirmed) emitMessage(payload);
    else { queue.push(payload); connect(); }
  }

  function onBotMessage(msg) {
    // Every tab of the session gets the reply; the tab that asked stores it, the
    // others pick it up from localStorage (the "storage" event below; "local" storage only).
    if (state.lastSender && state.lastSender !== tabId) return;
    if (!msg || typeof msg !== "object") return;
    var handoff = msg.handoff && typeof msg.handoff === "object" ? msg.handoff : null;
    if (handoff && handoff.state) {
      state.handoff = handoff.state === "waiting" || handoff.state === "active";
      save();
    }
    var buttons = msg.quick_replies || msg.buttons || [];
    var image = msg.attachment && msg.attachment.type === "image" &&
                msg.attachment.payload && msg.attachment.payload.src;
    var text = typeof msg.text === "string" ? msg.text : "";
    var cards = cleanCards(msg.cards);
    if (!text && !image && !buttons.length && !cards.length) return;
    showTyping(false);
    addMessage({
      from: handoff && handoff.from === "agent" ? "agent" : "bot", text: text, cards: cards,
      notes: cleanNotes(msg.notes),
      image: image && /^https?:\/\//i.test(image) ? image : undefined,
      buttons: buttons.filter(function (b) { return b && b.title && b.payload; })
                      .map(function (b) { return { title: String(b.title), payload: String(b.payload) }; })
    });
  }

  window.addEventListener("storage", function (e) {
    if (e.key !== config.storageKey) return;
    var mine = state.lastSender === tabId ? tabId : null;
    state = load();
    if (mine && state.lastSender === null) state.lastSender = mine;
    showTyping(false);
    renderAll();
  });

  // ---------------------------------------------------------------- open/close
  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("ioc-open", open);
    state.open = open;
    save();
    if (open) {
      renderAll();
      connect();
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  closeBtn.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false, true); }
  });
  restartBtn.addEventListener("click", function () {
    // During a live handover the employee's conversation ends too: ask first.
    if (state.handoff && !window.confirm(TEXT.restartHandoff)) return;
    var open = state.open;
    var noticeSeen = state.noticeSeen;
    // The token of the session being left (or of an earlier one the server was not told of yet).
    var previous = state.previous && !state.confirmed ? state.previous : state.sessionId;
    state = emptyState();
    state.open = open;
    state.noticeSeen = noticeSeen;
    state.previous = previous;
    save();
    renderAll();
    if (socket) { socket.disconnect(); socket = null; confirmed = false; }
    connect();
    input.focus();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendMessage(text, text);
  });

  function mount() {
    loadCss();
    document.body.appendChild(root);
    if (state.open || config.openOnLoad) setOpen(true, false);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  // A small API for the page (and tests): open, close.
  window.ImpactChat = {
    open: function () { setOpen(true, true); },
    close: function () { setOpen(false, false); },
    config: config
  };
})();
